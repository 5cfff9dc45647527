"""Claims under contention (issue #14, target 5): how fast N processes take 1,000 queued jobs into processing.

A throwaway PostgreSQL database with 1,000 queued jobs of 100 users. Each process loops on the pipeline's own claim
(`transitions.claim`: one advisory-locked transaction that counts slots, picks the fairest ready job and claims it),
marks it submitted with a made-up provider id and completes it at once (slots turn over, as webhooks make them),
until nothing is left. Run with 1 and with 8 processes:
if 8 are no faster than 1, the global lock is the bottleneck. Every job must be claimed exactly once.

`--rtt-ms N` adds N ms before every statement and commit, as a database across a network would (the cloud's is a
managed cluster behind a pooler, ~0.5-1 ms away; here it is on loopback): whatever a claim holds while it waits on
the network, every other claim waits for too.

Run: .venv/bin/python bench/claims.py [--jobs 1000] [--processes 8] [--rtt-ms 1]   (bounded: about a minute)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
import uuid
from datetime import UTC, datetime

from harness import postgres_database

SLOTS = 50  # provider slots: as MAX_PARALLEL_TRANSCRIPTIONS


def seed(url: str, jobs: int, users: int = 100) -> None:
    import psycopg

    now = datetime.now(UTC)
    owners = [uuid.uuid4() for _ in range(users)]
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY users (id, email, password_hash, created_at, token_version) FROM STDIN") as copy:
            for i, uid in enumerate(owners):
                copy.write_row((uid, f"u{i}@example.com", "x", now, 0))
        files, rows = [], []
        for n in range(jobs):
            fid, owner = uuid.uuid4(), owners[n % users]
            files.append((fid, owner, f"uploads/{owner}/{fid}/a.wav", "a.wav", "audio/wav", 10, "uploaded", now))
            rows.append((uuid.uuid4(), owner, fid, "en", "mono", "pending", "queued", 0, now))
        with cur.copy(
            "COPY media_files (id, owner_id, object_key, filename, content_type, declared_size, status, created_at)"
            " FROM STDIN"
        ) as copy:
            for row in files:
                copy.write_row(row)
        with cur.copy(
            "COPY transcription_jobs (id, owner_id, media_file_id, language, mode, status, stage, attempts, created_at)"
            " FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute("ANALYZE")


def add_latency(rtt_ms: float) -> None:
    """Every statement and commit waits `rtt_ms` first: a network round trip, on a database that is local here."""
    from sqlalchemy import event

    from common.store.db import get_engine

    pause = rtt_ms / 1000

    def wait(*_: object) -> None:
        time.sleep(pause)

    event.listen(get_engine(), "before_cursor_execute", wait)
    event.listen(get_engine(), "commit", wait)


def worker(url: str, claimed: multiprocessing.Queue, rtt_ms: float = 0) -> None:  # type: ignore[type-arg]
    os.environ["DATABASE_URL"] = url
    if rtt_ms:
        add_latency(rtt_ms)
    from sqlalchemy import update

    from common.domain.pipeline import transitions
    from common.store.db import transaction
    from common.store.models import TranscriptionJob, utcnow

    mine = []
    from common.store.db import get_engine

    with get_engine().connect():  # connect before the clock starts: process start-up is not what is measured
        pass
    started = time.time()
    while True:
        with transaction() as s:
            claim = transitions.claim(s, utcnow(), limit=SLOTS, per_user=3)
        if claim is None:
            break
        with transaction() as s:
            assert transitions.mark_submitted(s, claim.job_id, claim.token, f"t-{claim.job_id.hex}", utcnow())
            # The provider finishes at once (a webhook would): slots turn over, as they do in real operation.
            s.execute(update(TranscriptionJob).where(TranscriptionJob.id == claim.job_id).values(status="completed"))
        mine.append(str(claim.job_id))
    claimed.put((started, time.time(), mine))


def run(url: str, processes: int, rtt_ms: float = 0) -> tuple[float, list[str]]:
    ctx = multiprocessing.get_context("spawn")
    claimed = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(url, claimed, rtt_ms)) for _ in range(processes)]
    for p in procs:
        p.start()
    results = [claimed.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    span = max(end for _, end, _ in results) - min(start for start, _, _ in results)
    return span, [job for _, _, ids in results for job in ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--rtt-ms", type=float, default=0, help="simulated network round trip per statement")
    args = parser.parse_args()
    os.environ.update({"ENV": "test", "DOTENV_PATH": "/nonexistent", "DB_POOL_SIZE": "1"})
    from common.store.migrate import upgrade

    rates = {}
    for processes in (1, args.processes):
        with postgres_database() as url:
            upgrade(url)
            seed(url, args.jobs)
            seconds, ids = run(url, processes, args.rtt_ms)
            assert len(ids) == len(set(ids)) == args.jobs, (len(ids), len(set(ids)))  # each job exactly once
            rates[processes] = args.jobs / seconds
            print(
                f"{processes} process(es): {args.jobs} claims in {seconds:.2f} s = {rates[processes]:.0f}/s, "
                f"each job claimed once",
                flush=True,
            )
    print(f"{args.processes} processes vs 1: {rates[args.processes] / rates[1]:.2f}x the claims per second")


if __name__ == "__main__":
    main()
