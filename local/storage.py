"""Object Storage on one machine: moto's S3 server over HTTP, and the ObjectCreate trigger it would fire.

Successful uploads under `uploads/` (a PUT, or a completed multipart upload) become Yandex Object Storage
trigger events, delivered in batches to `functions/upload_trigger` and retried when the function fails,
like the real trigger's retry settings; after the last attempt the event is logged as dead-lettered.
Given a data directory, both keep what the cloud keeps durably: the objects and open multipart uploads
(`local.s3_files`) and the events not yet delivered, each on disk before the request that caused it is answered.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from werkzeug.serving import BaseWSGIServer, make_server

from common.domain.uploads.keys import UPLOAD_PREFIX
from common.edge.events import OBJECT_CREATE
from local.durable_files import remove, write_atomically
from local.s3_files import S3Files, WriteThrough

Log = Callable[[str], None]
ACCESS_KEY = SECRET_KEY = "local"  # the only key pair this Object Storage knows


def object_create_message(bucket: str, key: str) -> dict[str, Any]:
    return {
        "event_metadata": {
            "event_id": str(uuid.uuid4()),
            "event_type": OBJECT_CREATE,
            "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "cloud_id": "local",
            "folder_id": "local",
            "tracing_context": {},
        },
        "details": {"bucket_id": bucket, "object_id": key},
    }


class UploadWatcher:
    """WSGI middleware: after S3 answers 200 to an upload into the bucket's uploads/ prefix, report the key."""

    def __init__(self, app: Any, bucket: str, on_created: Callable[[str, str], None]) -> None:
        self.app, self.bucket, self.on_created = app, bucket, on_created

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen: dict[str, int] = {}

        def recording_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        body = list(self.app(environ, recording_start))  # complete the S3 call before announcing it
        method, query = environ["REQUEST_METHOD"], parse_qs(environ.get("QUERY_STRING", ""))
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")  # WSGI strings are latin-1
        bucket, _, key = path.lstrip("/").partition("/")
        whole_object = (method == "PUT" and "partNumber" not in query) or (method == "POST" and "uploadId" in query)
        if seen.get("status") == 200 and whole_object and bucket == self.bucket and key.startswith(UPLOAD_PREFIX):
            self.on_created(bucket, key)
        return body


class TriggerQueue:
    """At-least-once delivery of storage events to a function, with batching, retries and a dead-letter log.

    With a folder, each event is a file there from `put` until its batch is delivered or dead-lettered (then it
    moves to `dead-letters/`), and `start` sends again whatever an earlier run left, as the trigger service would.
    """

    def __init__(
        self,
        deliver: Callable[[dict[str, Any]], Any],
        log: Log,
        batch_size: int = 10,
        batch_cutoff_s: float = 0.05,
        retry_attempts: int = 5,
        retry_interval_s: float = 1.0,
        folder: Path | None = None,
    ) -> None:
        self._deliver, self._log = deliver, log
        self.batch_size, self.batch_cutoff_s = batch_size, batch_cutoff_s
        self.retry_attempts, self.retry_interval_s = retry_attempts, retry_interval_s
        self.folder = folder
        self._pending: deque[tuple[dict[str, Any], Path | None]] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._paused = False
        self._stopped = False
        self.dead_letters: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._run, name="storage-trigger", daemon=True)

    def start(self) -> None:
        if self.folder and self.folder.is_dir():
            left = sorted(p for p in self.folder.iterdir() if p.is_file() and p.suffix == ".json")
            with self._cond:
                self._pending.extend((json.loads(path.read_text()), path) for path in left)
            if left:
                self._log(f"trigger: {len(left)} event(s) from before the restart to deliver")
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def put(self, message: dict[str, Any]) -> None:
        path = None
        if self.folder:  # on disk before the upload's answer goes out: the event outlives a crash from then on
            path = self.folder / f"{time.time_ns():020d}-{message['event_metadata']['event_id']}.json"
            write_atomically(path, [json.dumps(message).encode()])
        with self._cond:
            self._pending.append((message, path))
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self._pending and not self._paused) or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("storage trigger did not drain in time")
                self._cond.wait(remaining)

    def _next_batch(self) -> list[tuple[dict[str, Any], Path | None]] | None:
        with self._cond:
            while not self._stopped and (self._paused or not self._pending):
                self._cond.wait(0.5)
            if self._stopped:
                return None
            self._busy = True
        time.sleep(self.batch_cutoff_s)  # like the trigger's batch cutoff: let a burst share one call
        with self._cond:
            batch = [self._pending.popleft() for _ in range(min(self.batch_size, len(self._pending)))]
        return batch

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            event = {"messages": [message for message, _ in batch]}
            dead = False
            for attempt in range(1, self.retry_attempts + 1):
                try:
                    self._deliver(event)
                    break
                except Exception as exc:
                    self._log(f"trigger upload_trigger attempt={attempt} failed: {exc!r}"[:300])
                    if attempt == self.retry_attempts:
                        dead = True
                        self.dead_letters.append(event)
                        keys = [m["details"]["object_id"] for m in event["messages"]]
                        self._log(f"trigger dead-lettered after {attempt} attempts: {keys}")
                    else:
                        time.sleep(self.retry_interval_s)
            for _, path in batch:
                if path and dead:
                    (path.parent / "dead-letters").mkdir(exist_ok=True)
                    path.replace(path.parent / "dead-letters" / path.name)
                elif path:
                    remove(path)
            with self._cond:
                self._busy = False
                self._cond.notify_all()


def public_read_policy(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
        ],
    }


class S3Server:
    """moto's S3 over HTTP on a real port, with the media bucket (CORS for the browser) and its trigger."""

    def __init__(
        self,
        host: str,
        port: int,
        bucket: str,
        region: str,
        on_created: Callable[[str, str], None],
        public_read_buckets: Iterable[str] = (),
        folder: Path | None = None,
    ) -> None:
        """`folder`: where the buckets are kept across restarts; None keeps them in memory only."""
        from moto.server import create_backend_app

        from local.s3_auth import SigV4Verifier

        self.public_read_buckets = frozenset(public_read_buckets)
        # moto's S3 app itself, not its dispatcher: the dispatcher guesses the service of unsigned requests from
        # the path, and sends an anonymous GET of `<bucket>/.well-known/openid-configuration` to Cognito.
        app: Any = create_backend_app("s3")
        self.files = S3Files(folder, region) if folder else None
        if self.files:
            app = WriteThrough(app, self.files)  # inside the watcher: an upload is on disk before it is announced
        watcher = UploadWatcher(app, bucket, on_created)
        # Outermost, so a rejected request never reaches moto nor announces an upload.
        self.auth = SigV4Verifier(watcher, {ACCESS_KEY: SECRET_KEY}, public_read_buckets=self.public_read_buckets)
        self._server: BaseWSGIServer = make_server(host, port, self.auth, threaded=True)
        self.bucket, self.region = bucket, region
        self._thread = threading.Thread(target=self._server.serve_forever, name="s3", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def start(self) -> None:
        if self.files:
            self.files.load()
        self._thread.start()
        s3 = self.client()
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if self.bucket not in existing:
            s3.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": self.region})
        s3.put_bucket_cors(
            Bucket=self.bucket,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": ["*"],
                        "AllowedMethods": ["PUT", "GET", "HEAD"],
                        "AllowedHeaders": ["Content-Type", "Content-Length", "Range"],
                        "ExposeHeaders": ["ETag"],
                        "MaxAgeSeconds": 3600,
                    }
                ]
            },
        )
        for name in self.public_read_buckets:
            # The verifier lets anonymous reads through; moto serves them only if a policy makes the objects public.
            if name not in existing and name != self.bucket:
                s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
