"""R32/R33: nothing relies on session state a transaction-mode pooler (Odyssey, PgBouncer) would leak or lose."""

from __future__ import annotations

import re
from pathlib import Path

from common.store.db import build_engine

ROOT = Path(__file__).resolve().parents[2]
# Inside SQL text: a session-wide SET, LISTEN, a session advisory lock, a temporary table.
SESSION_STATE = re.compile(r"\bSET\s+(?!LOCAL\b)[a-z_]+\s*(=|TO\b)|\bLISTEN\b|pg_advisory_lock\(|\bCREATE\s+TEMP", re.I)


def test_no_session_level_settings_locks_or_listen_in_the_code() -> None:
    offenders = []
    for path in sorted([*ROOT.glob("common/**/*.py"), *ROOT.glob("functions/*/index.py")]):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if SESSION_STATE.search(line.split("#", 1)[0]):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, offenders


def test_the_pattern_finds_what_it_must() -> None:
    assert SESSION_STATE.search('conn.exec_driver_sql("SET statement_timeout = 1")')
    assert SESSION_STATE.search("SELECT pg_advisory_lock(1)")
    assert not SESSION_STATE.search('conn.exec_driver_sql("SET LOCAL statement_timeout = 1")')
    assert not SESSION_STATE.search("SELECT pg_advisory_xact_lock(1)")


def test_prepared_statements_are_off_and_every_wait_is_bounded() -> None:
    build_engine("postgresql://u:p@127.0.0.1:1/db")  # builds without connecting
    source = (ROOT / "common" / "store" / "db.py").read_text()
    assert '"prepare_threshold": None' in source and '"connect_timeout": 5' in source
    assert "SET LOCAL statement_timeout" in source
