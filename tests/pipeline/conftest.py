"""The pipeline runs on the local cloud: moto S3 over HTTP, the AssemblyAI-compatible server, real webhooks."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from common.config import get_settings


@pytest.fixture
def configure() -> Iterator[Callable[..., None]]:
    """Change settings for one test, the way a deploy would: environment variables, read afresh."""
    saved: dict[str, str | None] = {}

    def apply(**values: object) -> None:
        for name, value in values.items():
            saved.setdefault(name, os.environ.get(name))
            os.environ[name] = str(value)
        get_settings.cache_clear()

    yield apply
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()
