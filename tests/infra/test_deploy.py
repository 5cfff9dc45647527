"""deploy.sh against recording stubs of yc, terraform and npm: a dry run runs none of them and prints the plan; a
real run against the stubs issues the right commands in order; the zips it builds are minimal and reproducible, and
each zip's handler imports with nothing but its own requirements."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.infra.terraform import FOLDERS, ROOT, dummy_settings

sys.path.insert(0, str(ROOT / "scripts"))

import build_functions

GATEWAY_URL = "https://d5dexample.apigw.yandexcloud.net"
KEYS_URL = "https://storage.yandexcloud.net/transcribe-keys-f"
STATE_SECRET = "state-s3cr3t-value"
POSTBOX_ADMIN = "aje-postbox-admin"
TOOLS = ("yc", "terraform", "npm", "node")
# One script for every tool, behaving like the real ones where deploy.sh depends on it:
# - terraform reads and writes the state in the bucket, so every call but fmt fails without the state bucket's key,
#   with the S3 backend's own message; `state list` is empty until something was applied (or STUB_STATE exists);
#   `output -json` prints every output of a state (none of an empty one); STUB_BROKEN_STATE makes reading it fail.
# - yc signs with its own identity; a call that still carries the state key is logged as "yc-saw-state-key". Only
#   the postbox-admin account can be impersonated (STUB_NO_IMPERSONATION refuses it, as IAM does without
#   iam.serviceAccounts.tokenCreator); the migrate invocation answers STUB_INVOKE's content; `storage s3 cp` keeps
#   what it uploads under STUB_UPLOADS.
STUB = f"""#!/usr/bin/env bash
tool=$(basename "$0")
printf '%s\\n' "$tool $*" >> "$STUB_LOG"
if [ "$tool" = terraform ] && [ "$AWS_SECRET_ACCESS_KEY" != "{STATE_SECRET}" ]; then
  echo 'Error: No valid credential sources found' >&2; exit 1
fi
if [ "$tool" = yc ] && [ -n "$AWS_ACCESS_KEY_ID$AWS_SECRET_ACCESS_KEY" ]; then echo yc-saw-state-key >> "$STUB_LOG"; fi
case "$tool $*" in
  "terraform -chdir=infra init"*) echo "backend-key-ok" >> "$STUB_LOG" ;;
  "terraform -chdir=infra state list"*)
    [ -z "$STUB_BROKEN_STATE" ] || {{ echo 'Error: RequestError: send request failed' >&2; exit 1; }}
    [ -f "$STUB_STATE" ] && echo yandex_api_gateway.api ;;
  "terraform -chdir=infra output -json"*)
    [ -z "$STUB_BROKEN_STATE" ] || {{ echo 'Error: RequestError: send request failed' >&2; exit 1; }}
    if [ -f "$STUB_STATE" ]; then cat "$STUB_OUTPUTS"; else echo '{{}}'; fi ;;
  terraform*" apply "*) touch "$STUB_STATE" ;;
  "yc iam create-token") echo token-from-yc ;;
  "yc iam create-token --impersonate-service-account-id {POSTBOX_ADMIN}")
    [ -z "$STUB_NO_IMPERSONATION" ] || {{ echo 'ERROR: rpc error: code = PermissionDenied' >&2; exit 1; }}
    echo token-of-postbox-admin ;;
  "yc iam create-token"*) echo 'ERROR: rpc error: code = NotFound desc = Service account not found' >&2; exit 1 ;;
  "yc serverless function invoke"*) cat "$STUB_INVOKE" ;;
  "yc storage s3 cp"*)
    src=${{*: -2:1}} key=${{*: -1}} key=${{key#s3://}}
    if [ -f "$src" ]; then mkdir -p "$STUB_UPLOADS/$(dirname "$key")"; cp "$src" "$STUB_UPLOADS/$key"; fi ;;
esac
exit 0
"""
TFVARS = 'cloud_id = "c"\nfolder_id = "f"\nassemblyai_api_key = "k"\nmail_from = "Transcribe <noreply@example.com>"\n'


def outputs(keys: dict[str, str], dkim: str) -> dict[str, dict[str, object]]:
    """`terraform output -json` of a deployed state: every output deploy.sh reads, in Terraform's shape."""
    values: dict[str, object] = {
        "api_url": GATEWAY_URL,
        "public_url": GATEWAY_URL,
        "spa_bucket": "transcribe-web-f",
        "keys_bucket": "transcribe-keys-f",
        "token_keys_url": KEYS_URL,
        "migrate_function_id": "d4emigrate",
        "token_public_keys": keys,
        "mail_domain": "example.com",
        "mail_dkim_selector": "transcribe",
        "mail_dkim_private_key": dkim,
        "postbox_admin_service_account_id": POSTBOX_ADMIN,
    }
    return {
        name: {"sensitive": name == "mail_dkim_private_key", "type": "string", "value": value}
        for name, value in values.items()
    }


@dataclass
class Run:
    returncode: int
    output: str
    calls: list[str]
    repo: Path
    uploads: Path

    def planned(self) -> list[str]:
        """The commands a dry run printed, in order."""
        return [line.removeprefix("would run: ") for line in self.output.splitlines() if line.startswith("would run:")]


def public_key_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what deploy.sh reads (never the real infra/terraform.tfvars or build/), and a stub bin directory."""
    work = tmp_path_factory.mktemp("deploy")
    repo = work / "repo"
    repo.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", ".terraform", "terraform.tfvars", "*.tfstate*")
    for name in ("deploy.sh", "pyproject.toml", "alembic.ini"):
        shutil.copy2(ROOT / name, repo / name)
    for name in ("scripts", "functions", "common", "infra", "migrations"):
        shutil.copytree(ROOT / name, repo / name, ignore=ignore)
    (repo / "frontend" / "dist").mkdir(parents=True)
    shutil.copy2(ROOT / "frontend" / "package.json", repo / "frontend" / "package.json")
    (repo / "frontend" / "dist" / "index.html").write_text("<!doctype html><title>stub build</title>")
    (repo / "frontend" / "dist" / "assets").mkdir()
    (repo / "frontend" / "dist" / "assets" / "index-3f2a.js").write_text("console.log('stub build')")
    (repo / "frontend" / "dist" / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    bin_dir = work / "bin"
    bin_dir.mkdir()
    (bin_dir / "stub").write_text(STUB)
    (bin_dir / "stub").chmod(0o755)
    keys = {"k1": public_key_pem(), "k2": public_key_pem()}
    (work / "outputs.json").write_text(json.dumps(outputs(keys, DKIM_KEY)))
    return work


DKIM_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "TUlJRXZnSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2d3Z2dTa0FnRUFBb0lCQVFD\n"
    "-----END PRIVATE KEY-----\n"
)


@pytest.fixture(scope="module", autouse=True)
def postbox() -> Iterator[str]:
    """Postbox's SES v2 API, locally (moto over HTTP): deploy.sh registers the sender's domain there."""
    from local.mail import MailServer

    server = MailServer("127.0.0.1", 0)
    server.start()
    POSTBOX["endpoint"] = server.endpoint
    yield server.endpoint
    server.stop()


POSTBOX: dict[str, str] = {}


def deploy(
    work: Path,
    *args: str,
    tfvars: str | None = TFVARS,
    state: bool = False,
    tools: tuple[str, ...] = TOOLS,
    hide: str = "",
    invoke: str = '{"revision": "0002"}',
    **extra_env: str,
) -> Run:
    repo = work / "repo"
    tfvars_file = repo / "infra" / "terraform.tfvars"
    tfvars_file.unlink(missing_ok=True)
    if tfvars is not None:
        tfvars_file.write_text(tfvars)
    log, state_file, uploads = work / "calls.log", work / "state", work / "uploads"
    log.unlink(missing_ok=True)
    shutil.rmtree(uploads, ignore_errors=True)
    state_file.unlink(missing_ok=True)
    if state:
        state_file.touch()
    (work / "invoke.json").write_text(invoke)
    bin_dir = work / f"bin-{'-'.join(tools)}"
    if not bin_dir.exists():
        bin_dir.mkdir()
        for tool in tools:
            (bin_dir / tool).symlink_to(work / "bin" / "stub")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("YC_", "TF_", "AWS_", "TRANSCRIBE_"))},
        "PATH": f"{bin_dir}:{path_without(hide, work) if hide else os.environ['PATH']}",
        "STUB_LOG": str(log),
        "STUB_STATE": str(state_file),
        "STUB_OUTPUTS": str(work / "outputs.json"),
        "STUB_INVOKE": str(work / "invoke.json"),
        "STUB_UPLOADS": str(uploads),
        "POSTBOX_ENDPOINT": POSTBOX.get("endpoint", "http://127.0.0.1:9"),
        "TRANSCRIBE_VENV": str(ROOT / ".venv"),
        "TRANSCRIBE_MIGRATE_RETRY_SECONDS": "0",
        "TF_STATE_BUCKET": "tfstate-bucket",
        "TF_STATE_ACCESS_KEY": "state-key-id",
        "TF_STATE_SECRET_KEY": STATE_SECRET,
        **extra_env,
    }
    done = subprocess.run(
        ["bash", "deploy.sh", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return Run(done.returncode, done.stdout + done.stderr, calls, repo, uploads)


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
OUTPUTS = "terraform -chdir=infra output -json"
STATE = "terraform -chdir=infra state list"
INVOKE = "yc serverless function invoke d4emigrate"
KEYS = [
    "yc storage s3 cp --content-type application/json --cache-control max-age=300 <tmp>/keys/jwks.json "
    "s3://transcribe-keys-f/jwks.json",
    "yc storage s3 cp --content-type application/json --cache-control max-age=300 "
    "<tmp>/keys/.well-known/openid-configuration s3://transcribe-keys-f/.well-known/openid-configuration",
]
# index.html is not among them: the gateway serves it from its spec, with the security headers.
SPA_UPLOAD = [
    "yc storage s3 cp --recursive --cache-control public, max-age=31536000, immutable frontend/dist/assets/ "
    "s3://transcribe-web-f/assets/",
    "yc storage s3 cp --cache-control max-age=3600 frontend/dist/favicon.svg s3://transcribe-web-f/favicon.svg",
]
MAIL = f"yc iam create-token --impersonate-service-account-id {POSTBOX_ADMIN}"
PREPARE = ["npm ci --no-audit --no-fund --loglevel=error", "npm run --silent build", "yc iam create-token", INIT]
# After the last apply: outputs, the keys again, the schema, and the mail domain last.
AFTER_APPLY = [OUTPUTS, *KEYS, INVOKE, MAIL]


def normalised(calls: list[str]) -> list[str]:
    """The calls with the temporary key paths normalised and the stub's own notes left out."""
    return [re.sub(r"\S+/keys/", "<tmp>/keys/", c) for c in calls if c != "backend-key-ok"]


# --- dry run: nothing runs -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dry_run(workdir: Path) -> Run:
    return deploy(workdir, "--dry-run")


def test_dry_run_runs_no_tool_and_prints_the_plan_in_order(dry_run: Run) -> None:
    assert dry_run.returncode == 0, dry_run.output[-4000:]
    assert dry_run.calls == [], f"a dry run ran: {dry_run.calls}"
    plan = dry_run.planned()
    steps = [
        next(i for i, c in enumerate(plan) if "s3://\\<keys_bucket\\>/jwks.json" in c),
        next(i for i, c in enumerate(plan) if "frontend/dist/assets/" in c),
        next(i for i, c in enumerate(plan) if c.startswith(APPLY)),
        next(i for i, c in enumerate(plan) if c.startswith("yc serverless function invoke")),
        next(i for i, c in enumerate(plan) if "--impersonate-service-account-id" in c),
    ]
    assert steps == sorted(steps), plan
    assert plan[steps[2]] == f"{APPLY} -var public_base_url=\\<api_url\\>"
    assert plan[steps[3]] == "yc serverless function invoke \\<migrate_function_id\\>"
    assert (
        plan[steps[4]] == "yc iam create-token --impersonate-service-account-id \\<postbox_admin_service_account_id\\>"
    )
    assert any("scripts/token_keys.py" in c and "--base-url \\<token_keys_url\\>" in c for c in plan)
    assert plan[:4] == [*PREPARE[:3], INIT]
    assert plan[4] == STATE
    assert "bootstrap=true" in dry_run.output, "the first deploy's bootstrap apply is explained"
    assert "dry run: nothing was run" in dry_run.output


def test_dry_run_of_plan_prints_the_plan_only(workdir: Path) -> None:
    run = deploy(workdir, "--plan", "--dry-run")
    assert run.returncode == 0, run.output[-4000:]
    assert run.calls == []
    assert run.planned() == [
        *PREPARE,  # the web app is built for plans too: Terraform renders its index.html into the gateway's spec
        STATE,
        OUTPUTS,
        "terraform -chdir=infra plan -input=false -var public_base_url=\\<api_url\\>",
    ]


def test_the_dry_run_switch_needs_no_environment_to_be_safe() -> None:
    text = (ROOT / "deploy.sh").read_text()
    assert "TRANSCRIBE_STUB_TOOLS" not in text
    assert "alembic" not in text and "migration_database_url" not in text


# --- real runs against the stubs -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def first_deploy(workdir: Path) -> Run:
    return deploy(workdir)


def test_first_deploy_bootstraps_publishes_the_keys_then_applies_migrates_uploads_and_registers_mail(
    first_deploy: Run,
) -> None:
    assert first_deploy.returncode == 0, first_deploy.output[-4000:]
    assert normalised(first_deploy.calls) == [
        *PREPARE,
        STATE,
        f"{APPLY} -var bootstrap=true",
        OUTPUTS,
        *KEYS,  # right after the bootstrap apply: the keys exist, and the real spec's authorizer will need them
        *SPA_UPLOAD,  # before the apply that makes the index.html naming them live
        f"{APPLY} -var public_base_url={GATEWAY_URL}",
        *AFTER_APPLY,
    ]
    assert "database schema at revision 0002" in first_deploy.output
    assert f"web app:  {GATEWAY_URL}/" in first_deploy.output


def test_no_terraform_call_lacks_the_state_key_and_no_yc_call_carries_it(first_deploy: Run) -> None:
    assert "No valid credential sources found" not in first_deploy.output
    assert "yc-saw-state-key" not in first_deploy.calls


def test_the_published_keys_are_the_jwks_of_terraforms_public_keys(first_deploy: Run) -> None:
    jwks = json.loads((first_deploy.uploads / "transcribe-keys-f" / "jwks.json").read_text())
    assert sorted(k["kid"] for k in jwks["keys"]) == ["k1", "k2"]
    assert all(k["kty"] == "EC" and k["crv"] == "P-256" and "d" not in k for k in jwks["keys"])
    config = json.loads(
        (first_deploy.uploads / "transcribe-keys-f" / ".well-known" / "openid-configuration").read_text()
    )
    assert config["jwks_uri"] == f"{KEYS_URL}/jwks.json"


def test_deploy_registers_the_mail_senders_domain_once_with_its_dkim_key(
    first_deploy: Run, workdir: Path, postbox: str
) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    assert first_deploy.returncode == 0, first_deploy.output[-4000:]
    identities = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].email_identities
    registered = identities["example.com"]
    assert registered.dkim_signing_attributes == {
        "DomainSigningSelector": "transcribe",
        "DomainSigningPrivateKey": "TUlJRXZnSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2d3Z2dTa0FnRUFBb0lCQVFD",
    }
    assert "sender domain example.com: DKIM" in first_deploy.output
    assert "token-of-postbox-admin" not in first_deploy.output  # the IAM token travels in a header, never printed
    again = deploy(workdir, state=True)
    assert again.returncode == 0, again.output[-4000:]
    assert identities["example.com"] is registered  # already there: left as it is


def test_a_mail_registration_that_fails_warns_with_the_manual_step_after_the_web_app_is_up(workdir: Path) -> None:
    run = deploy(workdir, state=True, STUB_NO_IMPERSONATION="1")
    assert run.returncode == 0, run.output[-4000:]
    assert normalised(run.calls)[-len(AFTER_APPLY) :] == AFTER_APPLY, "the web app went up before the mail step"
    assert "WARNING: the mail domain example.com was not registered in Postbox" in run.output
    assert "iam.serviceAccounts.tokenCreator" in run.output and "PermissionDenied" in run.output
    assert "Transcribe is deployed" in run.output


def test_later_deploys_publish_the_keys_then_apply_once_with_the_url_from_the_state(workdir: Path) -> None:
    run = deploy(workdir, state=True)
    assert run.returncode == 0, run.output[-4000:]
    assert normalised(run.calls) == [
        *PREPARE,
        STATE,
        OUTPUTS,
        *KEYS,  # before the apply, which may switch the key auth signs with
        *SPA_UPLOAD,
        f"{APPLY} -var public_base_url={GATEWAY_URL}",
        *AFTER_APPLY,
    ]


def test_a_state_that_cannot_be_read_stops_the_deploy_and_never_bootstraps_a_live_one(workdir: Path) -> None:
    run = deploy(workdir, state=True, STUB_BROKEN_STATE="1")
    assert run.returncode != 0
    assert "the state could not be read" in run.output and "send request failed" in run.output
    assert not any(c.startswith((APPLY, "terraform -chdir=infra plan", "yc storage")) for c in run.calls), run.calls


def test_without_the_state_key_terraform_fails_as_the_s3_backend_does(workdir: Path) -> None:
    """The stub is only a fair judge if it refuses what the real backend refuses."""
    run = deploy(workdir, state=True, TF_STATE_SECRET_KEY="wrong")
    assert run.returncode != 0 and "No valid credential sources found" in run.output
    assert not any(c.startswith(APPLY) for c in run.calls)


def test_switching_to_a_signing_key_that_was_never_published_is_refused(workdir: Path) -> None:
    run = deploy(workdir, tfvars=TFVARS + 'token_signing_key_id = "k3"\n', state=True)
    assert run.returncode != 0 and 'token_signing_key_id "k3" is not published yet' in run.output
    assert not any(c.startswith(APPLY) for c in run.calls)
    published = deploy(workdir, tfvars=TFVARS + 'token_signing_key_id = "k2"\n', state=True)
    assert published.returncode == 0, published.output[-4000:]


def test_a_custom_domain_needs_no_bootstrap(workdir: Path) -> None:
    tfvars = TFVARS + 'custom_domain = "transcribe.example.com"\ncustom_domain_certificate_id = "fpq1"\n'
    run = deploy(workdir, tfvars=tfvars)
    assert run.returncode == 0, run.output[-4000:]
    assert [c for c in run.calls if c.startswith(APPLY)] == [APPLY]
    calls = normalised(run.calls)
    assert calls.index(SPA_UPLOAD[0]) > calls.index(APPLY), "the web bucket exists only after that apply"


def test_plan_changes_nothing(workdir: Path) -> None:
    run = deploy(workdir, "--plan", state=True)
    assert run.returncode == 0, run.output[-4000:]
    assert normalised(run.calls) == [
        *PREPARE,
        STATE,
        OUTPUTS,
        f"terraform -chdir=infra plan -input=false -var public_base_url={GATEWAY_URL}",
    ]


def test_plan_of_a_first_deploy_shows_the_bootstrap(workdir: Path) -> None:
    run = deploy(workdir, "--plan")
    assert run.returncode == 0, run.output[-4000:]
    assert run.calls[-1] == "terraform -chdir=infra plan -input=false -var bootstrap=true"


@pytest.mark.parametrize(
    "answer",
    [
        '{"errorMessage": "connection refused", "errorType": "OperationalError"}',
        "",
        "not json",
        '{"revision": null}',
    ],
    ids=["error-object", "empty", "not-json", "no-revision"],
)
def test_a_failed_migration_stops_the_deploy_loudly(workdir: Path, answer: str) -> None:
    run = deploy(workdir, state=True, invoke=answer)
    assert run.returncode != 0
    assert "migrate function did not succeed" in run.output
    assert run.calls.count(INVOKE) == 5, "retried, then given up"
    assert not any("--impersonate" in c for c in run.calls), "stopped there"
    if answer:
        assert answer in run.output


@pytest.mark.parametrize("missing", list(TOOLS))
def test_a_missing_tool_is_named_with_how_to_get_it(workdir: Path, missing: str) -> None:
    tools = tuple(t for t in TOOLS if t != missing)
    run = deploy(workdir, "--dry-run", tools=tools, hide=missing)
    assert run.returncode != 0
    assert f"'{missing}' is not on PATH" in run.output and "install" in run.output
    assert not run.calls


def test_missing_tfvars_and_state_settings_are_explained(workdir: Path) -> None:
    run = deploy(workdir, tfvars=None)
    assert run.returncode != 0 and "terraform.tfvars.example" in run.output and not run.calls
    run = deploy(workdir, TF_STATE_BUCKET="")
    assert run.returncode != 0 and "TF_STATE_BUCKET" in run.output and not run.calls


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
    bundled = build_functions.bundled_files(name)
    assert {e.split("/")[0] for e in entries} == {"index.py", "requirements.txt", "functions", "common", *bundled}
    under_functions = {e for e in entries if e.startswith("functions/")}
    assert {e.split("/")[1] for e in under_functions if e.count("/") > 1} - {"__pycache__"} == {name}
    assert "functions/__init__.py" in under_functions and f"functions/{name}/index.py" in entries
    common = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "common").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    sources = {e for e in entries if not e.endswith(".pyc")}
    assert {e for e in sources if e.startswith("common/")} == common
    # Every module of ours, and nothing else, compiled beside its source for the runtime (python312: cpython-312).
    compiled = {e for e in entries if e.endswith(".pyc")}
    expected = {
        f"{folder}/__pycache__/{file[:-3]}.cpython-312.pyc"
        for folder, _, file in (e.rpartition("/") for e in sources if e.endswith(".py") and "/" in e)
    }
    assert compiled == expected
    assert f"from functions.{name}.index import handler" in shim
    assert requirements == build_functions.requirements(name) and all("==" in r for r in requirements)


def test_the_runtime_imports_the_shipped_bytecode_without_compiling(first_deploy: Run, tmp_path: Path) -> None:
    """Unchecked-hash .pycs: a cold start neither compiles our modules nor needs the source's mtime (unzipping
    loses it). Proof: with a source file broken after unzipping, the import still runs the shipped bytecode."""
    with zipfile.ZipFile(first_deploy.repo / "build" / "functions" / "jobs.zip") as archive:
        archive.extractall(tmp_path)
    broken = "raise SystemExit('the source was compiled, not the .pyc')\n"
    (tmp_path / "common" / "domain" / "sizes.py").write_text(broken)
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); sys.dont_write_bytecode = True; "
        "import common.domain.sizes; print(common.domain.sizes.human_size(2048))"
    )
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "2.0 KB"), done.stderr[-2000:]


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


DUMMY_SETTINGS = dummy_settings()


def _import_in(venv: Path, code_dir: Path, statement: str, **env: str) -> subprocess.CompletedProcess[str]:
    code = f"import sys; sys.path.insert(0, {str(code_dir)!r}); {statement}"
    return subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", code],
        cwd=code_dir,
        env={"PATH": os.environ["PATH"], **DUMMY_SETTINGS, **env},
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


def test_the_migrate_zip_alone_brings_a_database_to_head(first_deploy: Run, tmp_path: Path) -> None:
    """The migrate function as the cloud runs it: its zip, its requirements, nothing else — twice (idempotent)."""
    code = tmp_path / "code"
    with zipfile.ZipFile(first_deploy.repo / "build" / "functions" / "migrate.zip") as archive:
        archive.extractall(code)
    assert (code / "alembic.ini").is_file() and (code / "migrations" / "env.py").is_file()
    venv = _venv_for((code / "requirements.txt").read_text())
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    statement = "import index, json; print(json.dumps(index.handler({}, None))); print(json.dumps(index.handler({})))"
    done = _import_in(venv, code, statement, DATABASE_URL=url)
    assert done.returncode == 0, done.stderr[-3000:]
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]  # the rest: log lines
    head = build_functions_head()
    assert answers == [{"revision": head}, {"revision": head}]


def build_functions_head() -> str:
    from common.store.migrate import head_revision

    head = head_revision()
    assert head
    return head


def test_the_clean_venvs_really_lack_what_was_not_asked_for(first_deploy: Run, tmp_path: Path) -> None:
    with zipfile.ZipFile(first_deploy.repo / "build" / "functions" / "auth.zip") as archive:
        archive.extractall(tmp_path)
    venv = _venv_for((tmp_path / "requirements.txt").read_text())
    # Installed in .venv, absent from auth's requirements (boto3 is there now: auth mails password resets).
    for module in ("yaml", "assemblyai", "faster_whisper"):
        done = _import_in(venv, tmp_path, f"import {module}")
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, module


# --- shell -----------------------------------------------------------------------------------------------------------


def test_shell_scripts_are_shellcheck_clean() -> None:
    if not shutil.which("shellcheck"):
        pytest.fail("shellcheck is needed (apt-get install shellcheck)")
    scripts = ["deploy.sh", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scripts").glob("*.sh"))]
    done = subprocess.run(["shellcheck", *scripts], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
