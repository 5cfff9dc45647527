"""Terraform held against the code: every function, route, trigger, variable and secret agrees with infra/."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest

from common.config import REQUIREMENTS
from local.gateway import spec as gateway_spec

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"


def _plain(value: Any) -> Any:
    """python-hcl2 keeps string quotes; strip them so values compare as HCL means them."""
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items() if k != "__is_block__"}
    return value


@cache
def parsed() -> dict[str, Any]:
    docs: dict[str, Any] = {"resource": {}, "locals": {}, "variable": {}}
    for path in sorted(INFRA.glob("*.tf")):
        with path.open() as fh:
            doc = _plain(hcl2.load(fh))
        for block in doc.get("resource", []):
            for kind, named in block.items():
                docs["resource"].setdefault(kind, {}).update(named)
        for block in doc.get("locals", []):
            docs["locals"].update(block)
        for block in doc.get("variable", []):
            docs["variable"].update(block)
    return docs


def resource(kind: str, name: str) -> dict[str, Any]:
    return dict(parsed()["resource"][kind][name])


def declared_capabilities(function: str) -> list[str]:
    """The capabilities a handler checks at cold start: the arguments of its load_settings(...) call."""
    tree = ast.parse((ROOT / "functions" / function / "index.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "load_settings":
            return [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
    raise AssertionError(f"functions/{function}/index.py never calls load_settings")


FOLDERS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/index.py"))


def test_every_tf_file_parses_and_the_provider_is_pinned() -> None:
    assert len(list(INFRA.glob("*.tf"))) >= 8
    versions = (INFRA / "versions.tf").read_text()
    assert 'source  = "yandex-cloud/yandex"' in versions and re.search(r'version\s+=\s+"~> 0\.\d+"', versions)
    assert 'backend "s3"' in versions


def test_one_function_per_folder_with_an_entrypoint_that_exists() -> None:
    functions = parsed()["locals"]["functions"]
    assert sorted(functions) == FOLDERS
    fn = resource("yandex_function", "fn")
    assert fn["for_each"] == "${local.functions}"
    assert (fn["runtime"], fn["entrypoint"]) == ("python312", "index.handler")
    assert "filesha256" in fn["user_hash"] and "zip" in fn["user_hash"]
    for name in FOLDERS:
        assert "def handler(event" in (ROOT / "functions" / name / "index.py").read_text()


def test_every_gateway_integration_names_a_terraform_function() -> None:
    functions = set(parsed()["locals"]["functions"])
    routed = {r.function for r in gateway_spec.default().routes if r.function}
    assert routed <= functions
    assert set(parsed()["locals"]["http_functions"]) == routed
    gateway = resource("yandex_api_gateway", "api")
    assert "templatefile" in gateway["spec"] and "api/openapi.yaml" in gateway["spec"]
    for var in ("functions", "gateway_service_account_id", "spa_bucket"):
        assert var in gateway["spec"]


def test_triggers_point_at_the_right_functions_and_prefix() -> None:
    upload = resource("yandex_function_trigger", "upload")
    storage = upload["object_storage"][0]
    assert storage["prefix"] == "uploads/" and storage["create"] is True
    assert "yandex_storage_bucket.media" in storage["bucket_id"]
    assert upload["function"][0]["id"] == '${yandex_function.fn["upload_trigger"].id}'
    assert int(upload["function"][0]["retry_attempts"]) >= 3 and upload["dlq"]
    timer = resource("yandex_function_trigger", "reconcile")
    assert timer["function"][0]["id"] == '${yandex_function.fn["reconcile"].id}'
    assert timer["timer"][0]["cron_expression"]


@pytest.mark.parametrize("function", FOLDERS)
def test_every_variable_a_function_needs_is_set_for_it(function: str) -> None:
    local = parsed()["locals"]
    capabilities = local["functions"][function]["capabilities"]
    assert sorted(capabilities) == sorted(declared_capabilities(function))
    env = {"ENV"} | {k for c in capabilities for k in local["capability_env"][c]}
    secrets = {k for c in capabilities for k in local["capability_secrets"][c]}
    needed = {var for c in capabilities for var in REQUIREMENTS[c]}
    assert needed <= env | secrets, needed - env - secrets
    assert not env & secrets


def test_every_secret_referenced_exists_in_lockbox() -> None:
    referenced = {k for keys in parsed()["locals"]["capability_secrets"].values() for k in keys}
    entries = {e["key"] for e in resource("yandex_lockbox_secret_version", "app")["entries"]}
    assert referenced <= entries and referenced == entries


def test_media_bucket_is_private_encrypted_and_expires_recordings() -> None:
    media = resource("yandex_storage_bucket", "media")
    assert media["anonymous_access_flags"][0] == {"read": False, "list": False, "config_read": False}
    sse = media["server_side_encryption_configuration"][0]["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert sse["sse_algorithm"] == "aws:kms"
    cors = media["cors_rule"][0]
    assert sorted(cors["allowed_methods"]) == ["GET", "HEAD", "PUT"] and "*" not in cors["allowed_origins"]
    rules = {r["id"]: r for r in media["lifecycle_rule"]}
    assert rules["abort-incomplete-multipart"]["abort_incomplete_multipart_upload_days"] == 1
    assert rules["expire-recordings"]["prefix"] == "uploads/"


def test_database_allows_functions_behind_a_transaction_pooler() -> None:
    config = resource("yandex_mdb_postgresql_cluster", "db")["config"][0]
    assert config["access"][0]["serverless"] is True
    assert config["pooler_config"][0]["pooling_mode"] == "TRANSACTION"
