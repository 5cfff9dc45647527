"""Uploads in parts hold no more than was declared, resume from what storage holds, and end when nobody finishes."""

from __future__ import annotations

import urllib.error
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from common.store.db import transaction
from common.store.models import MediaFile, utcnow
from local.cloud import BUCKET, LocalCloud
from tests import http_client
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job
from tests.pipeline.test_multipart import MB, declare_large, put_parts

pytestmark = pytest.mark.usefixtures("clean_db")
PASSWORD = "correct horse battery"


def put_status(url: str, data: bytes) -> int:
    try:
        return http_client.put_etag(url, data)[0]
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def part_url(api: Api, file_id: str, number: int) -> str:
    return str(api.post(f"/api/v1/files/{file_id}/parts", {"part_numbers": [number]}).json["parts"][0]["url"])


def open_upload_files(cloud: LocalCloud) -> set[str]:
    """The file ids of the uploads in parts storage holds open (keys are uploads/<user>/<file>/<name>)."""
    listing = cloud.s3.client().list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    return {u["Key"].split("/")[2] for u in listing}


def test_a_part_url_takes_exactly_its_parts_length(cloud: LocalCloud, configure: Any) -> None:
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    api = signed_up(unique_email())
    declared = declare_large(api, b"\0" * (6 * MB))  # parts of 5 MiB and 1 MiB
    file_id = declared["file"]["id"]
    first, last = part_url(api, file_id, 1), part_url(api, file_id, 2)
    assert put_status(first, b"\1" * (40 * MB)) == 403  # the probe's 40 MiB under a 6 MiB declaration
    assert put_status(first, b"\1" * (5 * MB + 1)) == 403
    assert put_status(last, b"\1" * (5 * MB)) == 403  # the last part is only the rest
    assert put_status(first, b"\1" * (5 * MB)) == 200
    assert put_status(last, b"\1" * MB) == 200
    held = api.get(f"/api/v1/files/{file_id}/parts").json
    assert [(p["part_number"], p["size"]) for p in held["uploaded"]] == [(1, 5 * MB), (2, MB)]


def test_a_resumed_upload_learns_which_parts_storage_already_holds(cloud: LocalCloud, configure: Any) -> None:
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    api = signed_up(unique_email())
    data = bytes(range(256)) * (12 * MB // 256)  # three parts
    declared = declare_large(api, data)
    file_id = declared["file"]["id"]
    create_job(api, file_id)
    sent = put_parts(api, file_id, data, 5 * MB, [1, 3])  # part 2 was lost with the connection
    held = api.get(f"/api/v1/files/{file_id}/parts").json
    assert (held["part_size"], held["parts"]) == (5 * MB, 3)
    assert {p["part_number"]: p["etag"] for p in held["uploaded"]} == sent
    missing = [n for n in range(1, 4) if n not in {p["part_number"] for p in held["uploaded"]}]
    assert missing == [2]
    etags = {p["part_number"]: p["etag"] for p in held["uploaded"]} | put_parts(api, file_id, data, 5 * MB, missing)
    listing = [{"part_number": n, "etag": e} for n, e in sorted(etags.items())]
    done = api.post(f"/api/v1/files/{file_id}/complete", {"parts": listing})
    assert done.status == 200, done.text
    gone = api.get(f"/api/v1/files/{file_id}/parts")
    assert (gone.status, gone.error_code) == (409, "no_multipart_upload")


def test_an_expired_upload_in_parts_is_aborted_by_the_timer(cloud: LocalCloud, configure: Any) -> None:
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    api = signed_up(unique_email())
    declared = declare_large(api, b"\0" * (6 * MB))
    file_id = declared["file"]["id"]
    put_parts(api, file_id, b"\0" * (6 * MB), 5 * MB, [1])
    url = part_url(api, file_id, 2)
    with transaction() as s:  # a day old: the timer expires it as it does today
        old = utcnow() - timedelta(days=2)
        s.execute(update(MediaFile).where(MediaFile.id == uuid.UUID(file_id)).values(created_at=old))
    assert file_id in open_upload_files(cloud)
    cloud.run_reconcile()
    assert file_id not in open_upload_files(cloud)
    assert put_status(url, b"\2" * MB) >= 400  # the part URL takes nothing any more (S3: 404 NoSuchUpload)


def test_deleting_the_account_aborts_its_uploads_in_parts(cloud: LocalCloud, configure: Any) -> None:
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    api, other = signed_up(unique_email(), PASSWORD), signed_up(unique_email(), PASSWORD)
    declared = declare_large(api, b"\0" * (6 * MB))
    kept = declare_large(other, b"\0" * (6 * MB))
    put_parts(api, declared["file"]["id"], b"\0" * (6 * MB), 5 * MB, [1])
    url = part_url(api, declared["file"]["id"], 2)
    assert api.call("DELETE", "/api/v1/auth/me", json_body={"password": PASSWORD}).status == 204
    assert declared["file"]["id"] in open_upload_files(cloud)
    cloud.run_reconcile()
    assert declared["file"]["id"] not in open_upload_files(cloud)
    assert kept["file"]["id"] in open_upload_files(cloud)
    assert put_status(url, b"\2" * MB) >= 400
    assert put_status(part_url(other, kept["file"]["id"], 2), b"\2" * MB) == 200  # another user's goes on


def test_parts_longer_than_declared_are_never_joined(cloud: LocalCloud, configure: Any) -> None:
    # Parts sent through a URL that signed no length (one handed out before lengths were signed, still valid).
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    api = signed_up(unique_email())
    declared = declare_large(api, b"\0" * (6 * MB))
    file_id = declared["file"]["id"]
    with transaction() as s:
        media = s.get(MediaFile, uuid.UUID(file_id))
        assert media is not None and media.multipart_upload_id
        key, upload_id = media.object_key, media.multipart_upload_id
    s3 = cloud.s3.client()
    etags = [
        str(s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload_id, PartNumber=n, Body=b"\1" * size)["ETag"])
        for n, size in ((1, 5 * MB), (2, 6 * MB))  # part 2 should be 1 MiB
    ]
    done = api.post(
        f"/api/v1/files/{file_id}/complete",
        {"parts": [{"part_number": n, "etag": e.strip('"')} for n, e in enumerate(etags, 1)]},
    )
    assert (done.status, done.error_code) == (409, "part_size")
    assert "part 2 has 6291456 bytes but 1048576 were expected" in done.text
    assert file_id in open_upload_files(cloud)  # not joined; the right part 2 can still be sent
    assert put_status(part_url(api, file_id, 2), b"\2" * MB) == 200


def test_deleting_the_job_of_an_upload_in_parts_stops_its_part_urls_at_once(cloud: LocalCloud, configure: Any) -> None:
    configure(MULTIPART_THRESHOLD_BYTES=5 * MB, MULTIPART_PART_BYTES=5 * MB)
    api = signed_up(unique_email())
    declared = declare_large(api, b"\0" * (6 * MB))
    file_id = declared["file"]["id"]
    job = create_job(api, file_id)
    put_parts(api, file_id, b"\0" * (6 * MB), 5 * MB, [1])
    url = part_url(api, file_id, 2)
    assert api.delete(f"/api/v1/jobs/{job['id']}").status == 204  # "Remove" of an interrupted upload
    assert file_id not in open_upload_files(cloud)
    assert put_status(url, b"\2" * MB) >= 400
