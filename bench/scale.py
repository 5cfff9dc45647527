"""Flat cost at a million jobs (issue #14, target 3): the same reads at 1,000 and at 1,000,000 jobs, side by side.

Two throwaway PostgreSQL databases, migrated to head and seeded with COPY:
- small: one heavy user with 1,000 jobs;
- large: 10,000 users x 100 jobs, plus one heavy user with 100,000 jobs;
statuses mixed: 50 jobs at the provider and 50 awaiting their upload in both (activity does not grow with
history), the rest completed or (1 in 17) failed. Then, per database, medians of
repeated runs of:
- the first page of `GET /api/v1/jobs` (20 rows; through the real `jobs` handler, claims as the gateway passes them);
- page 100 through the cursor (10 rows a page, so both databases have one);
- a status-filtered page (`status=failed`) of the heavy user;
- a reconcile sweep with nothing due (the queries a timer tick always runs);
- full-text search (`GET /api/v1/search`) over the heavy user's transcripts: a name said in five of their recordings
  (the same five hits at either size: what grows is everything around them), and a word said in one transcript
  in ten across everyone's (20 hits at either size, out of ~100 or ~10,000 matches of the heavy user's).
Every completed job has a transcript (a dozen words of a 500-word vocabulary). In the large database, `EXPLAIN
(ANALYZE, BUFFERS)` of the list queries must use an index and no sort of the table, and the search its GIN index. The
small database's plans are printed, not judged: there a sequential scan of a few dozen pages is the right plan.

Run: .venv/bin/python bench/scale.py [--runs 15]     (about 2 minutes; prints the ratios, the last line a summary)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from harness import HANDLER_ENV, copy_into, median_ms, postgres_database

RUNNING = 50  # jobs at the provider, and as many waiting for their upload: activity, not history, so the same
# number at either size; the rest is history: completed, one in 17 failed


def status_of(n: int) -> tuple[str, str]:
    if n < RUNNING:
        return "processing", "submitted"
    if n < 2 * RUNNING:
        return "pending", "waiting_for_upload"
    return ("failed", "failed") if n % 17 == 0 else ("completed", "completed")


RARE, COMMON = "zanzibar", "budget"  # the name in exactly five of the heavy user's transcripts; a word in 1 in 10
VOCABULARY = [f"w{n:03d}" for n in range(500)]


def rare_positions(heavy_count: int) -> set[int]:
    """Five of the heavy user's completed jobs, spread over their history (the heavy user's jobs are seeded first)."""
    positions = set()
    for k in range(5):
        n = heavy_count - 1 - k * (heavy_count // 5)
        while status_of(n)[0] != "completed":
            n -= 1
        positions.add(n)
    return positions


def transcript_text(n: int, rare: bool) -> str:
    """A dozen words of the vocabulary; the common word in one job in ten, the rare one where asked."""
    words = [VOCABULARY[(n * 7 + i * 31) % len(VOCABULARY)] for i in range(12)]
    if n % 10 == 3:
        words[5] = COMMON
    if rare:
        words[2] = RARE
    return " ".join(words)


def seed(url: str, users: int, per_user: int, heavy: int) -> uuid.UUID:
    """Users, one media file per job, the jobs and their transcripts, by COPY; returns the heavy user's id."""
    import psycopg

    now = datetime.now(UTC)
    heavy_id = uuid.uuid4()
    owners = [(heavy_id, heavy)] + [(uuid.uuid4(), per_user) for _ in range(users)]
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY users (id, email, password_hash, created_at, token_version) FROM STDIN") as copy:
            for i, (uid, _) in enumerate(owners):
                copy.write_row((uid, f"user{i}@example.com", "x", now, 0))
        files, jobs, transcripts = io.StringIO(), io.StringIO(), io.StringIO()
        rare = rare_positions(heavy)
        n = 0
        for uid, count in owners:
            for k in range(count):
                fid, jid = uuid.uuid4(), uuid.uuid4()
                status, stage = status_of(n)
                created = (now - timedelta(seconds=count - k)).isoformat()
                # Nothing is due: running jobs were just submitted, awaited uploads were just declared.
                waiting = stage == "waiting_for_upload"
                file_status, file_created = ("awaiting_upload", now.isoformat()) if waiting else ("uploaded", created)
                key = f"uploads/{uid}/{fid}/a.wav"
                files.write(f"{fid}\t{uid}\t{key}\ta.wav\taudio/wav\t1000\t{file_status}\t{file_created}\n")
                running = status == "processing"
                submitted, provider_id = (now.isoformat(), jid.hex) if running else ("\\N", "\\N")
                done = created if status in ("completed", "failed") else "\\N"
                jobs.write(
                    f"{jid}\t{uid}\t{fid}\ten\tmono\t{status}\t{stage}\t1\t{created}\t{submitted}\t{done}"
                    f"\t{provider_id}\n"
                )
                if status == "completed":
                    text = transcript_text(n, uid == heavy_id and k in rare)
                    transcripts.write(f"{jid}\t{text}\t[]\t[]\ten\t{done}\n")
                n += 1
        copy_into(
            cur,
            "media_files",
            "id, owner_id, object_key, filename, content_type, declared_size, status, created_at",
            files.getvalue(),
        )
        copy_into(
            cur,
            "transcription_jobs",
            "id, owner_id, media_file_id, language, mode, status, stage, attempts, created_at, submitted_at,"
            " completed_at, provider_transcript_id",
            jobs.getvalue(),
        )
        copy_into(cur, "transcripts", "job_id, text, words, utterances, language, created_at", transcripts.getvalue())
        conn.commit()
        cur.execute("ANALYZE")
    return heavy_id


def measures(url: str, heavy: uuid.UUID, runs: int) -> dict[str, float]:
    os.environ["DATABASE_URL"] = url
    from common.adapters.services import current
    from common.domain.jobs import read_path as jobs
    from common.domain.uploads import reconcile as sweep
    from common.runtime.config import get_settings
    from common.store import db
    from local.gateway.events import event_for

    get_settings.cache_clear()
    db.reset_engine()
    from functions.jobs import index as jobs_function

    claims = {"jwt": {"claims": {"sub": str(heavy), "ver": "0"}, "scopes": []}}

    def first_page() -> None:
        out = jobs_function.handler(event_for("GET", "/api/v1/jobs", query={"limit": "20"}, authorizer=claims), None)
        assert out["statusCode"] == 200, out["body"][:300]

    cursor = None
    for _ in range(99):
        cursor = jobs.list_jobs(heavy, None, 10, cursor).next_cursor
    assert cursor

    def page_100() -> None:
        query = {"limit": "10", "cursor": cursor}
        out = jobs_function.handler(event_for("GET", "/api/v1/jobs", query=query, authorizer=claims), None)
        assert out["statusCode"] == 200

    def filtered() -> None:
        query = {"limit": "20", "status": "failed"}
        out = jobs_function.handler(event_for("GET", "/api/v1/jobs", query=query, authorizer=claims), None)
        assert out["statusCode"] == 200

    def search(word: str, hits: int) -> Callable[[], None]:
        def run() -> None:
            out = jobs_function.handler(event_for("GET", "/api/v1/search", query={"q": word}, authorizer=claims), None)
            assert out["statusCode"] == 200, out["body"][:300]
            assert len(json.loads(out["body"])["items"]) == hits, out["body"][:300]

        return run

    return {
        "first page of GET /jobs": median_ms(first_page, runs),
        "page 100 through the cursor": median_ms(page_100, runs),
        "status-filtered page (heavy user)": median_ms(filtered, runs),
        "reconcile sweep (nothing due)": median_ms(lambda: sweep.reconcile(current()), runs),
        f"search: a name in 5 recordings ({RARE})": median_ms(search(RARE, 5), runs),
        f"search: a word in 1 in 10 ({COMMON})": median_ms(search(COMMON, 20), runs),
    }


def plans(url: str, heavy: uuid.UUID) -> list[str]:
    """The list queries' plans: each must read an index, none may sort the table."""
    import psycopg

    problems = []
    queries = {
        "first page": "SELECT id FROM transcription_jobs WHERE owner_id = %s "
        "ORDER BY created_at DESC, id DESC LIMIT 21",
        "keyset page": "SELECT id FROM transcription_jobs WHERE owner_id = %s AND (created_at, id) < (now(), "
        "'ffffffff-ffff-ffff-ffff-ffffffffffff') ORDER BY created_at DESC, id DESC LIMIT 11",
        "status page": "SELECT id FROM transcription_jobs WHERE owner_id = %s AND status = 'failed' "
        "ORDER BY created_at DESC, id DESC LIMIT 21",
    }
    from common.domain.transcripts.search import _PG_MATCHES

    search = "EXPLAIN (ANALYZE, BUFFERS) " + _PG_MATCHES.replace(":terms", "%s").replace(":cap", "2001")
    with psycopg.connect(url) as conn:
        plan = "\n".join(r[0] for r in conn.execute(search, (RARE,)).fetchall())
        if "ix_transcripts_search" not in plan or "Seq Scan on transcripts" in plan:
            problems.append(f"search:\n{plan}")
        print(f"  plan of the search: {'GIN index' if 'ix_transcripts_search' in plan else 'NO INDEX'}")
        for name, sql in queries.items():
            plan = "\n".join(r[0] for r in conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", (heavy,)).fetchall())
            if "Index" not in plan or "Seq Scan on transcription_jobs" in plan or "Sort" in plan:
                problems.append(f"{name}:\n{plan}")
            scan = next((line.strip() for line in plan.splitlines() if "Scan" in line), plan.splitlines()[0])
            print(f"  plan of the {name}: {scan}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--heavy", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.update(HANDLER_ENV)
    from common.store.migrate import upgrade

    results: dict[str, dict[str, float]] = {}
    problems: list[str] = []
    sizes = (("1,000 jobs", 0, 1_000), (f"{args.users * 100 + args.heavy:,} jobs", args.users, args.heavy))
    for label, users, heavy in sizes:
        with postgres_database() as url:
            upgrade(url)
            started = time.perf_counter()
            heavy_id = seed(url, users, 100, heavy)
            print(f"{label}: seeded in {time.perf_counter() - started:.0f} s", flush=True)
            results[label] = measures(url, heavy_id, args.runs)
            found = plans(url, heavy_id)
            problems += found if users else []  # judged at scale only (see the docstring)
            from common.store import db

            db.reset_engine()
    small, large = results.values()
    print(f"\n{'measure (median ms)':<38}{'1,000 jobs':>12}{'large':>12}{'ratio':>8}")
    worst = 0.0
    for name in small:
        ratio = large[name] / small[name]
        worst = max(worst, ratio)
        print(f"{name:<38}{small[name]:>12.2f}{large[name]:>12.2f}{ratio:>7.2f}x")
    for problem in problems:
        print(f"PLAN PROBLEM: {problem}")
    verdict = "ok" if not problems else "NOT ok"
    print(f"worst ratio {worst:.2f}x (target <= 1.3x); plans {verdict}")
    sys.exit(0 if worst <= 1.3 and not problems else 1)


if __name__ == "__main__":
    main()
