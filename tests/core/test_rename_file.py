"""Renaming a recording changes what people see, never where it is stored; only its owner can."""

from __future__ import annotations

import pytest

from tests.api import signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")


def test_a_recording_is_renamed_and_the_job_list_shows_the_name() -> None:
    api = signed_up(unique_email())
    declared = api.post("/api/v1/files", {"filename": "rec-0042.wav", "content_type": "audio/wav", "size": 10}).json
    api.post("/api/v1/jobs", {"file_id": declared["file"]["id"]})
    res = api.call("PATCH", f"/api/v1/files/{declared['file']['id']}", json_body={"filename": "Interview with Anna"})
    assert res.status == 200 and res.json["filename"] == "Interview with Anna"
    assert api.get("/api/v1/jobs").json["items"][0]["file"]["filename"] == "Interview with Anna"


@pytest.mark.parametrize("name", ["", "   ", "a\u0000b", "x" * 1025])
def test_a_bad_name_is_refused(name: str) -> None:
    api = signed_up(unique_email())
    declared = api.post("/api/v1/files", {"filename": "a.wav", "content_type": "audio/wav", "size": 10}).json
    res = api.call("PATCH", f"/api/v1/files/{declared['file']['id']}", json_body={"filename": name})
    assert res.status == 422


def test_only_the_owner_renames() -> None:
    owner, other = signed_up(unique_email()), signed_up(unique_email())
    declared = owner.post("/api/v1/files", {"filename": "a.wav", "content_type": "audio/wav", "size": 10}).json
    res = other.call("PATCH", f"/api/v1/files/{declared['file']['id']}", json_body={"filename": "mine now"})
    assert res.status == 404
