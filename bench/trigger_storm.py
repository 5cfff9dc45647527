"""Trigger storm: 1,000 upload events with duplicates and reordering, concurrently, against real PostgreSQL.

Files are declared and their jobs created, objects uploaded with the storage trigger paused, then every
file's event is delivered 3-4 times in shuffled order from 8 threads (as a redelivering trigger would).
Checks: no job is submitted twice, and after one reconcile pass no job is stuck. Run: .venv/bin/python
bench/trigger_storm.py [--files 300]
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from harness import cloud, postgres_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    from sqlalchemy import func, select

    from common.store.db import transaction
    from common.store.models import TranscriptionJob
    from local.assemblyai.media import make_wav, mono_script
    from local.storage import object_create_message
    from tests.api import signed_up
    from tests.pipeline.helpers import declare, put_bytes

    wav = make_wav(mono_script("storm", 1.0), 1.0)
    with postgres_database() as url, cloud(url, MAX_PARALLEL_TRANSCRIPTIONS="20") as c:
        from functions.upload_trigger.index import handler  # after the cloud has set the environment

        api = signed_up(f"storm-{uuid.uuid4().hex[:6]}@example.com")
        c.pause_triggers()
        keys = []
        for _ in range(args.files):
            declared = declare(api, wav)
            api.post("/api/v1/jobs", {"file_id": declared["file"]["id"]})
            put_bytes(declared, wav)
            keys.append(declared["upload"]["url"].split("?")[0].split("/", 4)[4])
        events = [keys[i % len(keys)] for i in range(args.events)]
        random.Random(7).shuffle(events)
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda key: handler({"messages": [object_create_message(c.bucket, key)]}, None), events))
        delivered = time.perf_counter() - start
        c.resume_triggers()  # the paused emulator's own events arrive late, too
        deadline = time.monotonic() + 300
        while True:
            c.run_reconcile()
            with transaction() as s:
                open_jobs = (
                    s.scalar(
                        select(func.count())
                        .select_from(TranscriptionJob)
                        .where(TranscriptionJob.status.in_(("pending", "processing")))
                    )
                    or 0
                )
            if not open_jobs or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        settled = time.perf_counter() - start
        submissions = c.assemblyai.stats["submissions"]
    print(
        f"{args.events} events for {args.files} files ({args.events / args.files:.1f}x duplicated, shuffled, "
        f"8 threads): delivered in {delivered:.1f} s ({args.events / delivered:.0f} events/s)"
    )
    print(
        f"  submissions to AssemblyAI: {submissions} for {args.files} jobs → double submissions: "
        f"{submissions - args.files}"
    )
    print(f"  jobs still open after reconcile: {open_jobs}; all settled {settled:.1f} s after the first event")
    assert submissions == args.files and open_jobs == 0


if __name__ == "__main__":
    main()
