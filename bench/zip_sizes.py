"""Each function's deploy zip and the size of what Cloud Functions installs from its requirements.txt.

Builds the zips exactly as deploy.sh does (scripts/build_functions.py, in memory), then installs each distinct
requirements set as the cloud's build does (pip resolves the dependencies and compiles .pyc) into a temporary folder and
measures it. Prints a Markdown table. Run: .venv/bin/python bench/zip_sizes.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from build_functions import entries, function_names, zip_bytes  # noqa: E402


def tree_size(path: Path) -> tuple[int, int]:
    """(bytes of all files, number of files)."""
    files = [f for f in path.rglob("*") if f.is_file() and not f.is_symlink()]
    return sum(f.stat().st_size for f in files), len(files)


def installed(requirements: list[str]) -> tuple[int, int, int]:
    """(bytes, files, distributions) after `pip install --target` of these requirements."""
    with tempfile.TemporaryDirectory() as target:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", target, *requirements],
            check=True,
            capture_output=True,
        )
        size, count = tree_size(Path(target))
        dists = len(list(Path(target).glob("*.dist-info")))
    return size, count, dists


def main() -> None:
    cache: dict[tuple[str, ...], tuple[int, int, int]] = {}
    print("| function | zip | zip files | requirements (direct) | installed | installed files | distributions |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in function_names():
        files = entries(name)
        data = zip_bytes(files)
        reqs = tuple(files["requirements.txt"].decode().split())
        if reqs not in cache:
            cache[reqs] = installed(list(reqs))
        size, count, dists = cache[reqs]
        print(
            f"| {name} | {len(data) / 1024:.1f} KB | {len(files)} | {len(reqs)} | {size / 1024**2:.1f} MB "
            f"| {count} | {dists} |"
        )
    print()
    print("requirements:")
    for reqs in cache:
        users = [n for n in function_names() if tuple(entries(n)["requirements.txt"].decode().split()) == reqs]
        print(f"  {', '.join(users)}: {' '.join(reqs)}")


if __name__ == "__main__":
    main()
