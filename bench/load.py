"""Load through the local gateway: N concurrent users sign up, upload, create a job and poll it to completion.

Reports requests per second, p50/p99 per request, errors (target: 0), and the most PostgreSQL connections the
run held at once. Bounded: each user does one full flow. Run: .venv/bin/python bench/load.py [--users 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from harness import cloud, postgres_database

latencies: list[float] = []
errors: list[str] = []
lock = threading.Lock()


def call(
    method: str,
    url: str,
    body: object = None,
    token: str | None = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> dict:
    hdrs = dict(headers or {})
    if body is not None:
        hdrs["Content-Type"] = "application/json"
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, method=method, headers=hdrs), timeout=60
        ) as res:
            out = res.read()
    except (urllib.error.URLError, TimeoutError) as exc:
        with lock:
            errors.append(f"{method} {url.split('?')[0]}: {exc}")
        raise
    with lock:
        latencies.append((time.perf_counter() - start) * 1000)
    return json.loads(out) if out and out[:1] in (b"{", b"[") else {}


def user_flow(base: str, wav: bytes) -> float:
    start = time.perf_counter()
    token = call(
        "POST",
        f"{base}/api/v1/auth/register",
        {"email": f"load-{uuid.uuid4().hex[:10]}@example.com", "password": "load test pw"},
    )["access_token"]
    declared = call(
        "POST", f"{base}/api/v1/files", {"filename": "l.wav", "content_type": "audio/wav", "size": len(wav)}, token
    )
    job = call("POST", f"{base}/api/v1/jobs", {"file_id": declared["file"]["id"], "mode": "dialogue"}, token)
    call("PUT", declared["upload"]["url"], raw=wav, headers=declared["upload"]["headers"])
    deadline = time.monotonic() + 120
    while call("GET", f"{base}/api/v1/jobs/{job['id']}", token=token)["status"] not in ("completed", "failed"):
        if time.monotonic() > deadline:
            raise TimeoutError(job["id"])
        time.sleep(0.2)
    call("GET", f"{base}/api/v1/jobs/{job['id']}/transcript?format=srt", token=token)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=30)
    args = parser.parse_args()
    import psycopg

    from local.assemblyai.media import dialogue_script, make_wav

    script = dialogue_script([("A", "Load testing is fun."), ("B", "Until it is not.")], 5.0)
    wav = make_wav(script, 5.0)
    with postgres_database() as url, cloud(url, BCRYPT_ROUNDS="10") as c:
        peak, stop = [0], threading.Event()
        dbname = url.rsplit("/", 1)[1]

        def watch() -> None:
            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                while not stop.is_set():
                    n = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (dbname,)).fetchone()
                    peak[0] = max(peak[0], int(n[0]) if n else 0)
                    time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.users) as pool:
            flows = list(pool.map(lambda _: user_flow(c.url, wav), range(args.users)))
        wall = time.perf_counter() - start
        stop.set()
        watcher.join()
    lat = sorted(latencies)
    p99 = lat[int(0.99 * (len(lat) - 1))]
    print(f"{args.users} concurrent users, one full flow each (bcrypt 10 rounds), {len(lat)} requests in {wall:.1f} s")
    print(
        f"  throughput {len(lat) / wall:.0f} req/s; per request p50 {statistics.median(lat):.0f} ms, "
        f"p99 {p99:.0f} ms; errors {len(errors)}"
    )
    print(f"  whole flow (sign-up → transcript): p50 {statistics.median(flows):.1f} s, max {max(flows):.1f} s")
    print(f"  PostgreSQL connections held at most: {peak[0]} (pool 10 + overflow 10 in this one process)")
    assert not errors, errors[:5]


if __name__ == "__main__":
    main()
