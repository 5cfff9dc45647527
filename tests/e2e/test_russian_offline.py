"""A Russian recording, its language left blank, is transcribed offline and its language stored as "ru"."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.assemblyai import festival
from local.cloud import LocalCloud
from tests.conftest import local_cloud
from tests.e2e.test_over_http import Browser, run_flow

pytestmark = pytest.mark.e2e
WRITTEN = "В 1998 году мост через реку Волгу закрыли на 3 месяца."
SAID = "В тысяча девятьсот девяносто восьмом году мост через реку Волгу закрыли на три месяца."


@pytest.fixture(scope="module")
def whisper_cloud(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """The local cloud as `make run` starts it without a key: the offline Whisper engine."""
    pytest.importorskip("faster_whisper")
    with local_cloud(database_url, tmp_path_factory.mktemp("cloud"), engine="whisper") as running:
        running.assemblyai.engine.wait_ready(120)
        yield running


def test_a_russian_recording_with_the_language_left_blank_is_stored_as_russian(
    whisper_cloud: LocalCloud, tmp_path: Path
) -> None:
    if not festival.available():  # scripts/system_deps.sh installs them; CI must not skip this quietly
        (pytest.fail if os.environ.get("CI") else pytest.skip)("festival and festvox-ru are not installed")
    caps = Browser(whisper_cloud.url).json("GET", "/api/v1/capabilities")
    assert caps["auto_detect"] is True and "ru" in caps["languages"]
    browser, job = run_flow(whisper_cloud, "mono", festival.speech(SAID), job_first=False, timeout_s=60)
    assert job["language"] == "auto" and job["language_detected"] == "ru"
    transcript = browser.json("GET", f"/api/v1/jobs/{job['id']}/transcript")
    assert transcript["language"] == "ru"  # as the provider reported it: AssemblyAI's language_code
    text = transcript["text"]
    assert re.search("[а-я]{4}", text.lower()), text  # Cyrillic, not a transliteration
    assert festival.wer(WRITTEN, text) <= 0.3, text
