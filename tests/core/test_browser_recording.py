"""A recording made in the browser goes through the ordinary upload: its time limit comes from the capabilities, and
its type (Opus in Ogg or WebM, what MediaRecorder makes) is taken by every engine that reads it, refused by one that
does not before a byte is sent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import Api, signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")

# What the SPA declares for a recording: the container without its codecs parameter (MediaRecorder's
# "audio/webm;codecs=opus" is sent as audio/webm), and the same with the parameter, which a client may send.
RECORDED = ("audio/ogg", "audio/webm", "audio/webm;codecs=opus")


def _declare(api: Api, content_type: str) -> Any:
    name = "recording.ogg" if "ogg" in content_type else "recording.webm"
    return api.post("/api/v1/files", {"filename": name, "content_type": content_type, "size": 48_000})


def test_the_recorder_is_told_when_to_stop(configure_settings: Any) -> None:
    assert Api().get("/api/v1/capabilities").json["max_recording_seconds"] == 2 * 3600
    configure_settings(MAX_RECORDING_SECONDS="600")
    assert Api().get("/api/v1/capabilities").json["max_recording_seconds"] == 600


def test_assemblyai_and_the_local_whisper_engine_take_a_browser_recording(configure_settings: Any) -> None:
    from local.cloud import whisper_speech_settings

    api = signed_up(unique_email())
    for content_type in RECORDED:  # AssemblyAI: any audio
        assert _declare(api, content_type).status == 201, content_type
    configure_settings(**whisper_speech_settings())
    formats = Api().get("/api/v1/capabilities").json["formats"]
    assert {"audio/ogg", "audio/webm"} <= set(formats)
    for content_type in RECORDED:
        assert _declare(api, content_type).status == 201, content_type


def test_an_engine_without_webm_refuses_a_webm_recording_by_name_and_takes_ogg(configure_settings: Any) -> None:
    # SpeechKit reads OGG_OPUS, MP3 and LPCM but not WebM: Chromium's recordings are refused before upload.
    configure_settings(SPEECH_ENGINE="Yandex SpeechKit", SPEECH_FORMATS="audio/ogg,audio/opus,audio/mpeg,audio/wav")
    api = signed_up(unique_email())
    webm = _declare(api, "audio/webm;codecs=opus")
    assert (webm.status, webm.error_code) == (415, "format_not_supported")
    assert "Yandex SpeechKit cannot read audio/webm" in webm.json["error"]["message"]
    assert _declare(api, "audio/ogg").status == 201
