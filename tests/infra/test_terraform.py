"""Terraform held against the code: every function, route, trigger, variable, secret and role agrees with infra/."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from common.domain.uploads import keys
from common.runtime.config import REQUIREMENTS, SPEECHKIT_REQUIREMENTS, setting_names
from tests.infra.terraform import (
    FOLDERS,
    INFRA,
    ROOT,
    SPEC,
    declared_capabilities,
    dummy_settings,
    inline_checkov_skips,
    local,
    parsed,
    plain,
    references,
    resource,
    resources,
    terraform_binary,
    tf_files,
)

README = (INFRA / "README.md").read_text()
TEMPLATE_VARS = {
    "functions",
    "gateway_service_account_id",
    "spa_bucket",
    "token_keys_url",
    "spa_index_html",
    "media_origin",
    "speech_provider",
}
# The capabilities each function's handler declares (the contract with common/runtime/config.py's REQUIREMENTS).
CAPABILITIES = {
    "auth": ["database", "tokens", "mail"],
    "files": ["database", "storage"],
    "jobs": ["database", "storage", "provider"],
    "upload_trigger": ["database", "storage", "provider"],
    "assemblyai_webhook": ["database", "storage", "provider", "webhook"],
    "reconcile": ["database", "storage", "provider"],
    "migrate": ["database"],
}


def test_functions_folder_is_not_empty() -> None:
    assert FOLDERS, "no functions/<name>/index.py found"


# --- files, syntax, references ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", tf_files(), ids=lambda p: p.name)
def test_every_tf_file_parses(path) -> None:
    with path.open() as fh:
        assert hcl2.load(fh) is not None


def test_terraform_fmt_is_clean() -> None:
    done = subprocess.run(
        [terraform_binary(), "fmt", "-check", "-diff", "-recursive", str(INFRA)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"},
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_reference_resolves() -> None:
    doc = parsed()
    declared = {(kind, name) for kind, named in doc["resource"].items() for name in named}
    declared |= {("local", name) for name in doc["locals"]} | {("var", name) for name in doc["variable"]}
    missing = sorted(ref for ref in references() if ref not in declared)
    assert not missing, f"undeclared: {missing}"


def test_provider_is_pinned_and_state_is_remote() -> None:
    versions = (INFRA / "versions.tf").read_text()
    yandex = re.search(r'source\s+=\s+"yandex-cloud/yandex"\s+version\s+=\s+"~> 0\.(\d+)"', versions)
    assert yandex and int(yandex.group(1)) >= 221, "yandex_function_iam_member needs provider 0.221 or newer"
    assert re.search(r'source\s+=\s+"hashicorp/random"\s+version\s+=\s+"~> 3\.\d+"', versions)
    assert re.search(r'source\s+=\s+"hashicorp/tls"\s+version\s+=\s+"~> 4\.\d+"', versions)
    assert re.search(r'required_version\s+=\s+">= 1\.(9|1\d)"', versions), "cross-variable validation: >= 1.9"
    assert 'backend "s3"' in versions and "storage.yandexcloud.net" in versions
    assert "bucket" not in re.search(r'backend "s3" \{(.*?)\n  \}', versions, re.S).group(1).split("=")[0]


def test_tfvars_example_sets_only_declared_variables_and_every_required_one() -> None:
    with (INFRA / "terraform.tfvars.example").open() as fh:
        example = plain(hcl2.load(fh))
    variables = parsed()["variable"]
    assert set(example) <= set(variables), set(example) - set(variables)
    required = {name for name, spec in variables.items() if "default" not in spec}
    assert required <= set(example), required - set(example)
    assert any(line.strip() == "infra/terraform.tfvars" for line in (ROOT / ".gitignore").read_text().splitlines())


def test_sensitive_values_stay_sensitive() -> None:
    assert parsed()["variable"]["assemblyai_api_key"].get("sensitive") is True
    # The one private value an output carries is the DKIM key deploy.sh hands to Postbox (no Terraform resource can),
    # and it is sensitive: terraform prints it only when asked by name.
    outputs = parsed()["output"]
    assert outputs["mail_dkim_private_key"] == {
        "value": "${tls_private_key.dkim.private_key_pem_pkcs8}",  # PKCS#8, the format SES documents
        "sensitive": True,
        "description": outputs["mail_dkim_private_key"]["description"],
    }
    others = json.dumps({k: v for k, v in outputs.items() if k != "mail_dkim_private_key"})
    for secret in ("database_url", "random_password", "private_key_pem", "secret_key", "assemblyai_api_key"):
        assert secret not in others, f"an output exposes {secret}"
    public = parsed()["output"]["token_public_keys"]
    assert "public_key_pem" in public["value"] and not public.get("sensitive")


# --- functions -------------------------------------------------------------------------------------------------------


def test_one_function_per_folder() -> None:
    assert sorted(local("all_functions")) == FOLDERS
    fn = resource("yandex_function", "fn")
    assert fn["for_each"] == "${local.deployed_functions}"
    assert (fn["runtime"], fn["entrypoint"]) == ("python312", "index.handler")
    assert fn["concurrency"] == 1
    assert fn["user_hash"] == '${filesha256("${local.zip_dir}/${each.key}.zip")}'
    assert fn["content"][0]["zip_filename"] == "${local.zip_dir}/${each.key}.zip"
    assert local("zip_dir") == "${path.module}/../build/functions"
    assert fn["service_account_id"] == "${yandex_iam_service_account.function[each.key].id}"
    assert fn["log_options"][0]["log_group_id"] == "${yandex_logging_group.app.id}"
    assert resource("yandex_iam_service_account", "function")["for_each"] == "${local.functions}"


def test_every_handler_exists_and_imports() -> None:
    """Each functions/<name>/index.py defines handler and imports with (dummy) production settings."""
    code = (
        "import importlib, json, sys\n"
        "names = sys.argv[1:]\n"
        "print(json.dumps({n: callable(getattr(importlib.import_module(f'functions.{n}.index'), 'handler', None))"
        " for n in names}))\n"
    )
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        **dummy_settings(),
    }
    done = subprocess.run(
        [sys.executable, "-c", code, *FOLDERS], cwd=INFRA, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == dict.fromkeys(FOLDERS, True)


@pytest.mark.parametrize("function", FOLDERS)
def test_capabilities_match_the_handlers_load_settings_call(function: str) -> None:
    assert sorted(local("all_functions")[function]["capabilities"]) == sorted(declared_capabilities(function))


def test_capabilities_are_the_agreed_ones() -> None:
    assert {name: fn["capabilities"] for name, fn in local("all_functions").items()} == CAPABILITIES


def test_tokens_are_es256_keys_from_terraform_with_the_signing_key_in_lockbox() -> None:
    assert local("capability_secrets")["tokens"] == ["JWT_PRIVATE_KEY"]
    assert set(local("capability_env")["tokens"]) == {"JWT_KEY_ID", "ACCESS_TOKEN_EXPIRE_MINUTES"}
    assert local("capability_env")["tokens"]["JWT_KEY_ID"] == "${var.token_signing_key_id}"
    key = resource("tls_private_key", "token")
    assert key["for_each"] == "${toset(var.token_key_ids)}"
    assert (key["algorithm"], key["ecdsa_curve"]) == ("ECDSA", "P256")
    entries = {e["key"]: e["text_value"] for e in resource("yandex_lockbox_secret_version", "app")["entries"]}
    assert entries["JWT_PRIVATE_KEY"] == "${tls_private_key.token[var.token_signing_key_id].private_key_pem}"
    variables = parsed()["variable"]
    assert variables["token_key_ids"]["default"] == ["k1"] and variables["token_signing_key_id"]["default"] == "k1"
    validation = variables["token_signing_key_id"]["validation"][0]["condition"]
    assert validation == "${contains(var.token_key_ids, var.token_signing_key_id)}"
    assert resource("yandex_function", "fn")  # and nothing of the old shared-secret tokens is left:
    for path in [*tf_files(), INFRA / "terraform.tfvars.example", INFRA / "README.md", ROOT / "deploy.sh"]:
        text = path.read_text()
        assert "JWT_SECRET_KEY" not in text and "JWT_ALGORITHM" not in text and "HS256" not in text, path.name


PROVIDERS = ("assemblyai", "speechkit")


def capability_env(provider: str) -> dict[str, dict[str, Any]]:
    """local.capability_env as Terraform resolves it with var.speech_provider = provider."""
    env = dict(local("capability_env"))
    assert env["provider"] == "${merge(local.provider_common_env, local.provider_env[var.speech_provider])}"
    env["provider"] = {**local("provider_common_env"), **local("provider_env")[provider]}
    return env


def capability_secrets(provider: str) -> dict[str, list[str]]:
    secrets = dict(local("capability_secrets"))
    assert secrets["provider"] == "${local.provider_secrets[var.speech_provider]}"
    secrets["provider"] = local("provider_secrets")[provider]
    return secrets


def requirements(provider: str) -> dict[str, tuple[str, ...]]:
    return {**REQUIREMENTS, "provider": SPEECHKIT_REQUIREMENTS} if provider == "speechkit" else REQUIREMENTS


def deployed(provider: str) -> list[str]:
    """local.functions: every folder, but AssemblyAI's webhook only with AssemblyAI."""
    assert 'name != "assemblyai_webhook" || var.speech_provider == "assemblyai"' in local("functions")
    return [name for name in FOLDERS if name != "assemblyai_webhook" or provider == "assemblyai"]


def test_the_bootstrap_apply_creates_no_function_that_needs_the_gateway_url() -> None:
    deployed = local("deployed_functions")
    assert 'setintersection(fn.capabilities, ["provider", "mail"])' in deployed and "local.bootstrap" in deployed
    assert local("bootstrap") == '${local.public_base_url == ""}'
    # Every capability whose environment carries PUBLIC_BASE_URL waits for the second apply.
    with_url = {cap for cap, env in capability_env("assemblyai").items() if "PUBLIC_BASE_URL" in env}
    assert with_url == {"provider", "mail"}
    needs_url = {name for name, fn in local("all_functions").items() if with_url & set(fn["capabilities"])}
    assert needs_url == {"auth", "jobs", "upload_trigger", "assemblyai_webhook", "reconcile"}
    gateway = resource("yandex_api_gateway", "api")
    assert gateway["spec"].startswith("${local.bootstrap ? local.bootstrap_spec : templatefile(local.spec_file")
    (precondition,) = gateway["lifecycle"][0]["precondition"]
    assert precondition["condition"] == "${!local.bootstrap || var.bootstrap}"
    assert parsed()["variable"]["bootstrap"]["default"] is False
    # Everything that names one of those functions exists only when the function does.
    assert "local.deployed_functions" in resource("yandex_function_iam_member", "gateway_invokes")["for_each"]
    assert resource("yandex_function_iam_member", "triggers_invoke")["for_each"] == "${local.deployed_triggers}"
    assert "keys(local.deployed_functions)" in local("deployed_triggers")
    for name, key in (("upload", "upload_trigger"), ("reconcile", "reconcile")):
        assert resource("yandex_function_trigger", name)["count"] == (
            f'${{contains(local.deployed_triggers, "{key}") ? 1 : 0}}'
        )


def test_the_migrate_function_is_reachable_by_no_route_and_no_trigger() -> None:
    assert "migrate" not in re.findall(r"\$\{functions\.([a-z0-9_]+)\}", SPEC.read_text())
    assert "migrate" not in local("trigger_functions")
    assert parsed()["output"]["migrate_function_id"]["value"] == '${yandex_function.fn["migrate"].id}'
    assert local("all_functions")["migrate"]["timeout"] >= 300


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("function", FOLDERS)
def test_every_variable_a_function_needs_is_set_for_it(function: str, provider: str) -> None:
    if function not in deployed(provider):
        return
    capabilities = local("all_functions")[function]["capabilities"]
    env = {"ENV"} | {k for c in capabilities for k in capability_env(provider)[c]}
    secrets = {k for c in capabilities for k in capability_secrets(provider)[c]}
    needed = {var for c in capabilities for var in requirements(provider)[c]}
    assert needed <= env | secrets, f"missing for {function}: {sorted(needed - env - secrets)}"
    assert not env & secrets, "a variable is both plain and secret"
    assert provider == "assemblyai" or not {"ASSEMBLYAI_API_KEY", "WEBHOOK_SECRET", "PUBLIC_BASE_URL"} & (
        env | secrets
    ) - ({"PUBLIC_BASE_URL"} if "mail" in capabilities else set()), "SpeechKit deployments carry nothing of AssemblyAI"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_capability_maps_cover_every_capability_and_only_real_settings(provider: str) -> None:
    assert set(local("capability_env")) == set(REQUIREMENTS) == set(local("capability_secrets"))
    names = {k for m in capability_env(provider).values() for k in m} | {
        k for keys in capability_secrets(provider).values() for k in keys
    }
    assert names <= setting_names(), names - setting_names()
    assert capability_env(provider)["provider"]["SPEECH_PROVIDER"] == "${var.speech_provider}"
    fn = resource("yandex_function", "fn")
    assert fn["environment"].startswith('${merge({ENV = "prod"}') or "ENV" in fn["environment"]
    assert "local.capability_env[c]" in fn["environment"]
    secrets = fn["dynamic"][0]["secrets"]
    assert "local.capability_secrets[c]" in secrets["for_each"]
    body = secrets["content"][0]
    assert body["id"] == "${yandex_lockbox_secret.app.id}"
    assert body["version_id"] == "${yandex_lockbox_secret_version.app.id}"
    assert body["key"] == body["environment_variable"] == "${secrets.value}"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_secret_referenced_exists_in_lockbox_and_every_entry_is_used(provider: str) -> None:
    referenced = {
        k
        for name in deployed(provider)
        for c in local("all_functions")[name]["capabilities"]
        for k in capability_secrets(provider)[c]
    }
    version = resource("yandex_lockbox_secret_version", "app")
    (dynamic,) = version["dynamic"]
    assert dynamic["entries"]["for_each"] == "${toset(local.provider_secrets[var.speech_provider])}"
    entries = {e["key"] for e in version["entries"]} | set(local("provider_secrets")[provider])
    assert referenced == entries
    assert resource("yandex_lockbox_secret", "app")["kms_key_id"] == "${yandex_kms_symmetric_key.secrets.id}"


def test_functions_using_the_database_run_in_its_network() -> None:
    dynamic = {k: v for block in resource("yandex_function", "fn")["dynamic"] for k, v in block.items()}
    connectivity = dynamic["connectivity"]
    assert 'contains(each.value.capabilities, "database")' in connectivity["for_each"]
    assert "yandex_vpc_network.main.id" in connectivity["for_each"]
    subnets = resource("yandex_vpc_subnet", "main")
    assert subnets["for_each"] == "${var.network_cidrs}"
    zones = set(parsed()["variable"]["network_cidrs"]["default"])
    assert zones == {"ru-central1-a", "ru-central1-b", "ru-central1-d"}, "functions need a subnet in every zone"


# --- gateway ---------------------------------------------------------------------------------------------------------


def _integrations(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "x-yc-apigateway-integration" and isinstance(value, dict):
                found.append(value)
            else:
                found.extend(_integrations(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_integrations(item))
    return found


def _spec_functions() -> set[str]:
    spec = yaml.safe_load(SPEC.read_text())
    names = set()
    for integration in _integrations(spec):
        if integration.get("type") == "cloud_functions":
            match = re.fullmatch(r"\$\{functions\.([a-z0-9_]+)\}", str(integration.get("function_id")))
            assert match, f"function_id must be ${{functions.<name>}}: {integration}"
            names.add(match.group(1))
    return names


def test_every_gateway_integration_names_a_terraform_function() -> None:
    routed = _spec_functions()
    assert routed, "the spec routes to no function"
    assert routed <= set(local("all_functions")), routed - set(local("all_functions"))
    assert "regexall" in local("http_functions") and "local.spec_file" in local("http_functions")
    invoke = resource("yandex_function_iam_member", "gateway_invokes")
    assert invoke["for_each"] == "${setintersection(local.http_functions, keys(local.deployed_functions))}"
    assert invoke["role"] == "functions.functionInvoker"


def test_the_spec_renders_as_a_terraform_template() -> None:
    """templatefile() reads every ${...} and %{...} in the file — comments included — as template syntax."""
    text = SPEC.read_text()
    directives = re.findall(r"(?<!%)%\{[^}]*\}", text)
    # The one conditional: AssemblyAI's webhook route (gateway.tf passes speech_provider).
    expected = ['%{ if speech_provider == "assemblyai" }', "%{ endif }"]
    assert directives == expected, f"template directives in the spec (write %%{{ for a literal): {directives}"
    bad = []
    for expr in re.findall(r"(?<!\$)\$\{([^}]*)\}", text):
        head = expr.removeprefix("jsonencode(").removesuffix(")").split(".")[0].strip()
        if head not in TEMPLATE_VARS or (head == "functions" and expr.strip()[len("functions.") :] not in FOLDERS):
            bad.append("${" + expr + "}")
    assert not bad, f"not valid template expressions (escape a literal as $${{...}}): {bad}"
    rendered = re.sub(
        r"(?<!\$)\$\{([^}]*)\}", lambda m: "id-" + m.group(1).replace(".", "-").replace("_", "-"), text
    ).replace("$${", "${")
    spec = yaml.safe_load(rendered)
    assert spec["openapi"].startswith("3.") and spec["paths"]
    gateway = resource("yandex_api_gateway", "api")
    assert "templatefile(local.spec_file" in gateway["spec"]
    assert local("spec_file") == "${path.module}/api/openapi.yaml"
    for var in TEMPLATE_VARS:
        assert f"{var} " in gateway["spec"] or f"{var}=" in gateway["spec"], var


def test_the_spa_is_served_from_its_private_bucket() -> None:
    spec = yaml.safe_load(SPEC.read_text())
    buckets = {i.get("bucket") for i in _integrations(spec) if i.get("type") == "object_storage"}
    assert buckets == {"${spa_bucket}"}
    assert resource("yandex_storage_bucket_iam_binding", "gateway_reads_spa")["role"] == "storage.viewer"


def test_the_token_keys_live_in_a_public_unencrypted_bucket_the_spec_points_at() -> None:
    keys = resource("yandex_storage_bucket", "keys")
    assert keys["anonymous_access_flags"][0] == {"read": True, "list": False, "config_read": False}
    assert "server_side_encryption_configuration" not in keys, "anonymous reads cannot decrypt SSE-KMS objects"
    assert keys["disabled_statickey_auth"] is True
    assert local("token_keys_url") == "https://storage.yandexcloud.net/${yandex_storage_bucket.keys.bucket}"
    assert "token_keys_url             = local.token_keys_url" in (INFRA / "gateway.tf").read_text()
    for name in ("keys_bucket", "token_keys_url", "token_public_keys"):
        assert name in parsed()["output"], name


# --- triggers --------------------------------------------------------------------------------------------------------


def test_upload_trigger_fires_on_new_objects_under_uploads() -> None:
    upload = resource("yandex_function_trigger", "upload")
    storage = upload["object_storage"][0]
    assert storage["bucket_id"] == "${yandex_storage_bucket.media.id}"
    assert (storage["prefix"], storage["create"]) == (keys.UPLOAD_PREFIX, True)
    assert not storage.get("delete") and not storage.get("update")
    function = upload["function"][0]
    assert function["id"] == '${yandex_function.fn["upload_trigger"].id}'
    assert function["service_account_id"] == "${yandex_iam_service_account.triggers.id}"
    assert 1 <= int(function["retry_attempts"]) <= 5 and 10 <= int(function["retry_interval"]) <= 60
    dlq = upload["dlq"][0]
    assert dlq["queue_id"] == "${yandex_message_queue.upload_dlq.arn}"
    assert dlq["service_account_id"] == "${yandex_iam_service_account.triggers.id}"


def test_queue_and_functions_wait_for_their_grants() -> None:
    """Role grants that race the resources using them on a first apply (audit item: depends_on)."""
    queue = resource("yandex_message_queue", "upload_dlq")
    assert queue["depends_on"] == ["${yandex_resourcemanager_folder_iam_member.queues_admin}"]
    waits = set(resource("yandex_function", "fn")["depends_on"])
    assert {
        "${yandex_lockbox_secret_iam_member.function_reads_secret}",
        "${yandex_kms_symmetric_key_iam_member.function_decrypts_secret}",
        "${yandex_resourcemanager_folder_iam_member.functions_write_logs}",
    } <= waits
    gateway_waits = set(resource("yandex_api_gateway", "api")["depends_on"])
    assert "${yandex_function_iam_member.gateway_invokes}" in gateway_waits
    assert "${yandex_storage_bucket_iam_binding.gateway_reads_spa}" in gateway_waits
    # Buckets are managed with the deployer's IAM token: no static key, so no storage-admin grant to wait for.
    for name, bucket in resources("yandex_storage_bucket").items():
        assert "access_key" not in bucket and "secret_key" not in bucket, name


def test_timer_runs_reconcile_every_minute() -> None:
    timer = resource("yandex_function_trigger", "reconcile")
    assert timer["timer"][0]["cron_expression"] == "* * * * ? *"
    assert timer["function"][0]["id"] == '${yandex_function.fn["reconcile"].id}'
    assert local("all_functions")["reconcile"]["timeout"] < 60, "a run should end before the next one starts"


def test_an_idempotency_key_in_progress_outlives_every_function_that_takes_keys() -> None:
    from common.runtime.config import Settings

    takes_keys = [p.parent.name for p in (ROOT / "functions").glob("*/index.py") if "idempotent(" in p.read_text()]
    assert sorted(takes_keys) == ["files", "jobs"]
    longest = max(local("all_functions")[name]["timeout"] for name in takes_keys)
    # Expiring sooner would let a retry run beside a first request that is still alive.
    assert longest < Settings.IDEMPOTENCY_IN_PROGRESS_SECONDS <= longest + 30


def test_triggers_may_invoke_exactly_their_functions() -> None:
    assert set(re.findall(r'"([a-z_]+)"', local("trigger_functions"))) == {"upload_trigger", "reconcile"}
    invoke = resource("yandex_function_iam_member", "triggers_invoke")
    assert invoke["for_each"] == "${local.deployed_triggers}"
    assert invoke["member"] == "serviceAccount:${yandex_iam_service_account.triggers.id}"


# --- storage ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["media", "spa"])
def test_media_and_web_buckets_are_private(name: str) -> None:
    bucket = resource("yandex_storage_bucket", name)
    assert bucket["anonymous_access_flags"][0] == {"read": False, "list": False, "config_read": False}
    assert "acl" not in bucket and "grant" not in bucket and "policy" not in bucket
    assert bucket["folder_id"] == "${var.folder_id}"


def test_only_the_media_bucket_is_kms_encrypted() -> None:
    media = resource("yandex_storage_bucket", "media")
    sse = media["server_side_encryption_configuration"][0]["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert sse == {"sse_algorithm": "aws:kms", "kms_master_key_id": "${yandex_kms_symmetric_key.media.id}"}
    # The web app is public content written by the deployer and read by the gateway: no KMS grants to get wrong.
    assert "server_side_encryption_configuration" not in resource("yandex_storage_bucket", "spa")
    assert set(resources("yandex_kms_symmetric_key")) == {"media", "secrets"}
    assert resource("yandex_storage_bucket", "spa")["disabled_statickey_auth"] is True


def test_no_bucket_is_an_access_log_target_or_logs_into_an_encrypted_one() -> None:
    """Object Storage refuses encrypted bucket-log targets; access logs are off (README: Media bucket)."""
    buckets = resources("yandex_storage_bucket")
    for name, bucket in buckets.items():
        for logging in bucket.get("logging", []):
            target = logging["target_bucket"].split(".")[1]
            assert "server_side_encryption_configuration" not in buckets[target], f"{name} logs into {target}"


def test_media_bucket_cors_and_lifecycle() -> None:
    media = resource("yandex_storage_bucket", "media")
    (cors,) = media["cors_rule"]
    assert sorted(cors["allowed_methods"]) == ["GET", "HEAD", "PUT"]
    assert cors["allowed_origins"] == "${local.app_origins}"
    assert "*" not in cors["allowed_headers"] and "Content-Type" in cors["allowed_headers"]
    rules = {r["id"]: r for r in media["lifecycle_rule"]}
    abort = rules["abort-incomplete-multipart"]
    assert abort["enabled"] is True and abort["abort_incomplete_multipart_upload_days"] == 1
    assert "prefix" not in abort, "abandoned multipart uploads are aborted everywhere"
    # Every prefix recordings are kept under (common/domain/uploads/keys.py) expires after the retention, through
    # `filter` (the rule-level `prefix` is deprecated).
    expiring = {r["filter"][0]["prefix"]: r for r in media["lifecycle_rule"] if "expiration" in r and "prefix" not in r}
    assert set(expiring) == {keys.UPLOAD_PREFIX, keys.STORED_PREFIX}
    for rule in expiring.values():
        assert rule["enabled"] is True and rule["expiration"][0]["days"] == "${var.media_retention_days}"
    assert media["versioning"][0]["enabled"] is False
    assert "*" not in json.dumps(local("app_origins"))


def test_only_the_media_account_reaches_the_media_bucket() -> None:
    binding = resource("yandex_storage_bucket_iam_binding", "media_editor")
    assert binding["bucket"] == "${yandex_storage_bucket.media.bucket}"
    assert binding["members"] == ["serviceAccount:${yandex_iam_service_account.media.id}"]
    storage_roles = {
        r["role"] for r in resources("yandex_resourcemanager_folder_iam_member").values() if "storage" in r["role"]
    }
    assert not storage_roles, "storage roles are granted per bucket, never on the folder"


# --- database --------------------------------------------------------------------------------------------------------


def test_database_is_postgres_16_behind_a_transaction_pooler_with_serverless_access() -> None:
    cluster = resource("yandex_mdb_postgresql_cluster", "db")
    config = cluster["config"][0]
    assert str(config["version"]) == "16"
    assert config["access"][0]["serverless"] is True
    assert config["access"][0]["web_sql"] is False and config["access"][0]["data_lens"] is False
    assert config["pooler_config"][0]["pooling_mode"] == "TRANSACTION"
    assert cluster["security_group_ids"] == ["${yandex_vpc_security_group.db.id}"]
    assert cluster["deletion_protection"] is True
    host = cluster["dynamic"][0]["host"]["content"][0]
    assert host["assign_public_ip"] is False


def test_database_url_uses_the_pooler_with_tls_and_the_generated_password() -> None:
    url = local("database_url")
    assert url.startswith(
        "postgresql://${local.db_user}:${urlencode(random_password.db.result)}@${local.db_host}:6432/"
    )
    assert url.endswith("?sslmode=verify-full")  # the host checked against the CA the zips carry (common/store/db.py)
    assert local("db_host") == "c-${yandex_mdb_postgresql_cluster.db.id}.rw.mdb.yandexcloud.net"
    assert resource("yandex_mdb_postgresql_user", "app")["password"] == "${random_password.db.result}"


def test_security_group_admits_the_functions_only() -> None:
    sg = resource("yandex_vpc_security_group", "db")
    static = {r["description"]: r for r in sg["ingress"]}
    functions = static["Functions attached to this network"]
    assert (functions["protocol"], functions["port"]) == ("TCP", 6432)
    assert functions["v4_cidr_blocks"] == "${var.function_source_cidrs}"
    assert "dynamic" not in sg and "deployer_cidrs" not in parsed()["variable"]
    everything = json.dumps(sg)
    assert "0.0.0.0/0" not in everything


# --- IAM, scanner, docs ----------------------------------------------------------------------------------------------


def _all_roles() -> set[str]:
    roles = set()
    for kind, named in parsed()["resource"].items():
        if kind.endswith(("_iam_member", "_iam_binding")):
            roles.update(r["role"] for r in named.values())
    return roles


def test_no_primitive_roles_and_every_role_is_explained_in_the_readme() -> None:
    roles = _all_roles()
    assert not roles & {"admin", "editor", "viewer", "owner"}
    table = README.split("## Service accounts and roles", 1)[1].split("\n## ", 1)[0]
    missing = sorted(r for r in roles if f"`{r}`" not in table)
    assert not missing, f"roles missing from README's table: {missing}"


def test_every_service_account_is_in_the_readme_table() -> None:
    table = README.split("## Service accounts and roles", 1)[1].split("\n## ", 1)[0]
    for name, account in resources("yandex_iam_service_account").items():
        shown = "fn-<name>" if name == "function" else account["name"].replace("${var.name}-", "")
        assert f"`{shown}`" in table, shown


def test_checkov_skips_are_explained_in_the_readme() -> None:
    config = yaml.safe_load((INFRA / ".checkov.yaml").read_text()) or {}
    skipped = config.get("skip-check") or []
    scanner = README.split("## Scanner", 1)[1].split("\n## ", 1)[0]
    for check in skipped:
        assert check in scanner, f"{check} is skipped folder-wide without a reason in README.md"
    inline = inline_checkov_skips()
    for check, where in inline.items():
        assert check in scanner, f"{check} is skipped ({where}) without a reason in README.md"
        for resource_name in where:
            assert f"`{resource_name.split('.')[1]}`" in scanner, f"README's Scanner does not name {resource_name}"
    count = sum(len(where) for where in inline.values())
    assert f"{count} skipped" in scanner, f"README's Scanner should say {count} skipped"


def test_checkov_passes() -> None:
    if not (ROOT / ".venv-checkov" / "bin" / "checkov").exists():
        pytest.skip("checkov is not installed here (scripts/checkov.sh installs it into .venv-checkov)")
    done = subprocess.run(
        [str(ROOT / "scripts" / "checkov.sh")], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Failed checks: 0" in done.stdout


def test_every_variable_and_local_is_used() -> None:
    refs = references()
    assert set(parsed()["variable"]) == {name for kind, name in refs if kind == "var"}
    assert set(parsed()["locals"]) == {name for kind, name in refs if kind == "local"}


YANDEX_ROLES = Path(__file__).parent / "vendor" / "yandex-roles.txt"


def _yandex_roles() -> tuple[set[str], set[str]]:
    """The vendored role list (provenance in its header) and the services it covers."""
    lines = YANDEX_ROLES.read_text().splitlines()
    services = set(next(line for line in lines if line.startswith("# services:")).split(":", 1)[1].split())
    return {line for line in lines if line and not line.startswith("#")}, services


def _readme_roles() -> set[str]:
    """Every `service.role` the README's role table and deploy steps name."""
    named = re.findall(r"`((?:functions|iam|kms|lockbox|logging|postbox|storage|ymq|ai)\.[A-Za-z.-]+)`", README)
    return {n for n in named if not n.endswith((".tf", ".py", ".md"))}  # file names are not roles


def test_every_role_in_infra_and_its_readme_exists_in_yandexs_role_list() -> None:
    known, services = _yandex_roles()
    used = _all_roles() | _readme_roles()
    assert used, "no role found: the parsing is broken"
    uncovered = sorted(r for r in used if r.split(".")[0] not in services)
    assert not uncovered, f"vendor the role list of these services first: {uncovered}"
    unknown = sorted(used - known)
    assert not unknown, f"roles Yandex does not document: {unknown}"


def test_the_role_check_catches_a_misspelt_role() -> None:
    known, _ = _yandex_roles()
    assert "kms.keys.encrypterDecrypter" in known and "kms.keys.encryptDecrypter" not in known


def test_functions_decrypt_the_secret_with_the_role_lockbox_documents() -> None:
    grant = resource("yandex_kms_symmetric_key_iam_member", "function_decrypts_secret")
    assert grant["role"] == "kms.keys.encrypterDecrypter"
    assert grant["symmetric_key_id"] == "${yandex_kms_symmetric_key.secrets.id}"  # this key only, not the folder


def test_a_new_secret_version_exists_before_the_old_one_is_scheduled_for_destruction() -> None:
    version = resource("yandex_lockbox_secret_version", "app")
    assert version["lifecycle"][0]["create_before_destroy"] is True


def test_the_mail_domain_is_registered_by_a_service_account_of_the_folder_with_postbox_editor() -> None:
    grant = resource("yandex_resourcemanager_folder_iam_member", "postbox_admin")
    assert (grant["folder_id"], grant["role"]) == ("${var.folder_id}", "postbox.editor")
    assert grant["member"] == "serviceAccount:${yandex_iam_service_account.postbox_admin.id}"
    assert "yandex_iam_service_account_key" not in parsed()["resource"], "impersonated: no key to leak"
    assert parsed()["output"]["postbox_admin_service_account_id"]["value"].endswith("postbox_admin.id}")


def test_the_database_user_leaves_the_reserved_connections_free() -> None:
    # max_connections - 15 must cover every user's conn_limit; PostgreSQL's default max_connections is 100.
    assert resource("yandex_mdb_postgresql_user", "app")["conn_limit"] <= 100 - 15


def test_the_state_account_reaches_its_bucket_only() -> None:
    """The bootstrap of the state bucket grants tf-state an ACL on that bucket, never a role on the folder."""
    step = README.split("2. **Bootstrap the state bucket (once).**", 1)[1].split("3. **Variables.**", 1)[0]
    assert "folder add-access-binding" not in step
    assert "grant-type=grant-type-account" in step and "permission=permission-full-control" in step
