"""Large files go up in parts, against the real moto server over HTTP, and are accepted like any upload."""

from __future__ import annotations

from typing import Any

import pytest

from local.assemblyai.media import make_wav, mono_script
from local.cloud import LocalCloud
from tests import http_client
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")
MB = 1024 * 1024


def declare_large(api: Api, data: bytes) -> dict[str, Any]:
    res = api.post("/api/v1/files", {"filename": "long.wav", "content_type": "audio/wav", "size": len(data)})
    assert res.status == 201, res.text
    assert res.json["upload"] is None and res.json["multipart"]["parts"] >= 2
    return res.json


def put_parts(api: Api, file_id: str, data: bytes, part_size: int, numbers: list[int]) -> dict[int, str]:
    urls = api.post(f"/api/v1/files/{file_id}/parts", {"part_numbers": numbers}).json["parts"]
    etags = {}
    for part in urls:
        n = part["part_number"]
        chunk = data[(n - 1) * part_size : n * part_size]
        status, etag = http_client.put_etag(part["url"], chunk)
        assert status == 200
        etags[n] = etag
    return etags


def test_a_large_file_goes_up_in_parts_resumes_and_is_transcribed(cloud: LocalCloud, configure: Any) -> None:
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    script = mono_script("A long recording sent in parts.", 800.0)
    data = make_wav(script, 800.0)  # 12.8 MB: three parts of 5 MB
    api = signed_up(unique_email())
    declared = declare_large(api, data)
    file_id, parts = declared["file"]["id"], declared["multipart"]["parts"]
    assert parts == 3
    job = create_job(api, file_id)
    etags = put_parts(api, file_id, data, 5 * MB, [1, 2])
    # A network error on part 3: ask for its URL again and resend it (the upload resumes, nothing restarts).
    etags |= put_parts(api, file_id, data, 5 * MB, [3])
    incomplete = api.post(f"/api/v1/files/{file_id}/complete", {"parts": [{"part_number": 1, "etag": etags[1]}]})
    assert (incomplete.status, incomplete.error_code) == (422, "incomplete_parts")
    done = api.post(
        f"/api/v1/files/{file_id}/complete",
        {"parts": [{"part_number": n, "etag": e} for n, e in sorted(etags.items())]},
    )
    assert done.status == 200, done.text
    finished = wait_for(api, job["id"], timeout=60)
    assert finished["status"] == "completed", finished
    assert finished["file"]["uploaded_size"] == len(data)
    text = api.get(f"/api/v1/jobs/{job['id']}/transcript", query={"format": "txt"}).text
    assert " ".join(text.split()) == script["text"]  # in the page's paragraphs: its words are seconds apart


def test_an_abandoned_upload_in_parts_is_aborted_and_its_job_says_so(cloud: LocalCloud, configure: Any) -> None:
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    api = signed_up(unique_email())
    data = b"\x00" * (6 * MB)
    declared = declare_large(api, data)
    job = create_job(api, declared["file"]["id"])
    put_parts(api, declared["file"]["id"], data, 5 * MB, [1])
    assert api.delete(f"/api/v1/files/{declared['file']['id']}/upload").status == 204
    failed = api.get(f"/api/v1/jobs/{job['id']}").json
    assert failed["status"] == "failed" and "cancelled" in failed["error_message"] and failed["retryable"] is False
    again = api.post(f"/api/v1/files/{declared['file']['id']}/parts", {"part_numbers": [2]})
    assert (again.status, again.error_code) == (409, "no_multipart_upload")


def test_someone_elses_upload_in_parts_is_404(cloud: LocalCloud, configure: Any) -> None:
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    owner, other = signed_up(unique_email()), signed_up(unique_email())
    declared = declare_large(owner, b"\x00" * (6 * MB))
    path = f"/api/v1/files/{declared['file']['id']}"
    assert other.post(f"{path}/parts", {"part_numbers": [1]}).status == 404
    assert other.post(f"{path}/complete", {"parts": [{"part_number": 1, "etag": "x"}]}).status == 404
    assert other.delete(f"{path}/upload").status == 404


def test_parts_that_do_not_match_their_etags_are_not_joined(cloud: LocalCloud, configure: Any) -> None:
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    data = make_wav(mono_script("Parts sent, then one claimed with a wrong etag.", 700.0), 700.0)
    api = signed_up(unique_email())
    declared = declare_large(api, data)
    file_id, parts = declared["file"]["id"], declared["multipart"]["parts"]
    etags = put_parts(api, file_id, data, 5 * MB, list(range(1, parts + 1)))
    etags[2] = "0" * 32  # not the part storage holds
    res = api.post(
        f"/api/v1/files/{file_id}/complete",
        {"parts": [{"part_number": n, "etag": e} for n, e in sorted(etags.items())]},
    )
    assert (res.status, res.error_code) == (409, "parts_not_joined"), res.text
    assert "send the missing or changed parts again" in res.json["error"]["message"]


def test_a_completion_that_went_through_answers_the_same_when_sent_again(cloud: LocalCloud, configure: Any) -> None:
    """At-least-once from the client and from botocore: a repeated completion, and one whose storage call was joined
    by an earlier try (S3 then says NoSuchUpload), both answer 200 with the file, not a 409 for a file that is fine."""
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    data = make_wav(mono_script("Joined once, asked twice.", 700.0), 700.0)
    api = signed_up(unique_email())
    for storage_first in (False, True):
        declared = declare_large(api, data)
        file_id, parts = declared["file"]["id"], declared["multipart"]["parts"]
        etags = put_parts(api, file_id, data, 5 * MB, list(range(1, parts + 1)))
        body = {"parts": [{"part_number": n, "etag": e} for n, e in sorted(etags.items())]}
        if storage_first:  # the storage call of a first try went through; its answer never came back
            from tests.pipeline.helpers import object_key_of

            cloud.pause_triggers()
            s3 = cloud.s3.client()
            (upload,) = s3.list_multipart_uploads(Bucket=cloud.bucket, Prefix=object_key_of(file_id))["Uploads"]
            listing = [{"PartNumber": n, "ETag": f'"{e}"'} for n, e in sorted(etags.items())]
            s3.complete_multipart_upload(
                Bucket=cloud.bucket,
                Key=upload["Key"],
                UploadId=upload["UploadId"],
                MultipartUpload={"Parts": listing},
            )
        first = api.post(f"/api/v1/files/{file_id}/complete", body)
        assert first.status == 200, first.text
        again = api.post(f"/api/v1/files/{file_id}/complete", body)
        assert (again.status, again.json["id"]) == (200, file_id), again.text
        cloud.resume_triggers()
        cloud.wait_idle()
        assert again.json["size"] == first.json["size"] == len(data)
        job = create_job(api, file_id)  # the event then accepts the joined object like any upload
        assert wait_for(api, job["id"], timeout=60)["status"] == "completed"
