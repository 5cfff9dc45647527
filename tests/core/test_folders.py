"""Folders of jobs: made, filled, filtered by (the list and the search), renamed and deleted only as the owner says."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from common.domain.jobs import folders as folder_rules
from common.store.db import get_engine, transaction
from common.store.models import CleanupTask, Folder, FolderEntry, MediaFile, TranscriptionJob, User
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.core.transcripts import completed_job

pytestmark = pytest.mark.usefixtures("clean_db")
FOLDERS, JOBS, SEARCH = "/api/v1/folders", "/api/v1/jobs", "/api/v1/search"


def new_folder(api: Api, name: str) -> str:
    res = api.post(FOLDERS, {"name": name})
    assert res.status == 201, res.text
    return str(res.json["id"])


def move(api: Api, job_id: str, folder_id: str | None) -> dict:
    res = api.call("PUT", f"{JOBS}/{job_id}/folder", json_body={"folder_id": folder_id})
    assert res.status == 200, res.text
    return res.json


def listed(api: Api, **query: str) -> list[str]:
    res = api.get(JOBS, query=query)
    assert res.status == 200, res.text
    return [job["id"] for job in res.json["items"]]


def test_jobs_moved_into_a_folder_are_the_folders_page_newest_first() -> None:
    api = signed_up(unique_email())
    talks = new_folder(api, "Interviews")
    first, second, elsewhere = (completed_job(api, f"Words number {i}.") for i in range(3))
    assert move(api, first, talks)["folder_id"] == talks
    move(api, second, talks)
    assert listed(api, folder=talks) == [second, first]
    assert listed(api) == [elsewhere, second, first]  # the whole list is unchanged
    assert api.get(f"{JOBS}/{elsewhere}").json["folder_id"] is None
    assert api.get(f"{JOBS}/{first}").json["folder_id"] == talks
    assert api.get(FOLDERS).json["items"] == [
        {"id": talks, "name": "Interviews", "jobs": 2, "created_at": api.get(FOLDERS).json["items"][0]["created_at"]}
    ]
    move(api, first, None)  # out of every folder
    assert listed(api, folder=talks) == [second]


def test_a_folders_pages_follow_the_cursor_and_combine_with_status() -> None:
    api = signed_up(unique_email())
    folder = new_folder(api, "Pages")
    jobs = [completed_job(api, f"Page words {i}.") for i in range(5)]
    for job_id in jobs:
        move(api, job_id, folder)
    page = api.get(JOBS, query={"folder": folder, "limit": "2"}).json
    seen = [j["id"] for j in page["items"]]
    while page["next_cursor"]:
        page = api.get(JOBS, query={"folder": folder, "limit": "2", "cursor": page["next_cursor"]}).json
        seen += [j["id"] for j in page["items"]]
    assert seen == jobs[::-1]
    assert listed(api, folder=folder, status="completed") == jobs[::-1]
    assert listed(api, folder=folder, status="failed") == []


def test_a_job_is_in_one_folder_at_a_time() -> None:
    api = signed_up(unique_email())
    a, b = new_folder(api, "A"), new_folder(api, "B")
    job = completed_job(api, "Moving words.")
    move(api, job, a)
    move(api, job, b)
    assert listed(api, folder=a) == [] and listed(api, folder=b) == [job]


def test_the_search_can_be_kept_to_one_folder() -> None:
    api = signed_up(unique_email())
    budget = new_folder(api, "Budget")
    inside = completed_job(api, "The budget for the harbour project was approved.", name="inside.wav")
    completed_job(api, "Another harbour meeting, not filed anywhere.", name="outside.wav")
    move(api, inside, budget)
    everywhere = api.get(SEARCH, query={"q": "harbour"}).json["items"]
    assert {hit["filename"] for hit in everywhere} == {"inside.wav", "outside.wav"}
    [hit] = api.get(SEARCH, query={"q": "harbour", "folder": budget}).json["items"]
    assert hit["job_id"] == inside
    assert api.get(SEARCH, query={"q": "approved", "folder": budget}).json["items"][0]["job_id"] == inside


def test_names_are_unique_per_user_whatever_the_case_and_trimmed() -> None:
    api, other = signed_up(unique_email()), signed_up(unique_email())
    res = api.post(FOLDERS, {"name": "  Отчёты   за  год "})
    assert res.status == 201 and res.json["name"] == "Отчёты за год"
    again = api.post(FOLDERS, {"name": "ОТЧЁТЫ ЗА ГОД"})  # noqa: RUF001  # Cyrillic folded too (SQLite's lower() would not)
    assert again.status == 409 and again.error_code == "folder_exists"
    assert other.post(FOLDERS, {"name": "Отчёты за год"}).status == 201  # another user's names are theirs
    interviews = new_folder(api, "Interviews")
    clash = api.call("PATCH", f"{FOLDERS}/{interviews}", json_body={"name": "отчёты за ГОД"})
    assert clash.status == 409 and clash.error_code == "folder_exists"
    recase = api.call("PATCH", f"{FOLDERS}/{interviews}", json_body={"name": "INTERVIEWS"})  # its own name, new case
    assert recase.status == 200 and recase.json["name"] == "INTERVIEWS"


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [("", 422, None), ("   ", 422, "invalid_folder_name"), ("x" * 81, 422, "folder_name_too_long"),
     ("bad\x00name", 422, None)],
)  # fmt: skip
def test_bad_names_are_refused(name: str, status: int, code: str | None) -> None:
    res = signed_up(unique_email()).post(FOLDERS, {"name": name})
    assert res.status == status, res.text
    if code:
        assert res.error_code == code


def test_a_user_has_at_most_max_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(folder_rules, "MAX_FOLDERS", 3)
    api = signed_up(unique_email())
    for i in range(3):
        new_folder(api, f"Folder {i}")
    res = api.post(FOLDERS, {"name": "One too many"})
    assert res.status == 409 and res.error_code == "folder_limit"
    assert len(api.get(FOLDERS).json["items"]) == 3


def test_renaming_keeps_the_jobs_in_it() -> None:
    api = signed_up(unique_email())
    folder = new_folder(api, "Old name")
    job = completed_job(api, "Some words.")
    move(api, job, folder)
    res = api.call("PATCH", f"{FOLDERS}/{folder}", json_body={"name": "New name"})
    assert res.status == 200 and res.json == {**res.json, "name": "New name", "jobs": 1}
    assert listed(api, folder=folder) == [job]


def test_a_folder_with_jobs_is_not_deleted_without_an_answer() -> None:
    api = signed_up(unique_email())
    folder = new_folder(api, "Keep me")
    job = completed_job(api, "Precious words.")
    move(api, job, folder)
    res = api.delete(f"{FOLDERS}/{folder}")
    assert res.status == 409 and res.error_code == "folder_not_empty"
    assert "1 recording" in res.json["error"]["message"]
    assert api.delete(f"{FOLDERS}/{folder}", query={"jobs": "maybe"}).status == 400
    assert listed(api, folder=folder) == [job]  # nothing changed


def test_deleting_with_keep_takes_the_jobs_out_and_keeps_them() -> None:
    api = signed_up(unique_email())
    folder = new_folder(api, "Temporary")
    job = completed_job(api, "Kept words.")
    move(api, job, folder)
    assert api.delete(f"{FOLDERS}/{folder}", query={"jobs": "keep"}).status == 204
    assert api.get(FOLDERS).json["items"] == []
    kept = api.get(f"{JOBS}/{job}")
    assert kept.status == 200 and kept.json["folder_id"] is None
    assert api.get(f"{JOBS}/{job}/transcript").status == 200
    assert api.get(JOBS, query={"folder": folder}).status == 404


def test_deleting_with_delete_deletes_its_jobs_and_their_recordings_only() -> None:
    api = signed_up(unique_email())
    folder = new_folder(api, "Trash")
    doomed = [completed_job(api, f"Doomed words {i}.", name=f"doomed{i}.wav") for i in range(2)]
    survivor = completed_job(api, "Survivor words.", name="survivor.wav")
    for job_id in doomed:
        move(api, job_id, folder)
    assert api.delete(f"{FOLDERS}/{folder}", query={"jobs": "delete"}).status == 204
    for job_id in doomed:
        assert api.get(f"{JOBS}/{job_id}").status == 404
    assert listed(api) == [survivor]
    with transaction() as s:
        files = set(s.scalars(select(MediaFile.filename)))
        cleanups = s.scalar(select(func.count()).select_from(CleanupTask).where(CleanupTask.ref.like("%doomed%")))
    assert "survivor.wav" in files and not files & {"doomed0.wav", "doomed1.wav"}
    assert cleanups == 0  # the recordings' deletions ran (the outbox is empty again), none left behind
    assert api.delete(f"{FOLDERS}/{folder}").status == 404


def test_an_empty_folder_is_deleted_without_a_question() -> None:
    api = signed_up(unique_email())
    folder = new_folder(api, "Empty")
    assert api.delete(f"{FOLDERS}/{folder}").status == 204


def test_nobody_else_can_see_use_rename_or_delete_my_folder() -> None:
    owner, intruder = signed_up(unique_email()), signed_up(unique_email())
    folder = new_folder(owner, "Mine")
    job = completed_job(owner, "Private harbour words.")
    move(owner, job, folder)
    theirs = completed_job(intruder, "Their harbour words.")
    assert intruder.get(FOLDERS).json["items"] == []
    for res in (
        intruder.get(JOBS, query={"folder": folder}),
        intruder.get(SEARCH, query={"q": "harbour", "folder": folder}),
        intruder.call("PATCH", f"{FOLDERS}/{folder}", json_body={"name": "Stolen"}),
        intruder.delete(f"{FOLDERS}/{folder}", query={"jobs": "delete"}),
        intruder.call("PUT", f"{JOBS}/{theirs}/folder", json_body={"folder_id": folder}),
    ):
        assert res.status == 404 and res.error_code == "folder_not_found", res.text
    assert intruder.call("PUT", f"{JOBS}/{job}/folder", json_body={"folder_id": None}).error_code == "job_not_found"
    assert listed(owner, folder=folder) == [job]
    assert owner.get(FOLDERS).json["items"][0]["name"] == "Mine"


@pytest.mark.parametrize("bad", ["not-a-uuid", "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"])  # fixed, not random
def test_an_unknown_folder_filter_is_404(bad: str) -> None:
    api = signed_up(unique_email())
    completed_job(api, "Words.")
    assert api.get(JOBS, query={"folder": bad}).error_code == "folder_not_found"
    assert api.get(SEARCH, query={"q": "words", "folder": bad}).error_code == "folder_not_found"


def test_a_folders_page_reads_one_range_of_the_folder_index(database_url: str) -> None:
    """One user with 3,000 jobs, 300 of them in a folder: the folder's page walks ix_folder_entries_folder_created in
    order (no sort, no walk through the owner's other jobs), and the whole list keeps its own index."""
    from common.domain.jobs import read_path

    owner, folder_id, start = uuid.uuid4(), uuid.uuid4(), datetime(2026, 1, 1, tzinfo=UTC)
    media = [
        {"id": uuid.uuid4(), "owner_id": owner, "object_key": f"k/{i}-{owner}", "filename": f"{i}.wav",
         "content_type": "audio/wav", "declared_size": 10, "created_at": start}
        for i in range(3000)
    ]  # fmt: skip
    jobs = [
        {"id": uuid.uuid4(), "owner_id": owner, "media_file_id": m["id"], "created_at": start + timedelta(seconds=i)}
        for i, m in enumerate(media)
    ]
    entries = [{"job_id": j["id"], "folder_id": folder_id, "job_created_at": j["created_at"]} for j in jobs[::10]]
    with transaction() as s:
        s.execute(insert(User), [{"id": owner, "email": unique_email(), "password_hash": "x"}])
        s.execute(insert(Folder), [{"id": folder_id, "owner_id": owner, "name": "Big", "name_key": "big"}])
        s.execute(insert(MediaFile), media)
        s.execute(insert(TranscriptionJob), jobs)
        s.execute(insert(FolderEntry), entries)
    engine = get_engine()
    query = read_path._jobs_query(in_folder=True, after=True)
    sql, defaults = read_path._compiled(query, engine.dialect)
    params = {**defaults, "owner_id": owner, "user_id": owner, "folder_id": folder_id, "limit": 21,
              "after_created": start + timedelta(days=1), "after_id": uuid.uuid4()}  # fmt: skip
    with engine.connect() as conn:
        cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if engine.dialect.name == "postgresql":
            cur.execute("ANALYZE")
            cur.execute("EXPLAIN " + sql, params)
            plan = "\n".join(r[0] for r in cur.fetchall())
            assert "ix_folder_entries_folder_created" in plan and "Sort" not in plan, plan
        else:
            cur.execute("ANALYZE")
            compiled = query.compile(dialect=engine.dialect)
            as_sqlite = {k: (v.hex if isinstance(v, uuid.UUID) else v) for k, v in params.items()}
            as_sqlite["after_created"] = params["after_created"].replace(tzinfo=None).isoformat(" ")
            cur.execute("EXPLAIN QUERY PLAN " + sql, [as_sqlite[name] for name in compiled.positiontup or ()])
            plan = "\n".join(str(r[-1]) for r in cur.fetchall())
            assert "ix_folder_entries_folder_created" in plan and "TEMP B-TREE" not in plan, plan
        cur.close()
    api_page = read_path.list_jobs(owner, None, 20, None, folder_id)
    assert [j.id for j in api_page.items] == [j["id"] for j in jobs[::10]][::-1][:20]


def test_deleting_the_account_takes_its_folders_with_it() -> None:
    api = signed_up(unique_email(), password="correct horse battery")
    folder = new_folder(api, "Mine")
    move(api, completed_job(api, "Words."), folder)
    assert api.call("DELETE", "/api/v1/auth/me", json_body={"password": "correct horse battery"}).status == 204
    with transaction() as s:
        assert s.scalar(select(func.count()).select_from(Folder)) == 0
        assert s.scalar(select(func.count()).select_from(FolderEntry)) == 0
