"""What each engine understands beyond words, as GET /capabilities says and jobs are held to: AssemblyAI redacts,
translates into its 89 languages and detects entities; the offline Whisper engine translates into English only."""

from __future__ import annotations

from typing import Any

import pytest

from common.domain.understanding import PII_POLICIES, TRANSLATION_TARGETS
from tests.api import Api, signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")


def test_assemblyai_offers_redaction_of_its_44_kinds_translation_and_entities() -> None:
    caps = Api().get("/api/v1/capabilities").json
    assert caps["redaction"] is True and caps["redaction_policies"] == list(PII_POLICIES)
    assert caps["translation_targets"] == list(TRANSLATION_TARGETS) and caps["entities"] is True


def test_the_offline_whisper_engine_translates_into_english_only_and_redacts_nothing(configure_settings: Any) -> None:
    from local.cloud import whisper_speech_settings

    configure_settings(**whisper_speech_settings())
    caps = Api().get("/api/v1/capabilities").json
    assert (caps["redaction"], caps["redaction_policies"], caps["entities"]) == (False, [], False)
    assert caps["translation_targets"] == ["en"]
    api = signed_up(unique_email())
    file_id = api.post("/api/v1/files", {"filename": "a.wav", "content_type": "audio/wav", "size": 10}).json["file"][
        "id"
    ]
    german = api.post("/api/v1/jobs", {"file_id": file_id, "translation_targets": ["de"]})
    assert (german.status, german.error_code) == (422, "translation_not_available")
    assert german.json["error"]["message"] == (
        "the local Whisper engine (base) cannot translate into German; it translates into English only"
    )
    redact = api.post("/api/v1/jobs", {"file_id": file_id, "redact_pii": True, "redact_pii_policies": ["person_name"]})
    assert (redact.status, redact.error_code) == (422, "redaction_not_available")
    entities = api.post("/api/v1/jobs", {"file_id": file_id, "entity_detection": True})
    assert (entities.status, entities.error_code) == (422, "entities_not_available")
    english = api.post("/api/v1/jobs", {"file_id": file_id, "translation_targets": ["en"]})
    assert english.status == 201


def test_an_engine_that_understands_nothing_beyond_words_offers_nothing(configure_settings: Any) -> None:
    configure_settings(SPEECH_REDACTION="false", SPEECH_TRANSLATION_TARGETS="", SPEECH_ENTITIES="false")
    caps = Api().get("/api/v1/capabilities").json
    assert (caps["redaction"], caps["translation_targets"], caps["entities"]) == (False, [], False)
    api = signed_up(unique_email())
    file_id = api.post("/api/v1/files", {"filename": "a.wav", "content_type": "audio/wav", "size": 10}).json["file"][
        "id"
    ]
    res = api.post("/api/v1/jobs", {"file_id": file_id, "translation_targets": ["en"]})
    assert res.status == 422 and res.json["error"]["message"].endswith("it translates nothing")
