"""Fixtures of the end-to-end tests that run `python -m local` as its own process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.local_process import Cloud


@pytest.fixture
def cloud_process(tmp_path: Path) -> Iterator[Cloud]:
    """A `python -m local` that the test may kill and start again; killed at the end whatever happened."""
    running = Cloud(tmp_path / "data")
    running.start()
    yield running
    if running.proc and running.proc.poll() is None:
        running.kill()
