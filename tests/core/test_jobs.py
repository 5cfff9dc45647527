"""The jobs API before the pipeline runs: creation, pages, filters, ownership, delete, retry, exports."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import update

from common.adapters.ports import ProviderTranscript
from common.domain.pipeline import transitions
from common.store.db import reset_engine, transaction
from common.store.models import TranscriptionJob, utcnow
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.core.test_files import declare

pytestmark = pytest.mark.usefixtures("clean_db", "s3_endpoint")
JOBS = "/api/v1/jobs"

DIALOGUE = ProviderTranscript(
    id="tr-known",
    status="completed",
    text="Hello there. Hi, how are you?",
    language="en",
    audio_duration=3.2,
    confidence=0.93,
    words=[],
    utterances=[
        {
            "speaker": "A",
            "start": 250,
            "end": 1250,
            "text": "Hello there.",
            "words": [
                {"text": "Hello", "start": 250, "end": 700, "confidence": 0.9, "speaker": "A"},
                {"text": "there.", "start": 750, "end": 1250, "confidence": 0.95, "speaker": "A"},
            ],
        },
        {
            "speaker": "B",
            "start": 1600,
            "end": 3100,
            "text": "Hi, how are you?",
            "words": [
                {"text": "Hi,", "start": 1600, "end": 1900, "speaker": "B"},
                {"text": "how", "start": 2000, "end": 2300, "speaker": "B"},
                {"text": "are", "start": 2350, "end": 2600, "speaker": "B"},
                {"text": "you?", "start": 2650, "end": 3100, "speaker": "B"},
            ],
        },
    ],
)


def new_job(api: Api, **extra: object) -> dict:
    file_id = declare(api)["file"]["id"]
    res = api.post(JOBS, {"file_id": file_id, **extra})
    assert res.status == 201, res.text
    return res.json


def finish_with(job_id: str, t: ProviderTranscript) -> None:
    """As if the provider had completed the job (the pipeline itself is tested in tests/pipeline)."""
    with transaction() as s:
        s.execute(
            update(TranscriptionJob)
            .where(TranscriptionJob.id == uuid.UUID(job_id))
            .values(status="processing", stage="submitted", provider_transcript_id=t.id)
        )
        assert transitions.complete(s, uuid.UUID(job_id), t, utcnow())


def test_a_job_for_a_file_not_yet_uploaded_waits_for_it() -> None:
    api = signed_up(unique_email())
    job = new_job(api, language="en-US", mode="dialogue", speakers_expected=2)
    assert (job["status"], job["stage"]) == ("pending", "waiting_for_upload")
    assert (job["language"], job["mode"], job["speakers_expected"]) == ("en_us", "dialogue", 2)
    assert job["file"]["filename"] == "talk.wav"
    assert api.get(f"{JOBS}/{job['id']}").json == job


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"language": "klingon"}, "invalid"),
        ({"mode": "stereo"}, "invalid"),
        ({"mode": "mono", "speakers_expected": 2}, "invalid"),
        ({"mode": "dialogue", "speakers_expected": 0}, "invalid"),
        ({"mode": "dialogue", "speakers_expected": "2"}, "invalid"),
    ],
)
def test_bad_job_requests_are_refused(extra: dict, code: str) -> None:
    api = signed_up(unique_email())
    file_id = declare(api)["file"]["id"]
    res = api.post(JOBS, {"file_id": file_id, **extra})
    assert (res.status, res.error_code) == (422, code), res.text


def test_a_job_for_someone_elses_or_no_file_is_not_found() -> None:
    owner, other = signed_up(unique_email()), signed_up(unique_email())
    file_id = declare(owner)["file"]["id"]
    assert other.post(JOBS, {"file_id": file_id}).error_code == "file_not_found"
    assert owner.post(JOBS, {"file_id": str(uuid.uuid4())}).error_code == "file_not_found"
    assert owner.post(JOBS, {"file_id": "nope"}).status == 422


def test_pages_stay_stable_while_new_jobs_arrive() -> None:
    api = signed_up(unique_email())
    file_id = declare(api)["file"]["id"]
    created = [api.post(JOBS, {"file_id": file_id}).json["id"] for _ in range(25)]
    first = api.get(JOBS, query={"limit": "10"}).json
    assert [j["id"] for j in first["items"]] == created[::-1][:10]
    for _ in range(5):  # new jobs land on top while the user pages down
        api.post(JOBS, {"file_id": file_id})
    seen = [j["id"] for j in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api.get(JOBS, query={"limit": "10", "cursor": cursor}).json
        seen += [j["id"] for j in page["items"]]
        cursor = page["next_cursor"]
    assert seen == created[::-1]


@pytest.mark.postgres_only
def test_times_are_written_in_utc_whatever_the_servers_zone(database_url: str) -> None:
    """A cluster's default zone is its own setting; the API writes UTC times (Z) and pages by them all the same."""
    api = signed_up(unique_email())
    file_id = declare(api)["file"]["id"]
    created = [api.post(JOBS, {"file_id": file_id}).json for _ in range(3)]
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Tokyo'")
    try:
        reset_engine()  # connections made from now on start in Tokyo time
        with psycopg.connect(database_url) as plain:  # the control: what a session sees by default now
            assert plain.execute("SHOW timezone").fetchone() == ("Asia/Tokyo",)
        first = api.get(JOBS, query={"limit": "2"}).json
        rest = api.get(JOBS, query={"limit": "2", "cursor": first["next_cursor"]}).json
        listed = first["items"] + rest["items"]
        assert [j["id"] for j in listed] == [j["id"] for j in created[::-1]]
        for job, made in zip(listed, created[::-1], strict=True):
            assert job["created_at"] == made["created_at"] and job["created_at"].endswith("Z")
            assert job["file"]["created_at"].endswith("Z")
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" RESET timezone')
        reset_engine()


def test_the_list_checks_the_account_whether_or_not_it_has_jobs() -> None:
    """The page reads the account's token version in its own query; an empty page asks separately: same 401s."""
    email = unique_email()
    api = signed_up(email, "correct horse battery")
    new_job(api)
    assert api.get(JOBS).status == 200
    assert api.post("/api/v1/auth/logout").status == 204
    res = api.get(JOBS)
    assert (res.status, res.error_code) == (401, "token_revoked")
    assert api.get(JOBS, query={"status": "failed"}).error_code == "token_revoked"  # no rows: the separate check
    again = Api(
        Api().post("/api/v1/auth/login", {"email": email, "password": "correct horse battery"}).json["access_token"]
    )
    assert [j["status"] for j in again.get(JOBS).json["items"]] == ["pending"]


def test_a_page_is_written_exactly_as_json_response_writes_it() -> None:
    """page_json takes pydantic-core's one-pass encoder where it writes what json.dumps writes, and json.dumps where
    not (floats below 1e-4, inf, nan): the body is the same bytes either way."""
    from datetime import UTC, datetime

    from common.domain.jobs.read_path import page_json
    from common.domain.schemas import JobOut, JobPageOut, MediaFileOut
    from common.edge.http import json_response

    now = datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)
    name = 'a"b\\c\n\t\x01\x1f ☃ 😀 \u2028 </script>'
    media = MediaFileOut(
        id=uuid.uuid4(),
        filename=name,
        content_type="audio/wav",
        size=1,
        uploaded_size=None,
        status="uploaded",
        status_reason=name,
        created_at=now,
        uploaded_at=None,
    )
    for duration in (None, 0.0, -0.0, 0.0001, 0.00001, 3.2, 1 / 3, 1e15, 1e16, 1e22, float("inf"), float("nan")):
        job = JobOut(
            id=uuid.uuid4(),
            file=media,
            status="completed",
            stage="completed",
            language="auto",
            mode="mono",
            speakers_expected=None,
            language_detected="en",
            audio_duration=duration,
            error_message=name,
            retryable=False,
            attempts=1,
            created_at=now,
            submitted_at=None,
            completed_at=datetime.now(UTC),
        )
        page = JobPageOut(items=[job, job], next_cursor="abc")
        assert page_json(page) == json_response(200, page).body, duration


def test_status_filter_and_bad_query_values() -> None:
    api = signed_up(unique_email())
    done, waiting = new_job(api), new_job(api)
    finish_with(done["id"], DIALOGUE)
    completed = api.get(JOBS, query={"status": "completed"}).json["items"]
    assert [j["id"] for j in completed] == [done["id"]]
    assert [j["id"] for j in api.get(JOBS, query={"status": "pending"}).json["items"]] == [waiting["id"]]
    assert completed[0]["language_detected"] == "en" and completed[0]["audio_duration"] == 3.2
    assert api.get(JOBS, query={"status": "done"}).error_code == "invalid_status"
    assert api.get(JOBS, query={"limit": "0"}).error_code == "invalid_limit"
    assert api.get(JOBS, query={"limit": "abc"}).error_code == "invalid_limit"
    assert api.get(JOBS, query={"cursor": "%%%garbage"}).error_code == "invalid_cursor"


def test_other_users_jobs_are_404_on_every_route() -> None:
    owner, other = signed_up(unique_email()), signed_up(unique_email())
    job = new_job(owner)
    finish_with(job["id"], DIALOGUE)
    for method, path in [
        ("GET", f"{JOBS}/{job['id']}"),
        ("DELETE", f"{JOBS}/{job['id']}"),
        ("POST", f"{JOBS}/{job['id']}/retry"),
        ("GET", f"{JOBS}/{job['id']}/transcript"),
    ]:
        res = other.call(method, path)
        assert (res.status, res.error_code) == (404, "job_not_found"), (method, path)
    assert other.get(JOBS).json["items"] == []
    assert owner.get(f"{JOBS}/{job['id']}").json["status"] == "completed"  # untouched


def test_delete_removes_the_job_and_its_transcript() -> None:
    api = signed_up(unique_email())
    job = new_job(api)
    finish_with(job["id"], DIALOGUE)
    assert api.delete(f"{JOBS}/{job['id']}").status == 204
    assert api.get(f"{JOBS}/{job['id']}").status == 404
    assert api.get(f"{JOBS}/{job['id']}/transcript").status == 404
    assert api.delete(f"{JOBS}/{job['id']}").status == 404


def test_retry_only_for_failed_jobs_and_transcript_only_when_completed() -> None:
    api = signed_up(unique_email())
    job = new_job(api)
    assert api.post(f"{JOBS}/{job['id']}/retry").error_code == "job_not_failed"
    res = api.get(f"{JOBS}/{job['id']}/transcript")
    assert (res.status, res.error_code) == (409, "transcript_not_ready")
    with transaction() as s:
        transitions.fail(s, uuid.UUID(job["id"]), "boom", utcnow())
    failed = api.get(f"{JOBS}/{job['id']}").json
    assert (failed["status"], failed["error_message"]) == ("failed", "boom")
    retried = api.post(f"{JOBS}/{job['id']}/retry")
    assert retried.status == 200
    assert (retried.json["status"], retried.json["stage"], retried.json["error_message"]) == (
        "pending",
        "waiting_for_upload",
        None,
    )


EXPECTED_SRT = """1
00:00:00,250 --> 00:00:01,250
Speaker A: Hello there.

2
00:00:01,600 --> 00:00:03,100
Speaker B: Hi, how are you?
"""

EXPECTED_VTT = """WEBVTT

00:00:00.250 --> 00:00:01.250
<v Speaker A>Hello there.

00:00:01.600 --> 00:00:03.100
<v Speaker B>Hi, how are you?
"""


def test_each_export_format_of_a_known_dialogue() -> None:
    api = signed_up(unique_email())
    job = new_job(api, mode="dialogue")
    finish_with(job["id"], DIALOGUE)
    path = f"{JOBS}/{job['id']}/transcript"

    srt = api.get(path, query={"format": "srt"})
    assert srt.status == 200 and srt.text == EXPECTED_SRT
    assert srt.headers["content-type"].startswith("application/x-subrip")
    assert srt.headers["content-disposition"] == 'attachment; filename="talk.srt"'
    vtt = api.get(path, query={"format": "vtt"})
    assert vtt.text == EXPECTED_VTT and vtt.headers["content-type"].startswith("text/vtt")
    txt = api.get(path, query={"format": "txt"})
    assert txt.text == "Speaker A: Hello there.\n\nSpeaker B: Hi, how are you?\n"
    data = api.get(path).json
    assert data["text"] == DIALOGUE.text and data["mode"] == "dialogue" and data["language"] == "en"
    assert [u["speaker"] for u in data["utterances"]] == ["A", "B"]
    assert data["utterances"][1]["words"][0] == {"text": "Hi,", "start": 1600, "end": 1900, "speaker": "B"}
    assert api.get(path, query={"format": "docx"}).error_code == "invalid_format"
