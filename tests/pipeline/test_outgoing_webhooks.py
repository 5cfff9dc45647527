"""Outgoing webhooks: a job's end reaches the user's endpoint once, signed, retried with backoff until it succeeds or
expires, and never reaches a private address, at registration or at delivery."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import func, select

from common.adapters.services import Services
from common.adapters.webhook_sender import HttpWebhookSender
from common.domain.pipeline import hook_delivery, hook_endpoints
from common.runtime.config import get_settings
from common.store.db import transaction
from common.store.models import WebhookDelivery, utcnow
from local.assemblyai.media import make_wav
from local.cloud import LocalCloud
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, mono_wav, put_bytes, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")
ENDPOINTS = "/api/v1/webhook-endpoints"
SPOKEN = "The quarterly numbers look strong this time."


class Receiver:
    """A loopback HTTP server standing in for the user's system: it records each POST and answers with the next of
    `answers` (a status, or "hang" to answer later than the sender waits), then 200."""

    def __init__(self, answers: list[int | str] | None = None) -> None:
        self.hits: list[tuple[dict[str, str], bytes]] = []
        self.answers = list(answers or [])
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.hits.append(({k.lower(): v for k, v in self.headers.items()}, body))
                answer = outer.answers.pop(0) if outer.answers else 200
                if answer == "hang":
                    time.sleep(1.5)
                    answer = 200
                self.send_response(int(answer))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.port = self.httpd.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}/hooks/transcribe"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver(configure: Callable[..., None]) -> Iterator[Receiver]:
    listener = Receiver()
    # The local cloud's way to reach a receiver on this machine: the host admitted by name (over http too).
    configure(OUTGOING_WEBHOOK_ALLOWED_HOSTS=listener.host, OUTGOING_WEBHOOK_TIMEOUT_SECONDS=0.5)
    yield listener
    listener.close()


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance_s: int = 300) -> bool:
    """The Standard Webhooks verification, written from the specification's text, not from our sender: the key is
    the base64 part of the secret after `whsec_`; the signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the
    signature header is a space-delimited list of `v1,<base64 HMAC-SHA256>`; the timestamp (integer seconds) must be
    within a tolerance of now."""
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance_s:
        return False
    key = base64.b64decode(secret.split("_", 1)[1])
    content = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
    for candidate in headers["webhook-signature"].split(" "):
        version, _, sig = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(sig.encode(), expected):
            return True
    return False


def register(api: Api, url: str, **extra: Any) -> dict[str, Any]:
    res = api.post(ENDPOINTS, {"url": url, **extra})
    assert res.status == 201, res.text
    return dict(res.json)


def run_job(api: Api, spoken: str = SPOKEN, error: str | None = None) -> dict[str, Any]:
    data = make_wav({"error": error}, 2.0) if error else mono_wav(spoken)[0]
    declared = declare(api, data, "board-meeting.wav")
    put_bytes(declared, data)
    job = wait_for(api, create_job(api, declared["file"]["id"])["id"])
    assert job["status"] == ("failed" if error else "completed"), job
    return job


def deliver(now: datetime | None = None, services: Services | None = None) -> int:
    """What the reconcile timer does for webhooks, at `now`."""
    return hook_delivery.deliver_due(services or Services(get_settings()), now or utcnow())


def deliveries(api: Api, endpoint_id: str) -> list[dict[str, Any]]:
    res = api.get(f"{ENDPOINTS}/{endpoint_id}/deliveries")
    assert res.status == 200, res.text
    return list(res.json["items"])


def test_a_completed_job_arrives_signed_with_no_transcript_text_and_is_listed_as_succeeded(
    cloud: LocalCloud, receiver: Receiver
) -> None:
    api = signed_up(unique_email())
    endpoint = register(api, receiver.url)
    assert endpoint["secret"].startswith("whsec_") and len(base64.b64decode(endpoint["secret"][6:])) >= 24
    assert "secret" not in api.get(ENDPOINTS).json["items"][0]  # shown once
    job = run_job(api)
    assert deliver() == 1
    [(headers, body)] = receiver.hits
    assert verify(endpoint["secret"], headers, body)
    assert not verify(endpoint["secret"], headers, body.replace(b"completed", b"failed"))  # the verifier can fail
    event = json.loads(body)
    assert event["type"] == "job.completed" and event["timestamp"].endswith("Z")
    assert event["data"] == {
        "job_id": job["id"],
        "status": "completed",
        "file_id": job["file"]["id"],
        "file_name": "board-meeting.wav",
    }
    assert b"quarterly" not in body.lower()
    [listed] = deliveries(api, endpoint["id"])
    assert listed["id"] == headers["webhook-id"]
    assert (listed["status"], listed["attempts"], listed["last_status_code"]) == ("succeeded", 1, 200)
    assert listed["next_attempt_at"] is None and listed["job_id"] == job["id"]
    assert deliver() == 0 and len(receiver.hits) == 1  # nothing is sent twice


def test_a_failed_job_says_why_with_a_code(cloud: LocalCloud, receiver: Receiver) -> None:
    api = signed_up(unique_email())
    endpoint = register(api, receiver.url, events=["job.failed"])
    run_job(api)  # a completion this endpoint did not ask for
    job = run_job(api, error="File does not appear to contain audio.")
    assert deliver() == 1
    [(headers, body)] = receiver.hits
    assert verify(endpoint["secret"], headers, body)
    data = json.loads(body)["data"]
    assert data["job_id"] == job["id"] and data["status"] == "failed"
    assert (data["error_code"], data["retryable"]) == ("transcription_failed", False)


def test_a_500_and_a_timeout_are_retried_with_growing_backoff_under_the_same_id(
    cloud: LocalCloud, receiver: Receiver, configure: Callable[..., None]
) -> None:
    configure(OUTGOING_WEBHOOK_RETRY_BASE_SECONDS=30)
    receiver.answers = [500, "hang"]
    api = signed_up(unique_email())
    endpoint = register(api, receiver.url)
    run_job(api)
    start = utcnow()
    assert deliver(start) == 0
    [first] = deliveries(api, endpoint["id"])
    assert (first["status"], first["attempts"], first["last_status_code"]) == ("pending", 1, 500)
    assert _seconds(first["next_attempt_at"], start) == pytest.approx(30, abs=1)
    assert deliver(start + timedelta(seconds=20)) == 0 and len(receiver.hits) == 1  # not due yet
    assert deliver(start + timedelta(seconds=30)) == 0  # the receiver hangs past the sender's timeout
    [second] = deliveries(api, endpoint["id"])
    assert (second["attempts"], second["last_status_code"]) == (2, None)
    assert "no answer" in second["last_error"]
    assert _seconds(second["next_attempt_at"], start) == pytest.approx(30 + 60, abs=1)  # doubled
    assert deliver(start + timedelta(seconds=90)) == 1
    [third] = deliveries(api, endpoint["id"])
    assert (third["status"], third["attempts"], third["last_status_code"]) == ("succeeded", 3, 200)
    ids = {headers["webhook-id"] for headers, _ in receiver.hits}
    bodies = {body for _, body in receiver.hits}
    assert len(receiver.hits) == 3 and ids == {third["id"]} and len(bodies) == 1
    assert all(verify(endpoint["secret"], h, b) for h, b in receiver.hits)


def _seconds(iso_moment: str, since: datetime) -> float:
    return (datetime.fromisoformat(iso_moment.replace("Z", "+00:00")) - since).total_seconds()


def test_a_delivery_that_never_succeeds_expires_as_failed(
    cloud: LocalCloud, receiver: Receiver, configure: Callable[..., None]
) -> None:
    configure(OUTGOING_WEBHOOK_RETRY_BASE_SECONDS=30, OUTGOING_WEBHOOK_EXPIRE_SECONDS=60)
    receiver.answers = [503] * 10
    api = signed_up(unique_email())
    endpoint = register(api, receiver.url)
    run_job(api)
    start = utcnow()
    deliver(start)
    deliver(start + timedelta(seconds=30))
    [pending] = deliveries(api, endpoint["id"])
    assert pending["status"] == "pending"
    assert _seconds(pending["next_attempt_at"], start) <= 61  # the last try is at expiry, not after it
    deliver(start + timedelta(seconds=61))
    [failed] = deliveries(api, endpoint["id"])
    assert (failed["status"], failed["attempts"], failed["last_status_code"]) == ("failed", 3, 503)
    assert failed["next_attempt_at"] is None
    assert deliver(start + timedelta(days=2)) == 0 and len(receiver.hits) == 3  # given up for good


def test_redeliver_sends_the_same_delivery_again_now(cloud: LocalCloud, receiver: Receiver) -> None:
    api = signed_up(unique_email())
    endpoint = register(api, receiver.url)
    run_job(api)
    deliver()
    [done] = deliveries(api, endpoint["id"])
    res = api.post(f"/api/v1/webhook-deliveries/{done['id']}/redeliver")
    assert res.status == 200, res.text
    assert (res.json["id"], res.json["status"], res.json["attempts"]) == (done["id"], "succeeded", 2)
    assert [h["webhook-id"] for h, _ in receiver.hits] == [done["id"], done["id"]]
    assert receiver.hits[0][1] == receiver.hits[1][1]
    other = signed_up(unique_email())
    refused = other.post(f"/api/v1/webhook-deliveries/{done['id']}/redeliver")
    assert (refused.status, refused.error_code) == (404, "delivery_not_found")
    assert len(receiver.hits) == 2


def test_a_duplicated_provider_webhook_and_repeated_timers_deliver_one_event(
    cloud: LocalCloud, receiver: Receiver
) -> None:
    cloud.assemblyai.faults.add({"op": "webhook", "mode": "duplicate", "copies": 5, "times": 1})
    api = signed_up(unique_email())
    endpoint = register(api, receiver.url)
    run_job(api)
    cloud.wait_idle()
    for _ in range(3):
        deliver()
    assert len(receiver.hits) == 1
    assert len(deliveries(api, endpoint["id"])) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "http://example.com/hook",  # https only
        "https://user:pw@example.com/hook",
        "ftp://example.com/hook",
    ],
)
def test_private_or_plain_http_endpoints_are_refused_at_registration(url: str) -> None:
    api = signed_up(unique_email())
    res = api.post(ENDPOINTS, {"url": url})
    assert (res.status, res.error_code) == (422, "unsafe_webhook_url"), res.text
    assert res.json["error"]["message"].startswith("This address cannot receive webhooks")
    assert api.get(ENDPOINTS).json["items"] == []


@pytest.mark.parametrize("rebound_to", ["127.0.0.1", "169.254.169.254"])
def test_a_name_rebound_to_a_private_address_after_registration_is_never_called(
    cloud: LocalCloud, rebound_to: str
) -> None:
    """DNS rebinding: public when registered, private when the event is sent. The check runs again on each attempt,
    after resolving, and the sender connects only to the address that passed."""
    trap = Receiver()
    try:
        dns = {"hooks.example.org": "93.184.215.14"}  # a stand-in resolver: the name's public address, for now
        services = Services(get_settings())
        services.__dict__["webhooks"] = HttpWebhookSender(services.settings, resolve=lambda host, port: [dns[host]])
        api = signed_up(unique_email())
        user_id = uuid.UUID(api.get("/api/v1/auth/me").json["id"])
        request = hook_endpoints.EndpointRequest(url=f"https://hooks.example.org:{trap.port}/in")
        endpoint = hook_endpoints.register(user_id, request, services)
        run_job(api)
        dns["hooks.example.org"] = rebound_to
        deliver(services=services)
        [listed] = deliveries(api, endpoint["id"])
        assert (listed["status"], listed["last_status_code"]) == ("pending", None)
        assert listed["last_error"].startswith("not sent: the address points into a private network")
        assert trap.hits == []
    finally:
        trap.close()


def test_endpoints_are_limited_per_user_and_deleting_one_deletes_its_deliveries(
    cloud: LocalCloud, receiver: Receiver, configure: Callable[..., None]
) -> None:
    configure(OUTGOING_WEBHOOKS_PER_USER=2)
    api = signed_up(unique_email())
    first = register(api, receiver.url)
    register(api, receiver.url + "?copy=2")
    res = api.post(ENDPOINTS, {"url": receiver.url})
    assert (res.status, res.error_code) == (409, "too_many_webhooks")
    run_job(api)
    assert _stored_deliveries() == 2
    assert api.call("DELETE", f"{ENDPOINTS}/{first['id']}").status == 204
    assert _stored_deliveries() == 1
    assert api.get(f"{ENDPOINTS}/{first['id']}/deliveries").status == 404
    assert deliver() == 1 and len(receiver.hits) == 1  # the deleted endpoint hears nothing


def test_deleting_the_account_deletes_its_endpoints_and_deliveries(cloud: LocalCloud, receiver: Receiver) -> None:
    api = signed_up(unique_email(), "correct horse battery")
    register(api, receiver.url)
    run_job(api)
    assert _stored_deliveries() == 1
    assert api.call("DELETE", "/api/v1/auth/me", json_body={"password": "correct horse battery"}).status == 204
    assert _stored_deliveries() == 0


def test_another_users_endpoint_is_404(cloud: LocalCloud, receiver: Receiver) -> None:
    owner, intruder = signed_up(unique_email()), signed_up(unique_email())
    endpoint = register(owner, receiver.url)
    assert intruder.call("DELETE", f"{ENDPOINTS}/{endpoint['id']}").error_code == "endpoint_not_found"
    assert intruder.get(f"{ENDPOINTS}/{endpoint['id']}/deliveries").error_code == "endpoint_not_found"
    assert intruder.get(ENDPOINTS).json["items"] == []
    assert len(owner.get(ENDPOINTS).json["items"]) == 1


def _stored_deliveries() -> int:
    with transaction() as s:
        return int(s.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)


def test_finished_deliveries_leave_the_log_after_30_days_and_pending_ones_stay(
    cloud: LocalCloud, receiver: Receiver
) -> None:
    receiver.answers = [500]
    api = signed_up(unique_email())
    first, second = register(api, receiver.url), register(api, receiver.url + "?second")
    run_job(api)
    start = utcnow()
    deliver(start)  # one endpoint answers 500 (pending), the other 200 (succeeded)
    assert sorted(d["status"] for e in (first, second) for d in deliveries(api, e["id"])) == ["pending", "succeeded"]
    assert hook_delivery.forget_finished(start + timedelta(days=29)) == 0
    assert hook_delivery.forget_finished(start + timedelta(days=31)) == 1
    assert [d["status"] for e in (first, second) for d in deliveries(api, e["id"])] == ["pending"]
