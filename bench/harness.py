"""Shared by the benchmarks: a throwaway PostgreSQL database and a LocalCloud on free ports."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DOTENV_PATH", "/nonexistent")


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    admin = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"transcribe_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Settings for calling handlers in-process against a database alone: every capability the functions check at cold start
# is present, and the services nothing here calls point nowhere.
HANDLER_ENV = {
    "ENV": "test",
    "DOTENV_PATH": "/nonexistent",
    "S3_BUCKET": "bench",
    "S3_ACCESS_KEY_ID": "k",
    "S3_SECRET_ACCESS_KEY": "s",
    "ASSEMBLYAI_API_KEY": "k",
    "ASSEMBLYAI_BASE_URL": "http://127.0.0.1:9",
    "WEBHOOK_SECRET": "w",
    "PUBLIC_BASE_URL": "http://127.0.0.1:9",
}


def webhook_events(pairs: Iterable[tuple[Any, str]]) -> list[dict[str, Any]]:
    """AssemblyAI's notification for each (job id, transcript id), as the gateway hands it to the webhook function."""
    from common.adapters.assemblyai import WEBHOOK_PATH, WEBHOOK_SECRET_HEADER
    from local.gateway.events import event_for

    return [
        event_for(
            "POST",
            WEBHOOK_PATH,
            query={"job_id": str(job_id)},
            json_body={"transcript_id": transcript_id, "status": "completed"},
            headers={WEBHOOK_SECRET_HEADER: os.environ["WEBHOOK_SECRET"]},
        )
        for job_id, transcript_id in pairs
    ]


def copy_into(cur: Any, table: str, columns: str, rows: str) -> None:
    """COPY tab-separated `rows` (text format: \\N is NULL) into `table`'s `columns`: how the benches seed millions."""
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(rows)


MEDIA_COLUMNS = (
    "id, owner_id, object_key, filename, content_type, declared_size, uploaded_size, status, created_at, uploaded_at"
)
TRANSCRIPT_COLUMNS = "job_id, text, utterances, words, language, audio_duration, confidence, created_at"


def copy_history(cur: Any, files: str, jobs: str, job_columns: str, transcripts: str) -> None:
    """Seeded history in COPY's text format: media files (`MEDIA_COLUMNS`), their jobs (`job_columns`, which differ by
    what a bench needs) and the jobs' transcripts (`TRANSCRIPT_COLUMNS`)."""
    copy_into(cur, "media_files", MEDIA_COLUMNS, files)
    copy_into(cur, "transcription_jobs", job_columns, jobs)
    copy_into(cur, "transcripts", TRANSCRIPT_COLUMNS, transcripts)


@contextmanager
def cloud(database_url: str, **env: str) -> Iterator[object]:
    import logging

    from local.cloud import LocalCloud
    from tests import api

    logging.getLogger("transcribe").setLevel(logging.WARNING)  # one line per event is too many for a benchmark
    extra = {"BCRYPT_ROUNDS": "4", "MAX_PARALLEL_TRANSCRIPTIONS": "1000", "DB_POOL_SIZE": "10", **env}
    with LocalCloud(
        port=0,
        s3_port=0,
        assemblyai_port=0,
        mail_port=0,
        data_dir=tempfile.mkdtemp(prefix="bench-"),
        database_url=database_url,
        engine="deterministic",
        reconcile_interval_s=0,
        webhook_retry_interval_s=0.2,
        extra_env=extra,
    ) as running:
        api.GATEWAY = running.gateway  # tests.api's clients drive this cloud's gateway code, as the tests' do
        try:
            yield running
        finally:
            api.GATEWAY = None


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    """The median of `runs` timed calls, in ms, after one untimed call: the measures are of a warm container."""
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)
