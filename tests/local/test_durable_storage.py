"""The local S3 and its trigger keep what Object Storage keeps: objects, open uploads and undelivered events
survive a SIGKILL of the process under the same data directory, behind the same SigV4 checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local.storage import TriggerQueue, object_create_message

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "media"
PART = 5 * 1024 * 1024  # S3's smallest part but the last
SERVE = f"""
import sys, threading
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from local.storage import S3Server
s3 = S3Server("127.0.0.1", 0, {BUCKET!r}, "ru-central1", lambda b, k: None, folder=Path(sys.argv[1]))
s3.start()
print(s3.endpoint, flush=True)
threading.Event().wait()
"""


@contextmanager
def s3_process(folder: Path) -> Iterator[Any]:
    """The local S3 in its own process; left by SIGKILL, so nothing gets a chance to flush or tidy up."""
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        endpoint = proc.stdout.readline().strip()
        assert endpoint.startswith("http://"), endpoint
        yield boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="ru-central1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_objects_and_open_multipart_uploads_survive_a_sigkill(tmp_path: Path) -> None:
    recording = os.urandom(300_000)
    part1, part2 = os.urandom(PART), os.urandom(1000)
    with s3_process(tmp_path) as s3:
        s3.put_object(Bucket=BUCKET, Key="stored/ü/talk.wav", Body=recording, ContentType="audio/wav")
        s3.put_object(Bucket=BUCKET, Key="stored/gone.wav", Body=b"x")
        s3.delete_object(Bucket=BUCKET, Key="stored/gone.wav")
        upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key="uploads/big.wav", ContentType="audio/wav")[
            "UploadId"
        ]
        etag1 = s3.upload_part(Bucket=BUCKET, Key="uploads/big.wav", UploadId=upload_id, PartNumber=1, Body=part1)[
            "ETag"
        ]
        before = s3.head_object(Bucket=BUCKET, Key="stored/ü/talk.wav")
    with s3_process(tmp_path) as s3:  # the same data directory, after a SIGKILL
        got = s3.get_object(Bucket=BUCKET, Key="stored/ü/talk.wav")
        assert got["Body"].read() == recording
        assert (got["ContentType"], got["ETag"], got["LastModified"]) == (
            "audio/wav",
            before["ETag"],
            before["LastModified"],
        )
        with pytest.raises(ClientError):
            s3.head_object(Bucket=BUCKET, Key="stored/gone.wav")  # a delete is as durable as a write
        listed = s3.list_parts(Bucket=BUCKET, Key="uploads/big.wav", UploadId=upload_id)["Parts"]
        assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [(1, etag1, PART)]
        etag2 = s3.upload_part(Bucket=BUCKET, Key="uploads/big.wav", UploadId=upload_id, PartNumber=2, Body=part2)[
            "ETag"
        ]
        parts = {"Parts": [{"PartNumber": 1, "ETag": etag1}, {"PartNumber": 2, "ETag": etag2}]}
        s3.complete_multipart_upload(Bucket=BUCKET, Key="uploads/big.wav", UploadId=upload_id, MultipartUpload=parts)
    with s3_process(tmp_path) as s3:
        assert s3.get_object(Bucket=BUCKET, Key="uploads/big.wav")["Body"].read() == part1 + part2
        assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
        # A client that never heard the answer completes again: still done, as S3 answers a repeated completion.
        s3.complete_multipart_upload(Bucket=BUCKET, Key="uploads/big.wav", UploadId=upload_id, MultipartUpload=parts)
        # The signature checks stand in front of the stored objects as before.
        endpoint = s3.meta.endpoint_url
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"{endpoint}/{BUCKET}/uploads/big.wav", timeout=10)
        assert denied.value.code == 403


def test_undelivered_trigger_events_are_delivered_after_a_restart(tmp_path: Path) -> None:
    down = TriggerQueue(lambda event: None, lambda line: None, folder=tmp_path)
    down.pause()  # the function never got them before the process died
    down.start()
    for key in ("uploads/1", "uploads/2"):
        down.put(object_create_message(BUCKET, key))
    delivered: list[str] = []

    def deliver(event: dict[str, Any]) -> None:
        delivered.extend(m["details"]["object_id"] for m in event["messages"])

    after = TriggerQueue(deliver, lambda line: None, folder=tmp_path)
    after.start()
    after.wait_idle(5)
    assert delivered == ["uploads/1", "uploads/2"]
    assert not list(tmp_path.glob("*.json"))  # delivered: not sent again by the next restart
    down.stop()
    after.stop()
