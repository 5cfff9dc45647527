"""Warm API overhead (issue #14, target 4): a warm `GET /api/v1/jobs` (a page of 20) against the raw SQL it runs.

A throwaway PostgreSQL database, migrated to head and seeded with COPY: one user with 1,000 jobs of mixed statuses
(most completed with a transcript, some failed with a provider message, some running, some waiting for an upload).
Then, in this one process, after a warm-up:
- (a) the real `jobs` handler, from entry to the serialized result, for `GET /api/v1/jobs?limit=20` (a gateway event
  carrying the user's claims, built by the local gateway's `event_for`, outside the timed region);
- (b) raw psycopg: every statement the handler sent to the driver (captured once by a recording cursor on the pooled
  connection, with their parameters: the transaction's SET LOCAL and the page, which carries the account check;
  `--show-sql` prints them), executed and fetched with `fetchall` on that same connection, then the COMMIT that ends
  the handler's transaction. Anything else the handler does (a pre-ping, were there one) counts as its overhead.
The two are interleaved (a, b, a, b, ...) so both see the same machine; medians of `--runs` each.

Run: .venv/bin/python bench/warm_api.py [--runs 500] [--jobs 1000] [--show-sql]   (about 5 s; the last line is
the ratio)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from harness import HANDLER_ENV, copy_history, postgres_database

N = "\\N"  # NULL in COPY's text format


def _kind(n: int) -> str:
    """Mixed statuses, so that every page of 20 has each kind of row."""
    return {0: "failed", 1: "processing", 2: "waiting", 3: "queued"}.get(n % 10, "completed")


def seed(url: str, jobs: int) -> uuid.UUID:
    """One user, one media file per job, the jobs, and a transcript per completed job; returns the user's id."""
    import psycopg

    now = datetime.now(UTC)
    user = uuid.uuid4()
    words = [{"text": f"word{i}", "start": i * 300, "end": i * 300 + 250, "confidence": 0.9} for i in range(200)]
    utterances = [{"speaker": "A", "text": "hello there", "start": 0, "end": 60_000, "words": words[:50]}]
    files, rows, transcripts = io.StringIO(), io.StringIO(), io.StringIO()
    for n in range(jobs):
        fid, jid = uuid.uuid4(), uuid.uuid4()
        kind = _kind(n)
        created = now - timedelta(seconds=jobs - n)
        waiting = kind == "waiting"
        file_status, uploaded = ("awaiting_upload", N) if waiting else ("uploaded", created.isoformat())
        uploaded_size = N if waiting else "48000"
        name = f"meeting {n} - notes \u00e9t\u00e9.wav" if n % 3 else f"interview_{n}.mp3"
        ctype = "audio/wav" if n % 3 else "audio/mpeg"
        files.write(
            f"{fid}\t{user}\tuploads/{user}/{fid}/a\t{name}\t{ctype}\t48000\t{uploaded_size}\t{file_status}"
            f"\t{created.isoformat()}\t{uploaded}\n"
        )
        status, stage = {
            "failed": ("failed", "failed"),
            "processing": ("processing", "submitted"),
            "waiting": ("pending", "waiting_for_upload"),
            "queued": ("pending", "queued"),
        }.get(kind, ("completed", "completed"))
        mode, speakers = ("dialogue", "2") if n % 4 == 0 else ("mono", N)
        language = "auto" if n % 2 else "en"
        submitted = (created + timedelta(seconds=1)).isoformat() if kind in ("failed", "processing", "completed") else N
        done = (created + timedelta(seconds=30)).isoformat() if kind in ("failed", "completed") else N
        error = "provider said: could not fetch https://s3.example/a?X-Amz-Signature=abc" if kind == "failed" else N
        retryable = ("t" if n % 20 == 0 else "f") if kind == "failed" else N
        rows.write(
            f"{jid}\t{user}\t{fid}\t{language}\t{mode}\t{speakers}\t{status}\t{stage}\t{error}\t{retryable}"
            f"\t{1 if submitted != N else 0}\t{created.isoformat()}\t{submitted}\t{done}\n"
        )
        if kind == "completed":
            duration = f"{60 + n % 7 * 12.5}"
            doc = {"words": json.dumps(words), "utterances": json.dumps(utterances if mode == "dialogue" else [])}
            transcripts.write(
                f"{jid}\thello there\t{_copy_text(doc['utterances'])}\t{_copy_text(doc['words'])}\ten\t{duration}"
                f"\t0.93\t{done}\n"
            )
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO users (id, email, password_hash, created_at, token_version) VALUES (%s, %s, 'x', %s, 0)",
            (user, "warm@example.com", now),
        )
        copy_history(
            cur,
            files.getvalue(),
            rows.getvalue(),
            "id, owner_id, media_file_id, language, mode, speakers_expected, status, stage, error_message,"
            " error_retryable, attempts, created_at, submitted_at, completed_at",
            transcripts.getvalue(),
        )
        conn.commit()
        cur.execute("ANALYZE")
    return user


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def measure(url: str, user: uuid.UUID, runs: int) -> tuple[float, float, list[str]]:
    """Median ms of the handler and of the raw SQL, and the statements the handler sent."""
    os.environ["DATABASE_URL"] = url
    from sqlalchemy import event

    from common.runtime.config import get_settings
    from common.store import db
    from local.gateway.events import event_for

    get_settings.cache_clear()
    db.reset_engine()
    from functions.jobs import index as jobs_function

    claims = {"jwt": {"claims": {"sub": str(user), "ver": "0"}, "scopes": []}}

    def request() -> dict[str, Any]:
        return event_for("GET", "/api/v1/jobs", query={"limit": "20"}, authorizer=claims)

    def handler(ev: dict[str, Any]) -> dict[str, Any]:
        return jobs_function.handler(ev, None)

    first = handler(request())
    assert first["statusCode"] == 200, first["body"][:300]
    assert len(json.loads(first["body"])["items"]) == 20

    import psycopg

    engine = db.get_engine()
    pooled = engine.raw_connection()
    pg = pooled.driver_connection  # the pooled psycopg connection the handler runs on (handed back while warm)
    pooled.close()
    captured: list[tuple[str, Any]] = []

    class Recording(psycopg.Cursor):  # sees every statement that reaches the driver, through SQLAlchemy or not
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            captured.append((query, params))
            return super().execute(query, params, **kwargs)

    pg.cursor_factory = Recording
    handler(request())
    pg.cursor_factory = psycopg.Cursor
    assert captured, "the handler ran no SQL"
    statements = [s for s, _ in captured]

    with pg.cursor() as cur:  # which statements return rows, asked once: the timed loop only executes and fetches
        returning = []
        for statement, parameters in captured:
            cur.execute(statement, parameters or None)
            returning.append(cur.description is not None)
        pg.commit()
    plan = [(sql, params or None, rows) for (sql, params), rows in zip(captured, returning, strict=True)]

    def raw() -> None:
        with pg.cursor() as cur:
            for statement, parameters, rows in plan:
                cur.execute(statement, parameters)
                if rows:
                    cur.fetchall()
        pg.commit()

    for _ in range(50):  # warm both: the statement caches, the server's plan and buffer caches
        handler(request())
        raw()
    events = [request() for _ in range(runs)]  # built outside the timed region: the gateway builds them
    handled, raws = [], []
    for ev in events:
        start = time.perf_counter()
        out = handler(ev)
        handled.append((time.perf_counter() - start) * 1000)
        assert out["statusCode"] == 200
        start = time.perf_counter()
        raw()
        raws.append((time.perf_counter() - start) * 1000)
    check: list[Any] = []
    event.listen(engine, "checkout", lambda dbapi, *_: check.append(dbapi))
    handler(request())
    assert check and check[-1] is pg, "the handler ran on another connection than the raw SQL"
    return statistics.median(handled), statistics.median(raws), statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=1_000)
    parser.add_argument("--show-sql", action="store_true", help="print the statements the handler sent")
    args = parser.parse_args()
    os.environ.update(HANDLER_ENV)
    from common.store.migrate import upgrade

    with postgres_database() as url:
        upgrade(url)
        user = seed(url, args.jobs)
        handler_ms, raw_ms, statements = measure(url, user, args.runs)
        from common.store import db

        db.reset_engine()
    if args.show_sql:
        for statement in statements:
            print(f"  SQL: {' '.join(statement.split())}")
    print(f"statements per request: {len(statements)}")
    print(f"handler, entry to serialized response (median of {args.runs}): {handler_ms:.3f} ms")
    print(f"raw psycopg, same SQL + fetchall + COMMIT, same connection:    {raw_ms:.3f} ms")
    print(f"warm GET /jobs vs raw SQL: {handler_ms / raw_ms:.2f}x")
    sys.exit(0)


if __name__ == "__main__":
    main()
