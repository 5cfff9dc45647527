"""Faults with the timer on: AssemblyAI failing or slow, webhooks never sent, PostgreSQL restarted mid-run.

Each scenario starts N jobs, breaks something, and waits until every job ends `completed` or `failed` (with a
message); it reports how many of each, how many were lost (none may be), and how long recovery took.
Restarts the machine's PostgreSQL cluster (pg_ctlcluster) in the last scenario. Run by hand:
.venv/bin/python bench/faults.py [--jobs 20]
"""

from __future__ import annotations

import argparse
import subprocess
import threading
import time
import uuid
from pathlib import Path

from harness import cloud, postgres_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=20)
    args = parser.parse_args()
    from local.assemblyai.media import make_wav, mono_script

    wav = make_wav(mono_script("fault tolerance", 2.0), 2.0)
    env = {
        "RETRY_BASE_SECONDS": "1",
        "SUBMIT_MAX_ATTEMPTS": "8",
        "SILENT_AFTER_SECONDS": "3",
        "POLL_INTERVAL_SECONDS": "1",
        "CLAIM_TIMEOUT_SECONDS": "5",
        "ASSEMBLYAI_TIMEOUT_SECONDS": "2",
        "MAX_PARALLEL_TRANSCRIPTIONS": "10",
    }
    with postgres_database() as url, cloud(url, **env) as c:
        c.timer.interval_s = 1.0
        c.timer.start()
        from tests.api import signed_up
        from tests.pipeline.helpers import declare, put_bytes

        api = signed_up(f"faults-{uuid.uuid4().hex[:6]}@example.com")
        declared = declare(api, wav)
        put_bytes(declared, wav)
        c.wait_idle()

        def run(name: str, faults: list[dict], during: object = None) -> None:
            c.assemblyai.reset()
            for rule in faults:
                c.assemblyai.faults.add(rule)
            start = time.perf_counter()
            jobs = [api.post("/api/v1/jobs", {"file_id": declared["file"]["id"]}).json["id"] for _ in range(args.jobs)]
            if callable(during):
                during()
            deadline = time.monotonic() + 300
            while True:
                try:
                    states = [api.get(f"/api/v1/jobs/{j}").json for j in jobs]
                except Exception:  # the database may be restarting: ask again
                    time.sleep(0.5)
                    continue
                if all(s["status"] in ("completed", "failed") for s in states) or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            took = time.perf_counter() - start
            done = sum(s["status"] == "completed" for s in states)
            failed = [s for s in states if s["status"] == "failed"]
            lost = len(states) - done - len(failed)
            assert all(s["error_message"] for s in failed)
            print(
                f"{name}: {done} completed, {len(failed)} failed (with a message), {lost} lost; "
                f"all settled in {took:.1f} s; submissions {c.assemblyai.stats['submissions']}"
            )

        run(
            "AssemblyAI 503 x15, 429 x5, 3 s stalls x3 on submit",
            [
                {"op": "submit", "status": 503, "times": 15},
                {"op": "submit", "status": 429, "times": 5},
                {"op": "submit", "delay_s": 3.0, "times": 3},
            ],
        )
        run("webhooks never sent", [{"op": "webhook", "mode": "drop", "times": 1000}])

        def restart_postgres() -> None:
            def go() -> None:
                time.sleep(0.3)
                version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
                subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)

            threading.Thread(target=go, daemon=True).start()

        run(
            "PostgreSQL restarted mid-run (provider takes 1 s)",
            [{"op": "processing", "delay_s": 1.0, "times": 1000}],
            restart_postgres,
        )


if __name__ == "__main__":
    main()
