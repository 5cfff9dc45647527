"""Cold starts stay lean: after a cold import, no function holds a heavy module it does not need.

The list below is the one place that says what each function may leave out; a new import that drags one of these
in (at module level, or through common/) fails here, per function, naming the module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from common.domain.accounts.jwks import new_private_key_pem

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ONLY = ["yaml", "moto", "werkzeug", "faster_whisper", "ctranslate2", "numpy", "av", "local"]
PROVIDER = ["assemblyai", "httpx"]  # the AssemblyAI SDK: only where a provider call happens, and lazily
STORAGE = ["boto3", "botocore"]  # only where S3 (or Postbox: auth's reset mail) is called, and lazily
SIGNING = ["jwt", "cryptography"]  # only `auth` signs tokens, and only when it does; the gateway verifies them
HASHING = ["bcrypt"]  # only `auth` hashes passwords
MIGRATIONS = ["alembic"]

NOT_AT_COLD_IMPORT: dict[str, list[str]] = {
    "auth": [*LOCAL_ONLY, *PROVIDER, *STORAGE, *SIGNING, *MIGRATIONS],
    "files": [*LOCAL_ONLY, *PROVIDER, *STORAGE, *SIGNING, *HASHING, *MIGRATIONS],
    "jobs": [*LOCAL_ONLY, *PROVIDER, *STORAGE, *SIGNING, *HASHING, *MIGRATIONS],
    "upload_trigger": [*LOCAL_ONLY, *PROVIDER, *STORAGE, *SIGNING, *HASHING, *MIGRATIONS],
    "assemblyai_webhook": [*LOCAL_ONLY, *PROVIDER, *STORAGE, *SIGNING, *HASHING, *MIGRATIONS],
    "reconcile": [*LOCAL_ONLY, *PROVIDER, *STORAGE, *SIGNING, *HASHING, *MIGRATIONS],
    "migrate": [*LOCAL_ONLY, *PROVIDER, *STORAGE, *SIGNING, *HASHING],
}
CHILD = (
    "import importlib, json, sys; importlib.import_module(f'functions.{sys.argv[1]}.index');"
    " print(json.dumps(sorted(sys.modules)))"
)


def test_every_function_has_a_budget() -> None:
    assert sorted(NOT_AT_COLD_IMPORT) == sorted(p.parent.name for p in (ROOT / "functions").glob("*/index.py"))


@pytest.mark.parametrize("function", sorted(NOT_AT_COLD_IMPORT))
def test_a_cold_import_leaves_out_what_the_function_does_not_need(function: str) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "ENV": "test",
        "DOTENV_PATH": "/nonexistent",
        "DATABASE_URL": "postgresql://u:p@127.0.0.1:1/d",
        "JWT_PRIVATE_KEY": new_private_key_pem(),
        "JWT_KEY_ID": "k",
        "S3_BUCKET": "b",
        "S3_ACCESS_KEY_ID": "k",
        "S3_SECRET_ACCESS_KEY": "s",
        "ASSEMBLYAI_API_KEY": "a",
        "WEBHOOK_SECRET": "w",
        "PUBLIC_BASE_URL": "https://example.invalid",
        "MAIL_FROM": "noreply@example.invalid",
        "MAIL_ACCESS_KEY_ID": "m",
        "MAIL_SECRET_ACCESS_KEY": "s",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, function], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = set(json.loads(done.stdout))
    dragged_in = sorted(m for m in NOT_AT_COLD_IMPORT[function] if m in loaded)
    assert not dragged_in, f"functions/{function} now imports {dragged_in} at cold start"
