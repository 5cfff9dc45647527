"""Pipeline throughput and overhead on real PostgreSQL with the local AssemblyAI server.

1. Webhooks ingested per second: N transcripts finish at the provider with their webhooks held back; then the
   webhook function ingests all N in one process (re-fetch by id, store words and utterances, complete the job,
   delete the provider copy).
2. Upload-complete → job-completed, minus engine time: the moment the presigned PUT returns until the job reads
   completed, with the engine's own processing time (a fixed 0 ms in the deterministic engine) taken out.

Run: .venv/bin/python bench/pipeline.py [--webhooks 300] [--latency-runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from harness import cloud, postgres_database, webhook_events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--webhooks", type=int, default=300)
    parser.add_argument("--latency-runs", type=int, default=30)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from common.store.db import transaction
    from common.store.models import TranscriptionJob
    from local.assemblyai.media import dialogue_script, make_wav
    from tests.api import Api, signed_up
    from tests.pipeline.helpers import declare, put_bytes

    limits = {"MAX_ACTIVE_JOBS_PER_USER": "100000", "MAX_PARALLEL_PER_USER": "1000"}  # one user submits them all
    with postgres_database() as url, cloud(url, **limits) as c:
        script = dialogue_script([("A", "Benchmarks tell the truth."), ("B", "Sometimes.")], 3.0)
        script["processing_ms"] = 0
        wav = make_wav(script, 3.0)
        api: Api = signed_up(f"bench-{uuid.uuid4().hex[:6]}@example.com")

        # 1. webhook ingestion
        declared = declare(api, wav)
        put_bytes(declared, wav)
        file_id = declared["file"]["id"]
        c.wait_idle()
        c.assemblyai.faults.add({"op": "webhook", "mode": "drop", "times": args.webhooks})
        jobs = [
            api.post("/api/v1/jobs", {"file_id": file_id, "mode": "dialogue"}).json["id"] for _ in range(args.webhooks)
        ]
        c.assemblyai.wait_idle(120)
        with transaction() as s:
            pairs = s.execute(select(TranscriptionJob.id, TranscriptionJob.provider_transcript_id)).all()
        from functions.assemblyai_webhook.index import handler

        events = webhook_events(pairs)
        start = time.perf_counter()
        for event in events:
            assert handler(event, None)["statusCode"] == 200
        elapsed = time.perf_counter() - start
        with transaction() as s:
            done = s.scalar(
                select(func.count()).select_from(TranscriptionJob).where(TranscriptionJob.status == "completed")
            )
        assert done == len(jobs), done
        print(
            f"webhooks ingested: {len(events)} in {elapsed:.2f} s = {len(events) / elapsed:.0f}/s "
            f"({elapsed / len(events) * 1000:.1f} ms each, one process)"
        )

        # 2. upload-complete → completed
        samples = []
        for _ in range(args.latency_runs):
            declared = declare(api, wav)
            job = api.post("/api/v1/jobs", {"file_id": declared["file"]["id"], "mode": "dialogue"}).json
            put_bytes(declared, wav)
            put_done = time.perf_counter()
            while api.get(f"/api/v1/jobs/{job['id']}").json["status"] != "completed":
                time.sleep(0.002)
            samples.append((time.perf_counter() - put_done) * 1000)  # engine time is 0 ms by the script
        samples.sort()
        p95 = samples[int(0.95 * (len(samples) - 1))]
        print(
            f"upload-complete → completed, minus engine time ({len(samples)} runs): "
            f"p50 {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms, max {samples[-1]:.0f} ms"
        )


if __name__ == "__main__":
    main()
