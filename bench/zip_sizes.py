"""Each function's deploy zip (its folder, common/, requirements.txt) and the size of its installed requirements.

Builds the zips the way deploy.sh does (in memory) and installs each distinct requirements set into a temporary
folder with pip. Run: .venv/bin/python bench/zip_sizes.py
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from function_requirements import requirements  # noqa: E402


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    installed: dict[str, int] = {}
    print(f"{'function':<20}{'zip':>10}{'requirements':>14}{'installed':>12}")
    for index in sorted((ROOT / "functions").glob("*/index.py")):
        name = index.parent.name
        reqs = requirements(name)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for source in [
                *index.parent.rglob("*.py"),
                *(ROOT / "common").rglob("*.py"),
                ROOT / "functions/__init__.py",
            ]:
                z.write(source, source.relative_to(ROOT))
            z.writestr("requirements.txt", "\n".join(reqs))
            z.writestr("index.py", f"from functions.{name}.index import handler\n")
        key = "\n".join(reqs)
        if key not in installed:
            with tempfile.TemporaryDirectory() as target:
                subprocess.run(
                    [sys.executable, "-m", "pip", "install", "--quiet", "--target", target, *reqs],
                    check=True,
                    capture_output=True,
                )
                installed[key] = folder_size(Path(target))
        print(f"{name:<20}{len(buffer.getvalue()) / 1024:>8.0f} KB{len(reqs):>14}{installed[key] / 1024**2:>9.1f} MB")


if __name__ == "__main__":
    main()
