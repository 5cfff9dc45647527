"""`python -m local --help` is enough to run the local cloud: every flag says what it does."""

from __future__ import annotations

import re
import shlex
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
    assert "accounts, jobs and transcripts" in shown and "recordings" in shown and "local Object Storage" in shown


def test_the_readme_example_for_a_second_copy_moves_every_port_and_says_where_data_is_kept() -> None:
    readme = (ROOT / "README.md").read_text()
    examples = [shlex.split(m) for m in re.findall(r'make run ARGS="([^"]+)"', readme)]
    assert examples, "the README shows how to run a second copy"
    ports = {a.dest for a in build_parser()._actions if a.dest.endswith("port")}
    for argv in examples:
        args = build_parser().parse_args(argv)  # every flag it uses exists
        moved = {dest for dest in ports if getattr(args, dest) != build_parser().get_default(dest)}
        assert moved == ports, f"{argv} leaves {sorted(ports - moved)} on the defaults"
    assert "transcribe.db" in readme and "recordings and unfinished uploads in `s3/`" in readme
