"""common.store.migrate as the cloud's migrate function runs it: idempotent, and safe when two deploys migrate at
once."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from common.store.migrate import ADVISORY_LOCK_KEY, BUNDLED_FILES, ROOT, head_revision, upgrade
from tests.databases import SKIP_PG, postgres_admin_url, postgres_problem


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    if SKIP_PG and not os.environ.get("CI"):
        pytest.skip("TRANSCRIBE_SKIP_POSTGRES=1: the PostgreSQL migration check is skipped")
    problem = postgres_problem()
    if problem:
        pytest.fail(problem)
    admin = postgres_admin_url()
    name = f"transcribe_migrate_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_concurrent_upgrades_on_postgres_all_end_at_head(fresh_postgres: str) -> None:
    results: list[str | None] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def migrate() -> None:
        try:
            start.wait()
            results.append(upgrade(fresh_postgres))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an upgrade hung"
    assert not errors, errors
    assert results == [head_revision()] * 4
    assert upgrade(fresh_postgres) == head_revision(), "a second run is a no-op at head"


def test_the_lock_is_transaction_level(fresh_postgres: str) -> None:
    """A session-level lock would outlive its transaction on an Odyssey server connection (transaction pooling)."""
    upgrade(fresh_postgres)
    with psycopg.connect(fresh_postgres) as conn:
        held = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
            (ADVISORY_LOCK_KEY & 0xFFFFFFFF,),
        ).fetchone()
    assert held == (0,), "no advisory lock is left behind after the upgrade"
    source = (ROOT / "common" / "store" / "migrate.py").read_text()
    assert "pg_advisory_xact_lock" in source and "pg_advisory_lock(" not in source


def test_sqlite_upgrades_twice_without_a_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert upgrade(url) == upgrade(url) == head_revision()


def test_the_bundled_files_exist() -> None:
    for relative in BUNDLED_FILES:
        assert (ROOT / relative).exists(), relative
