"""Reading infra/*.tf as data for the infra tests (python-hcl2), and the capability convention of the handlers."""

from __future__ import annotations

import ast
import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
SPEC = INFRA / "api" / "openapi.yaml"
META_KEYS = {"__is_block__", "__comments__", "__inline_comments__", "__start_line__", "__end_line__"}


def plain(value: Any) -> Any:
    """python-hcl2 keeps string quotes and comment metadata; strip both so values compare as HCL means them."""
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items() if k not in META_KEYS}
    return value


def tf_files() -> list[Path]:
    return sorted(INFRA.glob("*.tf"))


@cache
def parsed() -> dict[str, Any]:
    docs: dict[str, Any] = {"resource": {}, "locals": {}, "variable": {}, "output": {}, "data": {}}
    for path in tf_files():
        with path.open() as fh:
            doc = plain(hcl2.load(fh))
        for section in ("resource", "data"):
            for block in doc.get(section, []):
                for kind, named in block.items():
                    docs[section].setdefault(kind, {}).update(named)
        for section in ("variable", "output"):
            for block in doc.get(section, []):
                docs[section].update(block)
        for block in doc.get("locals", []):
            docs["locals"].update(block)
    return docs


def resource(kind: str, name: str) -> dict[str, Any]:
    return dict(parsed()["resource"][kind][name])


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return dict(parsed()["resource"].get(kind, {}))


def local(name: str) -> Any:
    return parsed()["locals"][name]


def code_without_comments(path: Path) -> str:
    """The file's text with `#` and `//` comments removed (outside of strings)."""
    out = []
    for line in path.read_text().splitlines():
        in_string = False
        cut = len(line)
        for i, ch in enumerate(line):
            if ch == '"' and (i == 0 or line[i - 1] != "\\"):
                in_string = not in_string
            elif not in_string and (ch == "#" or line.startswith("//", i)):
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def references() -> set[tuple[str, str]]:
    """Every (kind, name) the code refers to: resources, locals and variables."""
    refs: set[tuple[str, str]] = set()
    pattern = re.compile(r"\b((?:yandex|random|tls)_[a-z0-9_]+|local|var)\.([a-z0-9_]+)")
    for path in tf_files():
        text = code_without_comments(path)
        text = re.sub(r'^\s*resource\s+"[^"]+"\s+"[^"]+"', "", text, flags=re.M)
        refs.update(pattern.findall(text))
    return refs


def declared_capabilities(function: str) -> list[str]:
    """The capabilities a handler checks at cold start: the string arguments of its module-level load_settings(...)."""
    tree = ast.parse((ROOT / "functions" / function / "index.py").read_text())
    calls = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Expr | ast.Assign)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", getattr(node.value.func, "attr", "")) == "load_settings"
    ]
    if len(calls) != 1:
        raise AssertionError(
            f"functions/{function}/index.py: expected one module-level load_settings(...), found {len(calls)}"
        )
    args = calls[0].args
    if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args) or calls[0].keywords:
        raise AssertionError(f"functions/{function}/index.py: load_settings takes literal capability names only")
    return [a.value for a in args if isinstance(a, ast.Constant)]


FOLDERS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/index.py"))


# --- The Yandex provider's schema (tests/infra/vendor/, see its README.md for provenance) ---

VENDOR = Path(__file__).resolve().parent / "vendor"
SCHEMA_FILE = VENDOR / "terraform-schema.json"
# Meta-arguments Terraform itself understands on any resource (`dynamic` is walked, not skipped).
RESOURCE_META = {"count", "for_each", "depends_on", "lifecycle", "provider", "connection", "provisioner"}


@cache
def provider_schema() -> dict[str, Any]:
    """Resource type → {argument or block: {type, required?, read_only?, deprecated?, block?}}."""
    with SCHEMA_FILE.open() as fh:
        return json.load(fh)["resources"]


def _unquote(name: str) -> str:
    return name[1:-1] if len(name) >= 2 and name[0] == name[-1] == '"' else name


def _is_block(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(i, dict) and i.get("__is_block__") for i in items)


def _check_body(where: str, body: dict[str, Any], spec: dict[str, Any], problems: list[str]) -> None:
    """One resource body (or nested block body) against its schema level. python-hcl2 marks blocks with
    `__is_block__`; an argument written as a block (or the reverse) is reported, as Terraform would."""
    present: set[str] = set()
    for raw_name, value in body.items():
        name = _unquote(raw_name)
        if name.startswith("__") or name in RESOURCE_META:
            continue
        if name == "dynamic":
            for entry in value if isinstance(value, list) else [value]:
                for raw_label, dyn in entry.items():
                    label = _unquote(raw_label)
                    if label.startswith("__"):
                        continue
                    present.add(label)
                    if label not in spec:
                        problems.append(f"{where}: unknown block '{label}' (dynamic)")
                    elif spec[label]["type"] != "block":
                        problems.append(f"{where}: '{label}' is an argument, not a block (dynamic)")
                    else:
                        contents = dyn.get("content") or []
                        if not contents:
                            problems.append(f"{where}: dynamic '{label}' has no content block")
                        for item in contents if isinstance(contents, list) else [contents]:
                            _check_body(f"{where}.{label}", item, spec[label].get("block", {}), problems)
            continue
        present.add(name)
        if name not in spec:
            problems.append(f"{where}: unknown argument or block '{name}'")
            continue
        entry = spec[name]
        if entry.get("deprecated"):
            problems.append(f"{where}: '{name}' is deprecated")
        if entry["type"] == "block":
            if not _is_block(value):
                problems.append(f"{where}: '{name}' is a block, written as an argument")
                continue
            for item in value if isinstance(value, list) else [value]:
                _check_body(f"{where}.{name}", item, entry.get("block", {}), problems)
        elif _is_block(value):
            problems.append(f"{where}: '{name}' is an argument ({entry['type']}), written as a block")
    # `read_only` is a hint only: the docs call some Optional+Computed arguments Read-Only (vendor/README.md).
    for name, entry in spec.items():
        if entry.get("required") and name not in present:
            problems.append(f"{where}: required '{name}' is missing")


def schema_problems(files: list[Path] | None = None) -> tuple[int, list[str]]:
    """Every `yandex_*` resource in infra/*.tf against the provider's schema: (resources checked, problems)."""
    schema = provider_schema()
    problems: list[str] = []
    count = 0
    for path in files if files is not None else tf_files():
        with path.open() as fh:
            doc = hcl2.load(fh)
        for block in doc.get("resource", []):
            for raw_type, named in block.items():
                rtype = _unquote(raw_type)
                if not rtype.startswith("yandex_"):
                    continue  # another provider (random, tls)
                for raw_name, body in named.items():
                    if raw_name.startswith("__"):
                        continue
                    count += 1
                    where = f"{path.name}: {rtype}.{_unquote(raw_name)}"
                    if rtype not in schema:
                        problems.append(f"{where}: unknown resource type")
                        continue
                    _check_body(where, body, schema[rtype], problems)
    return count, problems


# --- the terraform binary (fmt, and templatefile() through `terraform console`; no provider is ever needed) ---


def terraform_binary() -> str:
    """The terraform on PATH. Without one, a test that needs it FAILS when CI is set and is skipped loudly otherwise
    (a warning in pytest's summary, besides the skip reason)."""
    found = shutil.which("terraform")
    if found:
        return found
    reason = "no terraform binary on PATH (install Terraform >= 1.9): this Terraform check did not run"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, where it must run")
    warnings.warn(reason, stacklevel=2)
    pytest.skip(reason)


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def console(expression: str) -> str:
    """The string value of an HCL expression, evaluated by `terraform console` in an empty folder (built-in functions
    only: no configuration, no provider, no network). Raises AssertionError with Terraform's message on an error."""
    binary = terraform_binary()
    with tempfile.TemporaryDirectory() as empty:
        done = subprocess.run(
            [binary, "console"],
            input=f"base64encode({expression})\n",
            cwd=empty,
            env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    out = done.stdout.strip()
    if done.returncode != 0 or not (out.startswith('"') and out.endswith('"')):
        raise AssertionError(f"terraform console failed:\n{ANSI.sub('', done.stdout + done.stderr)[-3000:]}")
    return base64.b64decode(out[1:-1]).decode()


def hcl_string(value: str) -> str:
    """A Python string as an HCL string literal (JSON escapes are valid HCL; `${` and `%{` must be doubled)."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def hcl_value(value: Any) -> str:
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{hcl_string(k)} = {hcl_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def inline_checkov_skips() -> dict[str, list[str]]:
    """check id → the resources whose block skips it with a `# checkov:skip=ID: reason` comment."""
    skips: dict[str, list[str]] = {}
    for path in tf_files():
        current = ""
        for line in path.read_text().splitlines():
            if match := re.match(r'resource\s+"([^"]+)"\s+"([^"]+)"', line):
                current = f"{match.group(1)}.{match.group(2)}"
            if match := re.search(r"#\s*checkov:skip=([A-Z0-9_]+)\s*:\s*(\S.*)", line):
                skips.setdefault(match.group(1), []).append(current)
    return skips


def dummy_settings() -> dict[str, str]:
    """Production-shaped settings for importing handlers outside the cloud (values are placeholders)."""
    from common.domain.accounts.jwks import new_private_key_pem

    return {
        "ENV": "prod",
        "DATABASE_URL": "postgresql://u:p@127.0.0.1:6432/d?sslmode=require",
        "JWT_PRIVATE_KEY": new_private_key_pem(),
        "JWT_KEY_ID": "k1",
        "S3_BUCKET": "media",
        "S3_ACCESS_KEY_ID": "k",
        "S3_SECRET_ACCESS_KEY": "s",
        "ASSEMBLYAI_API_KEY": "a",
        "WEBHOOK_SECRET": "w",
        "PUBLIC_BASE_URL": "https://example.invalid",
        "MAIL_FROM": "Transcribe <noreply@example.invalid>",
        "MAIL_ACCESS_KEY_ID": "m",
        "MAIL_SECRET_ACCESS_KEY": "s",
    }
