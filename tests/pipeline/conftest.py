"""The pipeline runs on the local cloud: moto S3 over HTTP, the AssemblyAI-compatible server, real webhooks."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture
def configure(configure_settings: Callable[..., None]) -> Callable[..., None]:
    """Change settings for one test (tests/conftest.py: configure_settings)."""
    return configure_settings
