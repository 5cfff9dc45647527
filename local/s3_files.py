"""Object Storage's durability for the local S3: moto's objects and open multipart uploads, written through to files.

moto keeps S3 in memory. `WriteThrough` sits between the signature check and moto: after moto answers 2xx to a
change (PUT, POST, DELETE), it writes what that left in the bucket to the data directory, before the client hears
the answer, each file written whole to a temporary name, fsynced and renamed into place. `S3Files.load` puts it all
back into moto at start. So a restart, or a SIGKILL of the local cloud, loses no recording and no uploaded part.

Layout under the root: `<bucket>/objects/<sha256 of the key>` (one JSON line describing the object, then its
bytes) and `<bucket>/uploads/<upload id>.json` with the parts in `<bucket>/uploads/<upload id>/<part number>`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from local.durable_files import TMP, remove, write_atomically

Signature = tuple[str, str, int]  # etag, last modified, size: what changes whenever an object or part is rewritten


def _signature(key: Any) -> Signature:
    return (str(key.etag), str(key.last_modified), int(key.size))


def _backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    return s3_backends[DEFAULT_ACCOUNT_ID]["aws"]


def _current_keys(bucket: Any) -> dict[str, Any]:
    """The latest version of every object, read without racing moto's request threads (one C-level copy)."""
    return {name: versions[-1] for name, versions in list(dict.items(bucket.keys)) if versions}


class S3Files:
    """The files behind the local S3's buckets."""

    def __init__(self, root: Path, region: str) -> None:
        self.root, self.region = root, region
        self._lock = threading.Lock()
        self._objects: dict[tuple[str, str], Signature] = {}  # what is on disk, so a sync writes only changes
        self._parts: dict[tuple[str, str, int], Signature] = {}
        self._uploads: set[tuple[str, str]] = set()

    # paths

    def _object_path(self, bucket: str, name: str) -> Path:
        return self.root / bucket / "objects" / hashlib.sha256(name.encode()).hexdigest()

    def _upload_path(self, bucket: str, upload_id: str) -> Path:
        return self.root / bucket / "uploads" / f"{upload_id}.json"

    def _part_path(self, bucket: str, upload_id: str, number: int) -> Path:
        return self.root / bucket / "uploads" / upload_id / str(number)

    # writing

    def sync(self, bucket_name: str) -> None:
        """Make the bucket's files match what moto holds now (objects first: a completed upload's object is on disk
        before its parts go)."""
        bucket = _backend().buckets.get(bucket_name)
        if bucket is None or not self._safe(bucket_name):
            return
        with self._lock:
            (self.root / bucket_name).mkdir(parents=True, exist_ok=True)
            self._sync_objects(bucket_name, bucket)
            self._sync_uploads(bucket_name, bucket)

    @staticmethod
    def _safe(name: str) -> bool:
        return bool(name) and "/" not in name and not name.startswith(".")

    def _sync_objects(self, bucket_name: str, bucket: Any) -> None:
        current = _current_keys(bucket)
        for name, key in current.items():
            if not hasattr(key, "value"):
                continue  # a delete marker (versioned buckets only)
            signature = _signature(key)
            if self._objects.get((bucket_name, name)) == signature:
                continue
            try:
                body = key.value
            except ValueError:
                continue  # replaced and disposed meanwhile: the request that replaced it syncs its successor
            header = json.dumps(self._describe(name, key)).encode()
            write_atomically(self._object_path(bucket_name, name), [header, b"\n", body])
            self._objects[(bucket_name, name)] = signature
        for gone in [k for k in self._objects if k[0] == bucket_name and k[1] not in current]:
            remove(self._object_path(*gone))
            del self._objects[gone]

    @staticmethod
    def _describe(name: str, key: Any) -> dict[str, Any]:
        multipart = key.multipart
        return {
            "key": name,
            "etag": str(key.etag).strip('"'),
            "last_modified": key.last_modified.isoformat(),
            "storage_class": key.storage_class,
            "metadata": dict(key.metadata),
            "checksum": [key.checksum_algorithm, key.checksum_value, key.checksum_type, key.checksum_parts],
            # Kept so a retried CompleteMultipartUpload still finds it done, and GET ?partNumber= still works.
            "multipart": {"id": multipart.id, "part_sizes": multipart.completed_part_sizes} if multipart else None,
        }

    def _sync_uploads(self, bucket_name: str, bucket: Any) -> None:
        uploads = dict(list(dict.items(bucket.multiparts)))
        for upload_id, multipart in uploads.items():
            if not self._safe(upload_id):
                continue
            if (bucket_name, upload_id) not in self._uploads:
                header = {
                    "key": multipart.key_name,
                    "metadata": dict(multipart.metadata),
                    "storage": multipart.storage,
                    "tags": multipart.tags,
                }
                write_atomically(self._upload_path(bucket_name, upload_id), [json.dumps(header).encode()])
                self._uploads.add((bucket_name, upload_id))
            for number, part in list(dict.items(multipart.parts)):
                signature = _signature(part)
                if self._parts.get((bucket_name, upload_id, number)) == signature:
                    continue
                try:
                    body = part.value
                except ValueError:
                    continue
                write_atomically(self._part_path(bucket_name, upload_id, number), [body])
                self._parts[(bucket_name, upload_id, number)] = signature
        for gone in [u for u in self._uploads if u[0] == bucket_name and u[1] not in uploads]:
            remove(self._upload_path(*gone))  # the header first: parts without one are swept at the next load
            remove(self._upload_path(*gone).with_suffix(""))
            self._uploads.discard(gone)
            for part in [p for p in self._parts if p[:2] == gone]:
                del self._parts[part]

    # reading back

    def load(self) -> int:
        """Put every stored bucket, object and open upload back into moto; how many objects."""
        from moto.s3.models import FakeMultipart
        from requests.structures import CaseInsensitiveDict

        backend, count = _backend(), 0
        if not self.root.is_dir():
            return 0
        with self._lock:
            for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and self._safe(p.name)):
                name = folder.name
                if name not in backend.buckets:
                    backend.create_bucket(name, self.region)
                for path in _files(folder / "objects"):
                    self._load_object(backend, name, path, FakeMultipart)
                    count += 1
                for path in _files(folder / "uploads"):
                    if path.suffix == ".json":
                        self._load_upload(backend, name, path, CaseInsensitiveDict)
                for parts in (folder / "uploads").glob("*"):
                    if parts.is_dir() and (name, parts.name) not in self._uploads:
                        remove(parts)  # an upload whose header was removed before its parts: aborted or completed
        return count

    def _load_object(self, backend: Any, bucket: str, path: Path, multipart_class: Any) -> None:
        with path.open("rb") as f:
            header = json.loads(f.readline())
            body = f.read()
        algorithm, checksum, checksum_type, checksum_parts = header["checksum"]
        mp = header["multipart"]
        key = backend.put_object(
            bucket,
            header["key"],
            body,
            storage=header["storage_class"],
            etag=header["etag"],
            checksum_value=checksum,
            disable_notification=True,
        )
        key.set_metadata(dict(header["metadata"]))
        key.last_modified = datetime.fromisoformat(header["last_modified"])
        key.checksum_algorithm, key.checksum_type, key.checksum_parts = algorithm, checksum_type, checksum_parts
        if mp:
            done = multipart_class(header["key"], {}, account_id=backend.account_id, region_name=self.region)
            done.id, done.completed_part_sizes = mp["id"], mp["part_sizes"]
            key.multipart = done
        self._objects[(bucket, header["key"])] = _signature(key)

    def _load_upload(self, backend: Any, bucket: str, path: Path, metadata_class: Any) -> None:
        upload_id = path.stem
        header = json.loads(path.read_text())
        multipart = backend.create_multipart_upload(
            bucket, header["key"], metadata_class(header["metadata"]), header["storage"], header["tags"], *[None] * 3
        )
        multiparts = backend.buckets[bucket].multiparts
        del multiparts[multipart.id]
        multipart.id = upload_id  # the client holds this id: it must still name the upload
        multiparts[upload_id] = multipart
        self._uploads.add((bucket, upload_id))
        for part in _files(path.with_suffix("")):
            number = int(part.name)
            stored = backend.upload_part(bucket, upload_id, number, part.read_bytes())
            self._parts[(bucket, upload_id, number)] = _signature(stored)


def _files(folder: Path) -> Iterator[Path]:
    """The finished files of a folder; a temporary file left by a crash mid-write is removed."""
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.name.startswith(TMP):
            path.unlink(missing_ok=True)
        elif path.is_file():
            yield path


StartResponse = Callable[..., Any]


class WriteThrough:
    """WSGI middleware: after moto changed a bucket, persist the change before the answer goes out."""

    def __init__(self, app: Any, files: S3Files) -> None:
        self.app, self.files = app, files

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] not in ("PUT", "POST", "DELETE"):
            return self.app(environ, start_response)
        seen: dict[str, int] = {}

        def recording_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        body = list(self.app(environ, recording_start))  # werkzeug sends nothing until this returns
        if 200 <= seen.get("status", 0) < 300:
            path = str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace")
            self.files.sync(path.lstrip("/").partition("/")[0])
        return body
