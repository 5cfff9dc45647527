"""deploy.sh against recording stubs of yc, terraform and npm: the commands a real run issues, the zips it builds
(minimal, reproducible) and whether each zip's handler imports with nothing but its own requirements."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infra.terraform import FOLDERS, ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import build_functions

GATEWAY_URL = "https://d5dexample.apigw.yandexcloud.net"
STATE_SECRET = "state-s3cr3t-value"
# One script for every tool: it logs "<tool> <args>" (and whether the state bucket's key reached terraform), and plays
# a state that has outputs once something was applied (or from the start, when STUB_STATE exists already).
STUB = f"""#!/usr/bin/env bash
tool=$(basename "$0")
printf '%s\\n' "$tool $*" >> "$STUB_LOG"
case "$tool $*" in
  "terraform -chdir=infra init"*)
    [ "$AWS_SECRET_ACCESS_KEY" = "{STATE_SECRET}" ] && echo "backend-key-ok" >> "$STUB_LOG" ;;
  "yc iam create-token") echo token-from-yc ;;
  terraform*" apply "*) touch "$STUB_STATE" ;;
  terraform*"output -raw api_url"*)
    [ -f "$STUB_STATE" ] || {{ echo 'Error: No outputs found' >&2; exit 1; }}
    echo {GATEWAY_URL} ;;
  terraform*"output -raw public_url"*) echo {GATEWAY_URL} ;;
  terraform*"output -raw spa_bucket"*) echo transcribe-web-f ;;
  terraform*"output -raw"*) echo stub-output ;;
esac
exit 0
"""
TFVARS = 'cloud_id = "c"\nfolder_id = "f"\nassemblyai_api_key = "k"\ndeployer_cidrs = ["203.0.113.7/32"]\n'


@dataclass
class Run:
    returncode: int
    output: str
    calls: list[str]
    repo: Path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what deploy.sh reads (never the real infra/terraform.tfvars or build/), and a stub bin directory."""
    work = tmp_path_factory.mktemp("deploy")
    repo = work / "repo"
    repo.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", ".terraform", "terraform.tfvars", "*.tfstate*")
    for name in ("deploy.sh", "pyproject.toml"):
        shutil.copy2(ROOT / name, repo / name)
    for name in ("scripts", "functions", "common", "infra"):
        shutil.copytree(ROOT / name, repo / name, ignore=ignore)
    (repo / "frontend").mkdir()
    shutil.copy2(ROOT / "frontend" / "package.json", repo / "frontend" / "package.json")
    bin_dir = work / "bin"
    bin_dir.mkdir()
    (bin_dir / "stub").write_text(STUB)
    (bin_dir / "stub").chmod(0o755)
    for tool in ("yc", "terraform", "npm", "node"):
        (bin_dir / tool).symlink_to("stub")
    return work


def deploy(
    work: Path,
    *args: str,
    tfvars: str | None = TFVARS,
    state: bool = False,
    tools: tuple[str, ...] = ("yc", "terraform", "npm", "node"),
    hide: str = "",
    **extra_env: str,
) -> Run:
    repo = work / "repo"
    tfvars_file = repo / "infra" / "terraform.tfvars"
    tfvars_file.unlink(missing_ok=True)
    if tfvars is not None:
        tfvars_file.write_text(tfvars)
    log, state_file = work / "calls.log", work / "state"
    log.write_text("")
    state_file.unlink(missing_ok=True)
    if state:
        state_file.touch()
    bin_dir = work / f"bin-{'-'.join(tools)}"
    if not bin_dir.exists():
        bin_dir.mkdir()
        for tool in tools:
            (bin_dir / tool).symlink_to(work / "bin" / "stub")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("YC_", "TF_", "AWS_", "SKIP_"))},
        "PATH": f"{bin_dir}:{path_without(hide, work) if hide else os.environ['PATH']}",
        "STUB_LOG": str(log),
        "STUB_STATE": str(state_file),
        "TRANSCRIBE_STUB_TOOLS": "1",
        "TRANSCRIBE_VENV": str(ROOT / ".venv"),
        "TF_STATE_BUCKET": "tfstate-bucket",
        "TF_STATE_ACCESS_KEY": "state-key-id",
        "TF_STATE_SECRET_KEY": STATE_SECRET,
        **extra_env,
    }
    done = subprocess.run(
        ["bash", "deploy.sh", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    return Run(done.returncode, done.stdout + done.stderr, log.read_text().splitlines(), repo)


def path_without(tool: str, work: Path) -> str:
    """PATH with `tool` gone: each directory holding one is replaced by a directory of links to everything else."""
    dirs = []
    for entry in os.environ["PATH"].split(os.pathsep):
        folder = Path(entry)
        if not (folder / tool).exists():
            dirs.append(entry)
            continue
        shadow = work / f"path-without-{tool}-{len(dirs)}"
        if not shadow.exists():
            shadow.mkdir()
            for item in folder.iterdir():
                if item.name != tool:
                    (shadow / item.name).symlink_to(item)
        dirs.append(str(shadow))
    return os.pathsep.join(dirs)


INIT = "terraform -chdir=infra init -input=false -reconfigure -backend-config=bucket=tfstate-bucket"
APPLY = "terraform -chdir=infra apply -input=false -auto-approve"
UPLOAD = [
    "yc storage s3 cp --recursive frontend/dist/ s3://transcribe-web-f/",
    "yc storage s3 cp --cache-control no-cache --content-type text/html; charset=utf-8 "
    "frontend/dist/index.html s3://transcribe-web-f/index.html",
]


@pytest.fixture(scope="module")
def first_deploy(workdir: Path) -> Run:
    return deploy(workdir, "--dry-run")


def test_first_deploy_applies_twice_and_hands_the_gateway_url_to_the_functions(first_deploy: Run) -> None:
    assert first_deploy.returncode == 0, first_deploy.output[-4000:]
    assert first_deploy.calls == [
        "npm ci --no-audit --no-fund --loglevel=error",
        "npm run --silent build",
        "yc iam create-token",
        INIT,
        "backend-key-ok",
        "terraform -chdir=infra output -raw api_url",
        APPLY,
        "terraform -chdir=infra output -raw api_url",
        f"{APPLY} -var public_base_url={GATEWAY_URL}",
        "terraform -chdir=infra output -raw migration_database_url",
        "terraform -chdir=infra output -raw spa_bucket",
        *UPLOAD,
        "terraform -chdir=infra output -raw public_url",
    ]
    assert "would run: terraform -chdir=infra apply" in first_deploy.output
    assert "alembic upgrade head" in first_deploy.output
    assert f"web app:  {GATEWAY_URL}/" in first_deploy.output


def test_later_deploys_apply_once_with_the_url_from_the_state(workdir: Path) -> None:
    run = deploy(workdir, "--dry-run", state=True)
    assert run.returncode == 0, run.output[-4000:]
    applies = [c for c in run.calls if " apply " in c]
    assert applies == [f"{APPLY} -var public_base_url={GATEWAY_URL}"]
    assert run.calls[-4:-1] == ["terraform -chdir=infra output -raw spa_bucket", *UPLOAD]


def test_a_custom_domain_needs_no_second_apply(workdir: Path) -> None:
    tfvars = TFVARS + 'custom_domain = "transcribe.example.com"\ncustom_domain_certificate_id = "fpq1"\n'
    run = deploy(workdir, "--dry-run", tfvars=tfvars)
    assert run.returncode == 0, run.output[-4000:]
    assert [c for c in run.calls if " apply " in c] == [APPLY]
    assert "terraform -chdir=infra output -raw api_url" not in run.calls


def test_plan_changes_nothing(workdir: Path) -> None:
    run = deploy(workdir, "--plan", "--dry-run", state=True)
    assert run.returncode == 0, run.output[-4000:]
    assert run.calls == [
        "yc iam create-token",
        INIT,
        "backend-key-ok",
        "terraform -chdir=infra output -raw api_url",
        f"terraform -chdir=infra plan -input=false -var public_base_url={GATEWAY_URL}",
    ]


def test_migrations_need_a_way_in(workdir: Path) -> None:
    tfvars = TFVARS.replace('deployer_cidrs = ["203.0.113.7/32"]\n', "")
    refused = deploy(workdir, "--dry-run", tfvars=tfvars)
    assert refused.returncode != 0 and "deployer_cidrs" in refused.output and not refused.calls
    skipped = deploy(workdir, "--dry-run", tfvars=tfvars, SKIP_MIGRATIONS="1")
    assert skipped.returncode == 0, skipped.output[-4000:]
    assert "terraform -chdir=infra output -raw migration_database_url" not in skipped.calls
    assert "skipped (SKIP_MIGRATIONS=1)" in skipped.output


@pytest.mark.parametrize("missing", ["yc", "terraform", "node", "npm"])
def test_a_missing_tool_is_named_with_how_to_get_it(workdir: Path, missing: str) -> None:
    tools = tuple(t for t in ("yc", "terraform", "npm", "node") if t != missing)
    run = deploy(workdir, "--dry-run", tools=tools, hide=missing)
    assert run.returncode != 0
    assert f"'{missing}' is not on PATH" in run.output and "install" in run.output
    assert not run.calls


def test_missing_tfvars_and_state_settings_are_explained(workdir: Path) -> None:
    run = deploy(workdir, "--dry-run", tfvars=None)
    assert run.returncode != 0 and "terraform.tfvars.example" in run.output
    run = deploy(workdir, "--dry-run", TF_STATE_BUCKET="")
    assert run.returncode != 0 and "TF_STATE_BUCKET" in run.output


def test_dry_run_refuses_without_stubs(workdir: Path) -> None:
    run = deploy(workdir, "--dry-run", TRANSCRIBE_STUB_TOOLS="")
    assert run.returncode != 0 and "TRANSCRIBE_STUB_TOOLS" in run.output and not run.calls


def test_secrets_never_reach_command_lines(first_deploy: Run) -> None:
    assert STATE_SECRET not in first_deploy.output
    assert not any(STATE_SECRET in call for call in first_deploy.calls)


# --- the zips --------------------------------------------------------------------------------------------------------


def test_one_zip_per_function(first_deploy: Run) -> None:
    built = sorted(p.stem for p in (first_deploy.repo / "build" / "functions").glob("*.zip"))
    assert built == FOLDERS


@pytest.mark.parametrize("name", FOLDERS)
def test_each_zip_holds_only_its_function_common_and_requirements(first_deploy: Run, name: str) -> None:
    path = first_deploy.repo / "build" / "functions" / f"{name}.zip"
    with zipfile.ZipFile(path) as archive:
        entries = archive.namelist()
        requirements = archive.read("requirements.txt").decode().split()
        shim = archive.read("index.py").decode()
    assert {e.split("/")[0] for e in entries} == {"index.py", "requirements.txt", "functions", "common"}
    under_functions = {e for e in entries if e.startswith("functions/")}
    assert {e.split("/")[1] for e in under_functions if e.count("/") > 1} == {name}
    assert "functions/__init__.py" in under_functions and f"functions/{name}/index.py" in entries
    common = {p.relative_to(ROOT).as_posix() for p in (ROOT / "common").rglob("*.py") if "__pycache__" not in p.parts}
    assert {e for e in entries if e.startswith("common/")} == common
    assert not any("__pycache__" in e or e.endswith(".pyc") for e in entries)
    assert f"from functions.{name}.index import handler" in shim
    assert requirements == build_functions.requirements(name) and all("==" in r for r in requirements)


def test_zips_are_reproducible(first_deploy: Run) -> None:
    """Same code, same bytes: Terraform's user_hash (the zip's SHA-256) changes only when the function does."""
    for name in FOLDERS:
        built = (first_deploy.repo / "build" / "functions" / f"{name}.zip").read_bytes()
        assert built == build_functions.zip_bytes(build_functions.entries(name, first_deploy.repo)), name


def _venv_for(requirements: str) -> Path:
    """A fresh venv holding exactly these requirements (and what pip resolves for them), cached by their hash."""
    key = hashlib.sha256(f"{sys.version}\n{requirements}".encode()).hexdigest()[:16]
    venv = Path(tempfile.gettempdir()) / "transcribe-zip-venvs" / key
    if (venv / ".complete").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    req = venv / "requirements.txt"
    req.write_text(requirements)
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(req)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"pip install -r failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    (venv / ".complete").touch()
    return venv


DUMMY_SETTINGS = {
    "ENV": "prod",
    "DATABASE_URL": "postgresql://u:p@127.0.0.1:6432/d?sslmode=require",
    "JWT_SECRET_KEY": "j" * 64,
    "S3_BUCKET": "media",
    "S3_ACCESS_KEY_ID": "k",
    "S3_SECRET_ACCESS_KEY": "s",
    "ASSEMBLYAI_API_KEY": "a",
    "WEBHOOK_SECRET": "w",
    "PUBLIC_BASE_URL": "https://example.invalid",
}


def _import_in(venv: Path, code_dir: Path, statement: str) -> subprocess.CompletedProcess[str]:
    code = f"import sys; sys.path.insert(0, {str(code_dir)!r}); {statement}"
    return subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", code],
        cwd=code_dir,
        env={"PATH": os.environ["PATH"], **DUMMY_SETTINGS},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", FOLDERS)
def test_each_zip_imports_in_a_clean_venv_with_only_its_requirements(
    first_deploy: Run, name: str, tmp_path: Path
) -> None:
    """As Cloud Functions builds it: unzip, pip install -r requirements.txt, import index.handler. A function that
    imports a package its requirements lack fails here."""
    with zipfile.ZipFile(first_deploy.repo / "build" / "functions" / f"{name}.zip") as archive:
        archive.extractall(tmp_path)
    venv = _venv_for((tmp_path / "requirements.txt").read_text())
    done = _import_in(venv, tmp_path, "import index; assert callable(index.handler); print('ok')")
    assert done.returncode == 0 and done.stdout.strip() == "ok", f"{name}:\n{done.stderr[-3000:]}"


def test_the_clean_venvs_really_lack_what_was_not_asked_for(first_deploy: Run, tmp_path: Path) -> None:
    with zipfile.ZipFile(first_deploy.repo / "build" / "functions" / "auth.zip") as archive:
        archive.extractall(tmp_path)
    venv = _venv_for((tmp_path / "requirements.txt").read_text())
    for module in ("yaml", "boto3", "assemblyai"):  # installed in .venv, absent from auth's requirements
        done = _import_in(venv, tmp_path, f"import {module}")
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, module


# --- shell -----------------------------------------------------------------------------------------------------------


def test_shell_scripts_are_shellcheck_clean() -> None:
    if not shutil.which("shellcheck"):
        pytest.fail("shellcheck is needed (apt-get install shellcheck)")
    scripts = ["deploy.sh", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scripts").glob("*.sh"))]
    done = subprocess.run(["shellcheck", *scripts], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
