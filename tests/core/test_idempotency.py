"""Idempotency-Key on POST /files and POST /jobs (R31): retries replay the first answer, per user."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest

from common.domain import idempotency
from common.domain.errors import Conflict
from tests.api import Api, signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")
DECLARATION = {"filename": "talk.wav", "content_type": "audio/wav", "size": 1000}


def declare(api: Api, key: str | None, body: dict | None = None):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key else {}
    return api.post("/api/v1/files", body or DECLARATION, headers=headers)


def test_a_retry_with_the_same_key_gets_the_same_file_not_a_second_one() -> None:
    api = signed_up(unique_email())
    first, again = declare(api, "k-1"), declare(api, "k-1")
    assert first.status == again.status == 201
    assert again.json["file"]["id"] == first.json["file"]["id"]
    assert declare(api, "k-2").json["file"]["id"] != first.json["file"]["id"]
    assert declare(api, None).json["file"]["id"] != first.json["file"]["id"]  # no key: a new file each time


def test_the_same_key_with_another_body_is_422() -> None:
    api = signed_up(unique_email())
    declare(api, "k")
    res = declare(api, "k", {**DECLARATION, "size": 2000})
    assert (res.status, res.error_code) == (422, "idempotency_key_reused")


def test_keys_are_per_user() -> None:
    alice, bob = signed_up(unique_email()), signed_up(unique_email())
    assert declare(alice, "shared").json["file"]["id"] != declare(bob, "shared").json["file"]["id"]


def test_a_job_retry_creates_one_job() -> None:
    api = signed_up(unique_email())
    file_id = declare(api, None).json["file"]["id"]
    headers = {"Idempotency-Key": "job-once"}
    first = api.post("/api/v1/jobs", {"file_id": file_id}, headers=headers)
    again = api.post("/api/v1/jobs", {"file_id": file_id}, headers=headers)
    assert first.status == again.status == 201 and first.json["id"] == again.json["id"]
    assert len(api.get("/api/v1/jobs").json["items"]) == 1


def test_a_failed_first_attempt_leaves_the_key_free() -> None:
    api = signed_up(unique_email())
    missing = api.post("/api/v1/jobs", {"file_id": str(uuid.uuid4())}, headers={"Idempotency-Key": "j"})
    assert missing.status == 404
    file_id = declare(api, None).json["file"]["id"]
    # Same key, corrected body: the failed attempt stored nothing, so this is not "reused with another request".
    assert api.post("/api/v1/jobs", {"file_id": file_id}, headers={"Idempotency-Key": "j"}).status == 201


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "ключ"])
def test_a_malformed_key_is_400(key: str) -> None:
    res = signed_up(unique_email()).post("/api/v1/files", DECLARATION, headers={"Idempotency-Key": key})
    assert (res.status, res.error_code) == (400, "invalid_idempotency_key")


def test_while_the_first_runs_the_same_key_is_409() -> None:
    api = signed_up(unique_email())
    owner = uuid.UUID(api.get("/api/v1/auth/me").json["id"])
    inside, release = threading.Event(), threading.Event()
    results: list[int] = []

    def slow() -> idempotency.Answer:
        inside.set()
        release.wait(10)
        return idempotency.Answer(201, "{}")

    worker = threading.Thread(target=lambda: results.append(idempotency.run_once(owner, "k", "op", b"{}", slow).status))
    worker.start()
    assert inside.wait(10)
    with pytest.raises(Conflict):
        idempotency.run_once(owner, "k", "op", b"{}", slow)
    release.set()
    worker.join(10)
    assert results == [201]
    assert idempotency.run_once(owner, "k", "op", b"{}", slow).status == 201  # replayed, not run again


def test_a_signed_out_token_gets_no_replay() -> None:
    api = signed_up(unique_email())
    assert declare(api, "k").status == 201
    assert api.post("/api/v1/auth/logout").status == 204
    res = declare(api, "k")
    assert (res.status, res.error_code) == (401, "token_revoked")


def test_a_first_request_that_died_mid_way_frees_its_key_after_the_in_progress_expiry(
    configure_settings: Callable[..., None],
) -> None:
    configure_settings(IDEMPOTENCY_IN_PROGRESS_SECONDS=1)
    api = signed_up(unique_email())
    owner = uuid.UUID(api.get("/api/v1/auth/me").json["id"])
    inside, release = threading.Event(), threading.Event()
    late: list[int] = []

    def killed() -> idempotency.Answer:  # stands in for a function killed mid-way: it never reports back in time
        inside.set()
        release.wait(10)
        return idempotency.Answer(201, '{"run": "first"}')

    stuck = threading.Thread(target=lambda: late.append(idempotency.run_once(owner, "k", "op", b"{}", killed).status))
    stuck.start()
    assert inside.wait(10)
    with pytest.raises(Conflict):  # within the expiry, the first run still holds the key
        idempotency.run_once(owner, "k", "op", b"{}", lambda: idempotency.Answer(201, '{"run": "retry"}'))
    time.sleep(1.2)
    retry = idempotency.run_once(owner, "k", "op", b"{}", lambda: idempotency.Answer(201, '{"run": "retry"}'))
    assert (retry.status, retry.body) == (201, '{"run": "retry"}')  # ran again instead of 409 for a whole day
    release.set()  # the first run was only slow after all: its late answer does not replace the stored one
    stuck.join(10)
    assert late == [201]
    again = idempotency.run_once(owner, "k", "op", b"{}", lambda: idempotency.Answer(500, "never runs"))
    assert again.body == '{"run": "retry"}'


class Killed(BaseException):
    """The function's process ending mid-request (not an error the handler could answer)."""


def test_a_job_creation_killed_after_its_job_committed_is_answered_with_that_job_on_retry(
    configure_settings: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is bound to the job in the job's own transaction, so the retry after the in-progress expiry gets that
    job (201, the same id) instead of running again and creating a second one."""
    configure_settings(IDEMPOTENCY_IN_PROGRESS_SECONDS=1)
    api = signed_up(unique_email())
    file_id = declare(api, None).json["file"]["id"]
    headers = {"Idempotency-Key": "killed-after-commit"}

    def killed(*_args: object, **_kwargs: object) -> bool:
        raise Killed

    monkeypatch.setattr("common.domain.pipeline.pipeline.start_job", killed)
    with pytest.raises(Killed):
        api.post("/api/v1/jobs", {"file_id": file_id}, headers=headers)
    monkeypatch.undo()
    created = api.get("/api/v1/jobs").json["items"]
    assert len(created) == 1  # the job committed before the request died
    early = api.post("/api/v1/jobs", {"file_id": file_id}, headers=headers)
    assert (early.status, early.error_code) == (409, "request_in_progress")
    time.sleep(1.2)
    retry = api.post("/api/v1/jobs", {"file_id": file_id}, headers=headers)
    assert (retry.status, retry.json["id"]) == (201, created[0]["id"])
    assert len(api.get("/api/v1/jobs").json["items"]) == 1
    again = api.post("/api/v1/jobs", {"file_id": file_id}, headers=headers)
    assert (again.status, again.json["id"]) == (201, created[0]["id"])  # stored now: replayed as any answer
