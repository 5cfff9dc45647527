"""A user's folders of jobs: create, list, rename, delete (never silently taking recordings with it), move jobs in.

Folders, not tags (docs/folders.md): a job is in at most one folder, which is what Otter's folders and Descript's
Drive folders give, and what makes "delete this folder" a question with two clear answers.
"""

from __future__ import annotations

import contextlib
import unicodedata
import uuid
from typing import Literal

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.adapters.services import Services
from common.domain.accounts.users import require_user
from common.domain.errors import Conflict, Invalid, NotFound
from common.domain.jobs.delete import delete_job
from common.domain.jobs.read_path import owned_job
from common.domain.schemas import FolderListOut, FolderOut, JobOut
from common.store.db import transaction
from common.store.models import Folder, FolderEntry, TranscriptionJob, User

MAX_FOLDERS = 100  # per user: a list a person can still scan, and a bounded GET /folders
MAX_NAME_LENGTH = 80  # characters, after trimming
MAX_DELETE_AT_ONCE = 200  # jobs=delete removes at most this many recordings in one request (work per request bounded)
JobsChoice = Literal["keep", "delete"]


def clean_name(raw: str) -> tuple[str, str]:
    """The name as shown (NFC, trimmed, inner whitespace runs as one space) and its key for uniqueness (case-folded)."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise Invalid("enter a name for the folder", "invalid_folder_name")
    if len(name) > MAX_NAME_LENGTH:
        raise Invalid(f"a folder's name is at most {MAX_NAME_LENGTH} characters", "folder_name_too_long")
    return name, name.casefold()


def _owned(s: Session, user_id: uuid.UUID, folder_id: uuid.UUID) -> Folder:
    folder = s.scalar(select(Folder).where(Folder.id == folder_id, Folder.owner_id == user_id))
    if folder is None:  # another user's folder looks exactly like a missing one
        raise NotFound("no such folder", "folder_not_found")
    return folder


def require_folder(s: Session, user_id: uuid.UUID, folder_id: uuid.UUID) -> None:
    """404 unless the caller owns this folder (for the filters of the job list and the search)."""
    _owned(s, user_id, folder_id)


def check_owner(user_id: uuid.UUID, folder_id: uuid.UUID) -> None:
    with transaction() as s:
        require_user(s, user_id)
        _owned(s, user_id, folder_id)


def _count(s: Session, folder_id: uuid.UUID) -> int:
    return s.scalar(select(func.count()).select_from(FolderEntry).where(FolderEntry.folder_id == folder_id)) or 0


def _out(folder: Folder, jobs: int) -> FolderOut:
    return FolderOut(id=folder.id, name=folder.name, jobs=jobs, created_at=folder.created_at)


def _taken() -> Conflict:
    return Conflict("you already have a folder with this name", "folder_exists")


def list_folders(user_id: uuid.UUID) -> FolderListOut:
    """The caller's folders by name, each with how many jobs it holds (one grouped query, at most MAX_FOLDERS rows)."""
    with transaction() as s:
        require_user(s, user_id)
        rows = s.execute(
            select(Folder, func.count(FolderEntry.job_id))
            .outerjoin(FolderEntry, FolderEntry.folder_id == Folder.id)
            .where(Folder.owner_id == user_id)
            .group_by(Folder.id)
            .order_by(Folder.name_key, Folder.id)
        ).all()
        items = [_out(folder, count) for folder, count in rows]
    return FolderListOut(items=items, max_folders=MAX_FOLDERS, max_name_length=MAX_NAME_LENGTH)


def create_folder(user_id: uuid.UUID, raw_name: str) -> FolderOut:
    name, key = clean_name(raw_name)
    try:
        with transaction() as s:
            require_user(s, user_id)
            # The account row locked: two creations at once cannot both see 99 folders and make 101.
            s.execute(select(User.id).where(User.id == user_id).with_for_update())
            have = s.scalar(select(func.count()).select_from(Folder).where(Folder.owner_id == user_id)) or 0
            if have >= MAX_FOLDERS:
                raise Conflict(f"you can have at most {MAX_FOLDERS} folders; delete one first", "folder_limit")
            if s.scalar(select(Folder.id).where(Folder.owner_id == user_id, Folder.name_key == key)):
                raise _taken()
            folder = Folder(owner_id=user_id, name=name, name_key=key)
            s.add(folder)
            s.flush()
            return _out(folder, 0)
    except IntegrityError:  # the same name created at the same moment by another request
        raise _taken() from None


def rename_folder(user_id: uuid.UUID, folder_id: uuid.UUID, raw_name: str) -> FolderOut:
    name, key = clean_name(raw_name)
    try:
        with transaction() as s:
            require_user(s, user_id)
            folder = _owned(s, user_id, folder_id)
            clash = s.scalar(select(Folder.id).where(Folder.owner_id == user_id, Folder.name_key == key))
            if clash is not None and clash != folder.id:
                raise _taken()
            folder.name, folder.name_key = name, key
            s.flush()
            return _out(folder, _count(s, folder.id))
    except IntegrityError:
        raise _taken() from None


def delete_folder(user_id: uuid.UUID, folder_id: uuid.UUID, jobs: JobsChoice | None, services: Services) -> None:
    """A folder goes; its jobs only as the caller said: `keep` takes them out of it, `delete` deletes them (each as
    DELETE /jobs/{id} does: transcript, provider copy and recording through the outbox). Without an answer, a folder
    that holds jobs is not deleted (409 `folder_not_empty`, saying how many)."""
    with transaction() as s:
        require_user(s, user_id)
        _owned(s, user_id, folder_id)
        held = list(s.scalars(select(FolderEntry.job_id).where(FolderEntry.folder_id == folder_id)))
        if held and jobs is None:
            raise Conflict(
                f"this folder holds {len(held)} recording(s): say whether to keep them (jobs=keep) or delete them "
                "(jobs=delete)",
                "folder_not_empty",
            )
        if jobs == "delete" and len(held) > MAX_DELETE_AT_ONCE:
            raise Conflict(
                f"this folder holds {len(held)} recordings; at most {MAX_DELETE_AT_ONCE} are deleted at once: "
                "delete some first or keep them",
                "folder_too_large_to_delete",
            )
    if jobs == "delete":
        # One job at a time, each in its own transaction: a request that dies half-way leaves the folder with the
        # rest, and asking again finishes it.
        for job_id in held:
            with contextlib.suppress(NotFound):  # deleted meanwhile by another request: as good
                delete_job(user_id, job_id, services)
    with transaction() as s:
        s.execute(delete(FolderEntry).where(FolderEntry.folder_id == folder_id))
        s.execute(delete(Folder).where(Folder.id == folder_id, Folder.owner_id == user_id))


def move_job(user_id: uuid.UUID, job_id: uuid.UUID, folder_id: uuid.UUID | None) -> JobOut:
    """The job into the caller's folder (out of any other), or out of every folder with None."""
    try:
        with transaction() as s:
            require_user(s, user_id)
            owned_job(s, user_id, job_id)  # 404 job_not_found first, whatever the body names
            created = s.scalar(select(TranscriptionJob.created_at).where(TranscriptionJob.id == job_id))
            if folder_id is not None:
                _owned(s, user_id, folder_id)
            s.execute(delete(FolderEntry).where(FolderEntry.job_id == job_id))
            if folder_id is not None:
                s.execute(insert(FolderEntry).values(job_id=job_id, folder_id=folder_id, job_created_at=created))
            return owned_job(s, user_id, job_id)
    except IntegrityError:  # moved by another request at the same moment (or its folder deleted meanwhile)
        raise Conflict("the job was moved at the same moment by another request; try again", "job_moved") from None
