"""The S3 emulator over HTTP and its ObjectCreate trigger: documented shape, batching, retries, dead letters."""

from __future__ import annotations

import threading
import time
import urllib.request
from typing import Any

from common.edge.events import OBJECT_CREATE, TIMER
from local.storage import S3Server, TriggerQueue
from local.timer import Timer


def test_an_upload_produces_exactly_the_documented_event() -> None:
    seen: list[tuple[str, str]] = []
    s3 = S3Server("127.0.0.1", 0, "media", "ru-central1", lambda b, k: seen.append((b, k)))
    s3.start()
    try:
        presigned = s3.client().generate_presigned_url(
            "put_object", Params={"Bucket": "media", "Key": "uploads/u/f/a.wav", "ContentType": "audio/wav"}
        )
        req = urllib.request.Request(presigned, data=b"RIFF", method="PUT", headers={"Content-Type": "audio/wav"})
        with urllib.request.urlopen(req, timeout=10) as res:
            assert res.status == 200
        s3.client().put_object(Bucket="media", Key="elsewhere/b.wav", Body=b"x")  # outside uploads/: no event
        assert seen == [("media", "uploads/u/f/a.wav")]
    finally:
        s3.stop()


def test_the_trigger_batches_retries_and_dead_letters() -> None:
    calls: list[dict[str, Any]] = []
    fail_first = threading.Event()
    fail_first.set()

    def deliver(event: dict[str, Any]) -> None:
        calls.append(event)
        if fail_first.is_set():
            fail_first.clear()
            raise RuntimeError("function crashed")

    logs: list[str] = []
    queue = TriggerQueue(deliver, logs.append, batch_cutoff_s=0.05, retry_attempts=3, retry_interval_s=0.01)
    queue.start()
    from local.storage import object_create_message

    for key in ("uploads/1", "uploads/2"):
        queue.put(object_create_message("media", key))
    queue.wait_idle(5)
    assert len(calls) == 2 and calls[0] == calls[1]  # the failed batch was delivered again, whole
    messages = calls[0]["messages"]
    assert [m["details"]["object_id"] for m in messages] == ["uploads/1", "uploads/2"]
    meta = messages[0]["event_metadata"]
    assert meta["event_type"] == OBJECT_CREATE and meta["event_id"] and meta["created_at"].endswith("Z")

    queue._deliver = lambda event: (_ for _ in ()).throw(RuntimeError("always down"))
    queue.put(object_create_message("media", "uploads/3"))
    queue.wait_idle(5)
    assert len(queue.dead_letters) == 1 and any("dead-lettered" in line for line in logs)
    queue.stop()


def test_a_paused_trigger_delivers_later_not_never() -> None:
    calls: list[dict[str, Any]] = []
    queue = TriggerQueue(calls.append, lambda line: None, batch_cutoff_s=0.0)
    queue.start()
    queue.pause()
    from local.storage import object_create_message

    queue.put(object_create_message("media", "uploads/x"))
    time.sleep(0.2)
    assert calls == []
    queue.resume()
    queue.wait_idle(5)
    assert len(calls) == 1
    queue.stop()


def test_the_timer_sends_timer_messages() -> None:
    fired: list[dict[str, Any]] = []
    timer = Timer(0.05, fired.append, lambda line: None)
    timer.start()
    time.sleep(0.3)
    timer.stop()
    assert len(fired) >= 2
    message = fired[0]["messages"][0]
    assert message["event_metadata"]["event_type"] == TIMER and message["details"]["trigger_id"]
