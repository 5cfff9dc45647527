"""Cold starts, measured: per function, a fresh interpreter → first 2xx, beside importing every dependency.

Each sample is a new `python` process (as a new Cloud Functions container would be): it imports the
function's handler and answers one representative request against real local services (a migrated SQLite
file, moto's S3 server over HTTP, the local AssemblyAI server). Wall time is taken by the parent from spawn
to exit, so interpreter start-up counts. The baseline process imports every third-party dependency the
project has (boto3, assemblyai, sqlalchemy, psycopg, pydantic, jwt + cryptography, bcrypt) and does nothing else.

Ratios are taken side by side in one run (issue #14): a function's cold import against the design card's packages
(boto3, assemblyai, pydantic, sqlalchemy.orm, psycopg, jwt, bcrypt), and its first answered request (import,
connect, query, answer) against those imports plus one raw psycopg connect-and-query, on a real PostgreSQL.

`--code zip` runs each function from its unzipped deploy zip, with the bytecode the zip ships (as the python312 runtime
imports it); `--code source` (the default) from the source tree, compiling our modules on every start
(PYTHONDONTWRITEBYTECODE=1): what the runtime would do without shipped bytecode.

Run: .venv/bin/python bench/cold_start.py [--runs 7] [--code source|zip]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, sys, time
t0 = time.perf_counter()
import importlib
module = importlib.import_module(f"functions.{sys.argv[1]}.index")
t1 = time.perf_counter()
out = module.handler(json.loads(sys.argv[2]), None)
t2 = time.perf_counter()
status = out.get("statusCode", 200) if isinstance(out, dict) else 200
mods = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"import_ms": (t1 - t0) * 1000, "call_ms": (t2 - t1) * 1000, "status": status,
                  "boto3": "boto3" in mods, "assemblyai": "assemblyai" in mods}))
"""

# The design card's packages, as issue #14 measures them; then the same plus one raw psycopg connect-and-query.
BASELINE = """
import json, sys, time
t0 = time.perf_counter()
import boto3, assemblyai, pydantic, sqlalchemy.orm, psycopg, jwt, bcrypt
t1 = time.perf_counter()
with psycopg.connect(sys.argv[1]) as conn:
    conn.execute("SELECT 1").fetchone()
t2 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1000, "query_ms": (t2 - t0) * 1000}))
"""

# The floor of any function that reads the database with the card's libraries: SQLAlchemy Core's engine on psycopg,
# one connect-and-query, nothing of ours (no models, no pydantic, no boto3).
FLOOR = """
import json, sys, time
t0 = time.perf_counter()
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1].replace("postgresql://", "postgresql+psycopg://", 1))
with engine.connect() as conn:
    conn.execute(text("SELECT 1")).scalar()
print(json.dumps({"query_ms": (time.perf_counter() - t0) * 1000}))
"""


def gateway_event(
    method: str,
    path: str,
    token: str | None = None,
    body: object = None,
    query: dict[str, str] | None = None,
) -> dict:
    """The payload-1.0 event API Gateway sends, with the JWT authorizer's claims for a signed-in caller."""
    import jwt

    from local.gateway.authorizer import claim_string
    from local.gateway.events import event_for

    authorizer = None
    if token:  # what the gateway's authorizer hands the function once it has verified the token
        claims = jwt.decode(token, options={"verify_signature": False})
        authorizer = {"jwt": {"claims": {k: claim_string(v) for k, v in claims.items()}, "scopes": []}}
    return event_for(method, path, json_body=body, query=query, authorizer=authorizer)


def spawn(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"child failed: {proc.stderr[-2000:]}")
    lines = proc.stdout.strip().splitlines()
    return wall, lines[-1] if lines else ""


def unzipped_functions() -> dict[str, Path]:
    """Each function's deploy zip (scripts/build_functions.py), unzipped into a directory of its own."""
    import tempfile

    sys.path.insert(0, str(ROOT / "scripts"))
    from build_functions import entries, function_names

    base = Path(tempfile.mkdtemp(prefix="cold-start-zips-"))
    dirs = {}
    for name in function_names():
        for arcname, content in entries(name).items():
            target = base / name / arcname
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        dirs[name] = base / name
    return dirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--code", choices=["source", "zip"], default="source")
    args = parser.parse_args()
    code_dirs = unzipped_functions() if args.code == "zip" else {}

    from harness import postgres_database

    from common.domain.accounts.jwks import new_private_key_pem
    from local.assemblyai.server import AssemblyAIServer
    from local.storage import S3Server

    database = postgres_database()
    db_url = database.__enter__()  # a throwaway PostgreSQL database: "first request" includes a real connect
    s3 = S3Server("127.0.0.1", 0, "bench", "ru-central1", lambda bucket, key: None)
    s3.start()
    aai = AssemblyAIServer(host="127.0.0.1", port=0, api_key="bench-key", engine="deterministic")
    aai.start()
    env = {
        **os.environ,
        "ENV": "test",
        "DATABASE_URL": db_url,
        "JWT_PRIVATE_KEY": new_private_key_pem(),
        "JWT_KEY_ID": "bench-1",
        "S3_ENDPOINT_URL": s3.endpoint,
        "S3_BUCKET": "bench",
        "S3_ACCESS_KEY_ID": "local",  # the local S3 verifies signatures with its one key
        "S3_SECRET_ACCESS_KEY": "local",
        "ASSEMBLYAI_API_KEY": "bench-key",
        "ASSEMBLYAI_BASE_URL": aai.base_url,
        "WEBHOOK_SECRET": "bench-webhook",
        "PUBLIC_BASE_URL": "http://127.0.0.1:9",
        "MAIL_FROM": "bench@example.invalid",  # `auth` checks its mail settings at cold start; GET /me sends none
        "MAIL_ACCESS_KEY_ID": "bench",
        "MAIL_SECRET_ACCESS_KEY": "bench",
        "BCRYPT_ROUNDS": "4",
        "DOTENV_PATH": "/nonexistent",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    os.environ.update(env)
    from common.domain.accounts import accounts
    from common.domain.schemas import Registration
    from common.runtime.config import get_settings
    from common.store.migrate import upgrade

    upgrade(db_url)
    get_settings.cache_clear()
    token = accounts.register(
        Registration(email="bench@example.com", password="bench password"), get_settings()
    ).access_token

    cases = {
        "auth": gateway_event("GET", "/api/v1/auth/me", token),
        "files": gateway_event(
            "POST",
            "/api/v1/files",
            token,
            {"filename": "a.wav", "content_type": "audio/wav", "size": 1000},
        ),
        "jobs": gateway_event("GET", "/api/v1/jobs", token),
        "assemblyai_webhook": {
            **gateway_event(
                "POST",
                "/api/v1/webhooks/assemblyai",
                None,
                {"transcript_id": "unknown", "status": "completed"},
                {"job_id": str(uuid.uuid4())},
            ),
            "headers": {"Content-Type": "application/json", "X-Transcribe-Webhook-Secret": "bench-webhook"},
        },
        "upload_trigger": {
            "messages": [
                {
                    "event_metadata": {"event_id": "e1", "event_type": "yandex.cloud.events.storage.ObjectCreate"},
                    "details": {"bucket_id": "bench", "object_id": "uploads/nobody/none/x.wav"},
                }
            ]
        },
        "reconcile": {
            "messages": [
                {
                    "event_metadata": {
                        "event_id": "t1",
                        "event_type": "yandex.cloud.events.serverless.triggers.TimerMessage",
                    },
                    "details": {"trigger_id": "bench"},
                }
            ]
        },
    }
    # Interleaved: each round runs the baseline and every function once, so machine noise hits all alike.
    base_rows: list[dict[str, float]] = []
    floor_rows: list[dict[str, float]] = []
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in cases}
    for _ in range(args.runs):
        base_rows.append(json.loads(spawn(["-c", BASELINE, db_url], env)[1]))
        floor_rows.append(json.loads(spawn(["-c", FLOOR, db_url], env)[1]))
        for name, event in cases.items():
            cwd = code_dirs.get(name, ROOT)
            rows[name].append(json.loads(spawn(["-c", CHILD, name, json.dumps(event)], env, cwd)[1]))
    base_import = statistics.median(r["import_ms"] for r in base_rows)
    base_query = statistics.median(r["query_ms"] for r in base_rows)
    floor = statistics.median(r["query_ms"] for r in floor_rows)

    print(
        f"runs per row: {args.runs} (medians, ms, interleaved); Python {sys.version.split()[0]}; PostgreSQL; "
        "code from the " + ("deploy zips (shipped bytecode)" if code_dirs else "source tree (compiled per start)")
    )
    print(f"baseline: card packages {base_import:.0f} ms; plus a psycopg connect-and-query {base_query:.0f} ms")
    print(
        f"floor: SQLAlchemy Core + psycopg, connect and query, nothing of ours {floor:.0f} ms "
        f"({floor / base_query:.2f}x of baseline + query)"
    )
    header = f"{'function':<20}{'import':>8}{'ratio':>7}{'1st answer':>12}{'ratio':>7}  status  loads boto3/assemblyai"
    print(header)
    worst_import = worst_first = 0.0
    for name, results in rows.items():
        statuses = {r["status"] for r in results}
        assert statuses <= {200, 201}, (name, statuses)
        imp = statistics.median(r["import_ms"] for r in results)
        first = statistics.median(r["import_ms"] + r["call_ms"] for r in results)
        worst_import, worst_first = max(worst_import, imp / base_import), max(worst_first, first / base_query)
        loads = f"{'yes' if results[0]['boto3'] else 'no'}/{'yes' if results[0]['assemblyai'] else 'no'}"
        print(
            f"{name:<20}{imp:>8.0f}{imp / base_import:>6.2f}x{first:>12.0f}{first / base_query:>6.2f}x"
            f"  {sorted(statuses)[0]:>6}  {loads}"
        )
    aai.stop()
    s3.stop()
    from common.store.db import reset_engine

    reset_engine()
    database.__exit__(None, None, None)
    print(f"worst: import {worst_import:.2f}x (target <= 0.35x), first answer {worst_first:.2f}x (target <= 0.5x)")


if __name__ == "__main__":
    main()
