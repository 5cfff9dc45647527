"""Shared fixtures: every DB test runs on SQLite and on a real PostgreSQL; S3 is moto's server over HTTP."""

from __future__ import annotations

import logging
import os
import re
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.domain.accounts.jwks import new_private_key_pem  # noqa: E402

# The functions read these at import; one stable set for the whole run (only DATABASE_URL changes per backend).
TEST_ENV = {
    "ENV": "test",
    "DATABASE_URL": "sqlite://",  # replaced per backend by the database_url fixture
    "JWT_PRIVATE_KEY": new_private_key_pem(),
    "JWT_KEY_ID": "test-key-1",
    "BCRYPT_ROUNDS": "4",
    "S3_BUCKET": "transcribe-media",
    "S3_ACCESS_KEY_ID": "testing",
    "S3_SECRET_ACCESS_KEY": "testing",
    "S3_REGION": "ru-central1",
    "ASSEMBLYAI_API_KEY": "test-assemblyai-key",
    "ASSEMBLYAI_BASE_URL": "http://127.0.0.1:9",  # never the real service; pipeline tests use the local one
    "WEBHOOK_SECRET": "test-webhook-secret",
    "PUBLIC_BASE_URL": "http://127.0.0.1:9",
    "DOTENV_PATH": "/nonexistent/.env",
    "RETRY_BASE_SECONDS": "0",
    "MAIL_FROM": "Transcribe <noreply@transcribe.local>",  # the endpoint is the local cloud's (its mail server)
    "MAIL_ACCESS_KEY_ID": "local",
    "MAIL_SECRET_ACCESS_KEY": "local",
    "PASSWORD_RESET_ANSWER_SECONDS": "0.25",
}
os.environ.update(TEST_ENV)
# One reassembled Whisper base model for every test and local cloud of the run (the data directory's models/).
os.environ.setdefault("LOCAL_MODELS_DIR", str(ROOT / "data" / "models"))

from common.runtime.config import get_settings  # noqa: E402
from common.store import db  # noqa: E402
from local.cloud import LocalCloud  # noqa: E402
from tests import api, databases  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres_only` tests belong to the PostgreSQL pass: deselected, not skipped, in the SQLite one."""
    sqlite_only_copies = [
        item
        for item in items
        if item.get_closest_marker("postgres_only")
        and getattr(getattr(item, "callspec", None), "params", {}).get("database_url") == "sqlite"
    ]
    if sqlite_only_copies:
        config.hook.pytest_deselected(items=sqlite_only_copies)
        dropped = set(map(id, sqlite_only_copies))
        items[:] = [item for item in items if id(item) not in dropped]


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


def local_cloud(
    database_url: str, data_dir: Path, engine: str = "deterministic", provider: str = "assemblyai"
) -> LocalCloud:
    """The local cloud on free ports as the tests run it (fast retries, no timer: tests call the reconcile)."""
    names = ("ENV", "JWT_PRIVATE_KEY", "JWT_KEY_ID", "WEBHOOK_SECRET", "BCRYPT_ROUNDS", "RETRY_BASE_SECONDS")
    polls = {"POLL_INTERVAL_SECONDS": "0"} if provider == "speechkit" else {}  # each reconcile the test runs polls
    return LocalCloud(
        provider=provider,
        speechkit_port=0,
        port=0,
        s3_port=0,
        assemblyai_port=0,
        mail_port=0,
        data_dir=data_dir,
        database_url=database_url,
        engine=engine,
        reconcile_interval_s=0,
        trigger_retry_interval_s=0.05,
        webhook_retry_interval_s=0.05,
        extra_env={**{k: TEST_ENV[k] for k in names}, **polls},
    )


@pytest.fixture(scope="session")
def cloud(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """The local cloud on free ports: moto S3 with upload triggers, the AssemblyAI server, gateway, webhooks."""
    with local_cloud(database_url, tmp_path_factory.mktemp("cloud")) as running:
        api.GATEWAY = running.gateway
        yield running
        api.GATEWAY = None


@pytest.fixture
def clean_db(cloud: LocalCloud, database_url: str) -> Iterator[str]:
    """An empty database and a fresh provider for each test (after the previous test's events settle)."""
    cloud.resume_triggers()
    cloud.wait_idle()
    _use_database(database_url)
    databases.wipe(db.get_engine())
    cloud.assemblyai.reset()
    yield database_url
    cloud.resume_triggers()
    cloud.wait_idle()


@pytest.fixture
def s3_endpoint(cloud: LocalCloud) -> str:
    return cloud.s3_endpoint


def unique_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def configure_settings() -> Iterator[Callable[..., None]]:
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


_SECRET_MARKS = re.compile(
    r"X-Amz-(Signature|Credential)=|eyJ[A-Za-z0-9_-]{8,}\.|PRIVATE KEY|Bearer [A-Za-z0-9]"
    r"|tsk_[0-9a-f]{12}_[A-Za-z0-9_-]"  # a personal API key (accounts/api_keys.py)
)


@pytest.fixture(autouse=True)
def no_secret_reaches_a_log_line(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """R13, for every test: no token, presigned signature, private key or webhook secret in any log record."""
    caplog.set_level(logging.INFO, logger="transcribe")
    yield
    webhook_secret = TEST_ENV["WEBHOOK_SECRET"]
    for record in caplog.records:
        line = record.getMessage()
        assert not _SECRET_MARKS.search(line) and webhook_secret not in line, f"a secret in a log line: {line[:300]}"
