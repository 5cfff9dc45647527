"""GET /api/v1/capabilities tells people what can be transcribed, and uploads and jobs keep to it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import Api, signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")
LOCAL = {
    "SPEECH_ENGINE": "an English-only engine",
    "SPEECH_LANGUAGES": "en",
    "SPEECH_AUTO_DETECT": "false",
    "SPEECH_FORMATS": "audio/wav,audio/x-wav,audio/flac,audio/mpeg,audio/ogg",
}


def test_the_cloud_default_is_assemblyai_with_every_language_and_detection() -> None:
    res = Api().get("/api/v1/capabilities")  # no sign-in needed: the signed-out page shows it
    assert res.status == 200
    caps = res.json
    assert caps["engine"] == "AssemblyAI" and caps["auto_detect"] is True
    assert {"en", "de", "es"} <= set(caps["languages"]) and caps["formats"] == ["audio/*", "video/*"]
    assert caps["max_upload_bytes"] == 5 * 1024**3


def test_a_local_english_only_engine_says_so_and_is_held_to_it(configure_settings: Any) -> None:
    configure_settings(**LOCAL)
    caps = Api().get("/api/v1/capabilities").json
    assert (caps["languages"], caps["auto_detect"]) == (["en"], False)
    api = signed_up(unique_email())
    mp4 = api.post("/api/v1/files", {"filename": "a.mp4", "content_type": "video/mp4", "size": 10})
    assert (mp4.status, mp4.error_code) == (415, "format_not_supported")
    assert "cannot read video/mp4" in mp4.json["error"]["message"]
    wav = api.post("/api/v1/files", {"filename": "a.wav", "content_type": "audio/wav", "size": 10})
    assert wav.status == 201
    file_id = wav.json["file"]["id"]
    german = api.post("/api/v1/jobs", {"file_id": file_id, "language": "de"})
    assert (german.status, german.error_code) == (422, "language_not_supported")
    assert "transcribes English only" in german.json["error"]["message"]
    auto = api.post("/api/v1/jobs", {"file_id": file_id, "language": "auto"})
    assert auto.status == 201 and auto.json["language"] == "en"  # nothing to detect: the one language, said plainly


def test_the_import_form_is_told_why_links_cannot_be_fetched_here(configure_settings: Any) -> None:
    from local.cloud import url_import_note

    configure_settings(URL_IMPORT_NOTE="")
    assert Api().get("/api/v1/capabilities").json["url_import_note"] is None  # the cloud: any public link
    configure_settings(URL_IMPORT_NOTE=url_import_note(["127.0.0.1:8000"]))
    note = Api().get("/api/v1/capabilities").json["url_import_note"]
    assert "only from the public internet" in note and "URL_IMPORT_ALLOWED_HOSTS=host:port" in note
    assert "127.0.0.1:8000" in note


def test_the_local_whisper_engine_offers_its_99_languages_and_detects_them(configure_settings: Any) -> None:
    from local.cloud import whisper_speech_settings

    configure_settings(**whisper_speech_settings())
    caps = Api().get("/api/v1/capabilities").json
    assert caps["auto_detect"] is True and {"en", "ru", "de", "uk", "ja"} <= set(caps["languages"])
    assert len({code.split("_")[0] for code in caps["languages"]}) == 99  # Whisper base's languages
    api = signed_up(unique_email())
    file_id = api.post("/api/v1/files", {"filename": "a.wav", "content_type": "audio/wav", "size": 10}).json["file"][
        "id"
    ]
    russian = api.post("/api/v1/jobs", {"file_id": file_id, "language": "ru"})
    assert russian.status == 201 and russian.json["language"] == "ru"
    auto = api.post("/api/v1/jobs", {"file_id": file_id, "language": "auto"})
    assert auto.status == 201 and auto.json["language"] == "auto"  # left to the engine, which detects it
