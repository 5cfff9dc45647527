"""Files that outlive a crash: what the local stand-ins keep where the real services keep it durably."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

TMP = ".tmp-"  # a file by this prefix is a write a crash interrupted: never read, removed when seen


def write_atomically(path: Path, chunks: Iterable[bytes]) -> None:
    """The file appears whole or not at all, and survives a crash of this process or of the machine."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{TMP}{path.name}.{threading.get_ident()}")
    with tmp.open("wb") as f:
        for chunk in chunks:
            f.write(chunk)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    _sync_dir(path.parent)


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    _sync_dir(path.parent)


def _sync_dir(folder: Path) -> None:
    if folder.is_dir():
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
