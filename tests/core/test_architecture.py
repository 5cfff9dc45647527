"""The allowed arrows between packages (docs/architecture.md), held by every import in common/ and functions/.

Every import counts wherever it is written: at module level, lazily inside a function, under `if TYPE_CHECKING:`, and a
module named by a literal in `on_first_use("...")` or `importlib.import_module("...")`. An arrow is allowed when the
importing layer may use the imported one; inside the domain, a capability may use only those below it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The domain's capabilities, lowest first: each may import itself and those before it, never one after it.
DOMAIN_ORDER = ("vocabulary", "accounts", "idempotency", "pipeline", "uploads", "jobs", "transcripts")
VOCABULARY = {"errors", "schemas", "languages", "password_policy", "sizes", "understanding"}  # common/domain/<name>.py

# Layer -> the layers it may import (besides itself). Functions are the entry points: they may use any layer.
ALLOWED: dict[str, set[str]] = {
    "functions": {"edge", "domain", "adapters", "store", "runtime"},
    "edge": {"domain", "runtime"},
    "domain": {"adapters", "store", "runtime"},
    "adapters": {"runtime"},
    "store": {"runtime"},
    "runtime": set(),
}
# Third-party modules a layer must never import: the edge knows nothing of SQL, the domain nothing of boto3, the
# provider's SDK or HTTP clients (it calls the adapters' ports).
FORBIDDEN_THIRD_PARTY: dict[str, set[str]] = {
    "edge": {"sqlalchemy", "psycopg", "boto3", "botocore", "assemblyai", "httpx"},
    "domain": {"boto3", "botocore", "assemblyai", "httpx", "requests", "urllib3"},
    "store": {"boto3", "botocore", "assemblyai", "httpx"},
    "runtime": {"sqlalchemy", "psycopg", "boto3", "botocore", "assemblyai", "httpx", "pydantic"},
}
LOADERS = {"on_first_use", "import_module"}


def unit(module: str) -> tuple[str, str] | None:
    """(layer, capability) of a first-party module; None for the packages' own __init__ (docstrings only)."""
    parts = module.split(".")
    if parts[0] == "functions":
        return ("functions", "functions")
    if parts[0] != "common" or len(parts) < 2:
        return None
    layer = parts[1]
    if layer not in ALLOWED:
        raise AssertionError(f"{module} is in no layer: put it under edge, domain, adapters, store or runtime")
    if layer != "domain":
        return (layer, layer)
    if len(parts) == 2:
        return None
    name = parts[2]
    if name in VOCABULARY:
        return ("domain", "vocabulary")
    if name in DOMAIN_ORDER:
        return ("domain", name)
    if name == "data":
        return None
    raise AssertionError(f"{module}: a domain module is a capability ({DOMAIN_ORDER}) or part of the vocabulary")


def imports(source: str, module: str) -> list[tuple[int, str, bool]]:
    """(line, absolute name, whether it is a `from` import's name) of every import in the source, lazy ones and
    literal loader calls included; a `from pkg import name` yields pkg.name too, in case the name is a module."""
    package = module.rpartition(".")[0]
    found: list[tuple[int, str, bool]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, False) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            found.append((node.lineno, base, False))
            found.extend((node.lineno, f"{base}.{a.name}", True) for a in node.names)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0] if node.args else None
            if name in LOADERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value, False))
    return found


def _known(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def violations(source: str, module: str, known: object = _known) -> list[str]:
    """Each import of `module` that runs against an allowed arrow, as a readable line."""
    here = unit(module)
    if here is None:
        return []
    layer, capability = here
    found = []
    for line, name, from_name in imports(source, module):
        top = name.split(".")[0]
        if top not in ("common", "functions"):
            if not from_name and top in FORBIDDEN_THIRD_PARTY.get(layer, set()):
                found.append(f"{module}:{line} imports {name}: the {layer} never imports {top}")
            continue
        if from_name and callable(known) and not known(name):
            continue  # a function or class of a module already counted: only modules are arrows
        there = unit(name)
        if there is None:
            continue
        other_layer, other_capability = there
        if other_layer == layer:
            if layer == "domain" and DOMAIN_ORDER.index(other_capability) > DOMAIN_ORDER.index(capability):
                found.append(
                    f"{module}:{line} imports {name}: {capability} may use only the capabilities below it "
                    f"({', '.join(DOMAIN_ORDER[: DOMAIN_ORDER.index(capability) + 1])})"
                )
            continue
        if other_layer not in ALLOWED[layer]:
            found.append(f"{module}:{line} imports {name}: the {layer} may import only {sorted(ALLOWED[layer])}")
    return found


def first_party_modules() -> list[tuple[Path, str]]:
    paths = [*ROOT.glob("common/**/*.py"), *ROOT.glob("functions/**/*.py")]
    named = [(p, ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")) for p in paths]
    return sorted((p, m) for p, m in named if "__pycache__" not in p.parts)


def test_no_import_runs_against_an_allowed_arrow() -> None:
    found = [v for path, module in first_party_modules() for v in violations(path.read_text(), module)]
    assert not found, "\n".join(found)


def test_every_module_of_common_is_in_a_layer_and_the_packages_import_nothing() -> None:
    for path, module in first_party_modules():
        unit(module)  # raises for a module outside the layers
        if path.name == "__init__.py" and module.startswith("common"):
            assert not imports(path.read_text(), module), f"{module} runs on every import of its package: keep it empty"


@pytest.mark.parametrize(
    ("module", "source", "complaint"),
    [
        ("common.domain.jobs.create", "def f():\n    from common.edge.http import Request\n", "the domain may import"),
        ("common.adapters.storage", "from common.domain.errors import NotFound\n", "the adapters may import only"),
        ("common.store.db", "from common.domain import schemas\n", "the store may import only"),
        ("common.edge.api", "from common.store.db import transaction\n", "the edge may import only"),
        ("common.domain.pipeline.quotas", "from common.domain.uploads import keys\n", "pipeline may use only"),
        ("common.domain.accounts.users", "on_first_use('common.domain.jobs.read_path')\n", "accounts may use only"),
        ("common.domain.uploads.uploads", "def f():\n    import botocore.exceptions\n", "never imports botocore"),
        ("common.edge.http", "import sqlalchemy\n", "never imports sqlalchemy"),
        ("common.runtime.logs", "from common.adapters import services\n", "the runtime may import only"),
    ],
)
def test_an_arrow_back_up_is_caught_even_lazily(module: str, source: str, complaint: str) -> None:
    found = violations(source, module)
    assert found and complaint in found[0], found


def test_arrows_down_are_allowed() -> None:
    allowed = [
        ("functions.jobs.index", "from common.store import db\nread = on_first_use('common.domain.jobs.read_path')\n"),
        ("common.edge.api", "from common.domain.accounts.tokens import Caller\n"),
        ("common.domain.transcripts.edits", "from common.domain.jobs.read_path import owned_job\n"),
        (
            "common.domain.uploads.accept",
            "from common.adapters.services import Services\nfrom common.store import db\n",
        ),
        ("common.adapters.services", "from common.runtime.config import Settings\n"),
    ]
    for module, source in allowed:
        assert violations(source, module) == [], module


def _python_graph(*packages: str) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package in packages:
        for path in ROOT.glob(f"{package}/**/*.py"):
            if "__pycache__" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            graph[module] = {
                name
                for _, name, _ in imports(path.read_text(), module)
                if name.split(".")[0] in packages and _known(name) and name != module
            }
    return graph


TS_IMPORT = re.compile(r"""(?:\bfrom\s+|\bimport\s*\(?\s*)["'](\.{1,2}/[^"']+)["']""")


def _spa_graph() -> dict[str, set[str]]:
    src = ROOT / "frontend" / "src"
    graph: dict[str, set[str]] = {}
    for path in [*src.rglob("*.ts"), *src.rglob("*.tsx")]:
        targets = set()
        for spec in TS_IMPORT.findall(path.read_text()):
            base = (path.parent / spec).resolve()
            for candidate in (base, *(base.with_name(base.name + ext) for ext in (".ts", ".tsx")), base / "index.ts"):
                if candidate.is_file():
                    targets.add(candidate.relative_to(src).as_posix())
                    break
        graph[path.relative_to(src).as_posix()] = targets
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan): modules that import each other, however
    indirectly."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles_in_common_the_local_cloud_or_the_spa() -> None:
    assert circles(_python_graph("common", "functions")) == []
    assert circles(_python_graph("local")) == [], "local/ modules that import each other (lazily too)"
    assert circles(_spa_graph()) == [], "SPA modules that import each other (pages and App.tsx: see routing.ts)"


def test_a_circle_is_found_however_long() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"App.tsx": {"pages/X.tsx"}, "pages/X.tsx": {"App.tsx"}}) == [["App.tsx", "pages/X.tsx"]]
    assert circles({"a": {"b"}, "b": set()}) == []
