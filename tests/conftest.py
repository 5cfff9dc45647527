"""Shared fixtures: every DB test runs on SQLite and on a real PostgreSQL; S3 is moto's server over HTTP."""

from __future__ import annotations

import os
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The functions read these at import; one stable set for the whole run (only DATABASE_URL changes per backend).
TEST_ENV = {
    "ENV": "test",
    "DATABASE_URL": "sqlite://",  # replaced per backend by the database_url fixture
    "JWT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "BCRYPT_ROUNDS": "4",
    "S3_BUCKET": "transcribe-media-test",
    "S3_ACCESS_KEY_ID": "testing",
    "S3_SECRET_ACCESS_KEY": "testing",
    "S3_REGION": "ru-central1",
    "ASSEMBLYAI_API_KEY": "test-assemblyai-key",
    "WEBHOOK_SECRET": "test-webhook-secret",
    "PUBLIC_BASE_URL": "http://127.0.0.1:9",
    "DOTENV_PATH": "/nonexistent/.env",
    "RETRY_BASE_SECONDS": "0",
}
os.environ.update(TEST_ENV)

from common import db  # noqa: E402
from common.config import get_settings  # noqa: E402
from tests import databases  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _use_database(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    db.reset_engine()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database of each kind; the PostgreSQL pass is skipped only by explicit opt-out."""
    if request.param == "sqlite":
        with databases.sqlite_database(tmp_path_factory.mktemp("sqlite")) as url:
            _use_database(url)
            yield url
        return
    if databases.SKIP_PG:
        if os.environ.get("CI"):
            pytest.fail("TRANSCRIBE_SKIP_POSTGRES=1 is not allowed in CI: the PostgreSQL pass is required")
        pytest.skip("!!! PostgreSQL pass SKIPPED by TRANSCRIBE_SKIP_POSTGRES=1 (local opt-out) !!!")
    problem = databases.postgres_problem()
    if problem:
        pytest.fail(f"{problem}. Start it (see README) or, locally only, set TRANSCRIBE_SKIP_POSTGRES=1.")
    with databases.postgres_database() as url:
        _use_database(url)
        yield url


@pytest.fixture
def clean_db(database_url: str) -> Iterator[str]:
    _use_database(database_url)
    databases.wipe(db.get_engine())
    yield database_url


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a real port, with the test bucket; boto3 and presigned URLs go over HTTP."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["S3_ENDPOINT_URL"] = endpoint
    get_settings.cache_clear()
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="ru-central1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=TEST_ENV["S3_BUCKET"])
    yield endpoint
    server.stop()


def unique_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"
