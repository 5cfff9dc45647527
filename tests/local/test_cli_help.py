"""`python -m local --help` is enough to run the local cloud: every flag says what it does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from local.__main__ import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_every_flag_of_the_local_cloud_is_explained() -> None:
    flags = [a for a in build_parser()._actions if a.option_strings and a.dest != "help"]
    assert {a.dest for a in flags} >= {"host", "port", "s3_port", "assemblyai_port", "mail_port", "data_dir"}
    unexplained = [a.option_strings[0] for a in flags if not (a.help and len(a.help) > 15)]
    assert unexplained == []
    shown = subprocess.run(
        [sys.executable, "-m", "local", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "where accounts, jobs and transcripts" in shown and "local Object Storage" in shown
