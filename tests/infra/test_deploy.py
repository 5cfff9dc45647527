"""deploy.sh in dry mode with recording stubs of yc and terraform: zips are built, minimal, and importable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUB = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "{log}"
case "$*" in
  *"output -raw api_url"*) echo "https://d5d.apigw.yandexcloud.net" ;;
  *"output -raw"*) echo "stub-value" ;;
esac
"""


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    if not shutil.which("zip"):
        pytest.fail("the zip command is needed (apt-get install zip)")
    work = tmp_path_factory.mktemp("deploy")
    clone = work / "repo"
    shutil.copytree(
        ROOT,
        clone,
        ignore=shutil.ignore_patterns(
            ".git", "node_modules", ".venv*", "build", "data", "test-results", "__pycache__", ".pytest_cache"
        ),
    )
    (clone / ".venv").symlink_to(ROOT / ".venv")
    (clone / "infra" / "terraform.tfvars").write_text('cloud_id = "c"\nfolder_id = "f"\nassemblyai_api_key = "k"\n')
    bin_dir, log = work / "bin", work / "calls.log"
    bin_dir.mkdir()
    for tool in ("yc", "terraform"):
        stub = bin_dir / tool
        stub.write_text(STUB.format(log=log))
        stub.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "TF_STATE_BUCKET": "state",
        "TF_STATE_ACCESS_KEY": "a",
        "TF_STATE_SECRET_KEY": "s",
    }
    done = subprocess.run(
        ["bash", "deploy.sh", "--dry-run"], cwd=clone, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return clone / "build" / "functions", log.read_text().splitlines()


FUNCTIONS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/index.py"))


def test_terraform_and_yc_are_called_as_a_real_deploy_would(dry_run: tuple[Path, list[str]]) -> None:
    _, calls = dry_run
    assert calls[0].startswith("terraform init") and "bucket=state" in calls[0]
    applies = [c for c in calls if c.startswith("terraform apply")]
    assert len(applies) == 2 and "public_base_url=https://d5d.apigw.yandexcloud.net" in applies[1]
    assert any(c.startswith("yc storage s3 cp --recursive frontend/dist/") for c in calls)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_zip_holds_only_its_function_common_and_requirements(dry_run: tuple[Path, list[str]], name: str) -> None:
    zips, _ = dry_run
    with zipfile.ZipFile(zips / f"{name}.zip") as z:
        names = z.namelist()
        requirements = z.read("requirements.txt").decode().split()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"index.py", "requirements.txt", "functions", "common"}
    assert {n.split("/")[1] for n in names if n.startswith("functions/") and n.count("/") > 1} == {name}
    assert all("==" in r for r in requirements)
    if name == "auth":
        assert not any(r.lower().startswith(("boto3", "assemblyai")) for r in requirements)


def test_each_zip_imports_with_only_its_requirements(dry_run: tuple[Path, list[str]], tmp_path: Path) -> None:
    """A function that imports something missing from its requirements fails here, as it would in the cloud."""
    zips, _ = dry_run
    installed: dict[str, Path] = {}
    for name in FUNCTIONS:
        unpacked = tmp_path / name
        with zipfile.ZipFile(zips / f"{name}.zip") as z:
            z.extractall(unpacked)
        reqs = (unpacked / "requirements.txt").read_text()
        if reqs not in installed:
            target = tmp_path / f"site-{len(installed)}"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--no-deps",
                    "--target",
                    str(target),
                    "-r",
                    str(unpacked / "requirements.txt"),
                    *_transitive(reqs),
                ],
                check=True,
                timeout=600,
            )
            installed[reqs] = target
        code = "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import index; assert callable(index.handler)"
        env = {
            "PATH": os.environ["PATH"],
            "ENV": "prod",
            "DATABASE_URL": "postgresql://u:p@h:6432/d",
            "JWT_SECRET_KEY": "x" * 40,
            "S3_BUCKET": "b",
            "S3_ACCESS_KEY_ID": "k",
            "S3_SECRET_ACCESS_KEY": "s",
            "ASSEMBLYAI_API_KEY": "k",
            "WEBHOOK_SECRET": "w",
            "PUBLIC_BASE_URL": "https://x",
        }
        done = subprocess.run(
            [sys.executable, "-S", "-c", code, str(unpacked), str(installed[reqs])],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{name}: {done.stderr[-1500:]}"


def _transitive(requirements: str) -> list[str]:
    """What pip would add on its own in the cloud, pinned as installed here (so this works offline-ish, fast)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    seen: set[str] = set()
    todo = [line.split("==")[0] for line in requirements.split()]
    while todo:
        name = todo.pop().lower()
        if name in seen:
            continue
        seen.add(name)
        for raw in metadata.requires(name) or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return sorted(f"{n}=={metadata.version(n)}" for n in seen)


def test_deploy_sh_is_shellcheck_clean() -> None:
    if not shutil.which("shellcheck"):
        pytest.fail("shellcheck is needed (apt-get install shellcheck)")
    done = subprocess.run(
        [
            "shellcheck",
            "deploy.sh",
            "scripts/test.sh",
            "scripts/venv.sh",
            "scripts/find_python.sh",
            "scripts/postgres.sh",
            "scripts/system_deps.sh",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
