"""The exact third-party requirements of one cloud function, found by walking its imports.

Usage: python scripts/function_requirements.py NAME  → requirements.txt lines, pinned to the versions installed in the
interpreter that runs this script (the project's .venv).

The walk starts at functions/NAME/index.py and follows every first-party module it reaches (`common.*`, the function's
own package, and the packages above them, whose __init__ runs first). Every import counts wherever it is written —
module level or lazily inside a function — except those under `if TYPE_CHECKING:`, which never run. Two kinds of
loading by name count too, because they are written in the code rather than kept in a list here:
  * SQLAlchemy URLs such as "postgresql+psycopg://" load the driver module named after the "+";
  * importlib.import_module("x") and on_first_use("x") (common/runtime/lazy.py) with a literal name.
An import inside `try: ... except ImportError` is optional: required only if it is installed here.
A first-party module that reads files by path declares them in a module-level `BUNDLED_FILES = ("a.ini", "dir")`
(paths relative to the project root; common/store/migrate.py: alembic.ini and migrations/). Those files go into the zip
(scripts/build_functions.py) and the imports of their Python files are walked like the function's own.
Top-level modules map to distributions with importlib.metadata.packages_distributions(); when the project itself asks
for extras of a distribution (pyproject: "psycopg[binary]"), the distributions those extras pull in are added as well.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a venv without `packaging` still has pip's copy
    from pip._vendor.packaging.markers import default_environment  # type: ignore[no-redef]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("common", "functions")
DIALECT_URL = re.compile(r"^[a-z][a-z0-9]*\+([a-z_][a-z0-9_]*)://")
IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}
LOADERS = {"import_module", "on_first_use"}  # importlib's, and common/runtime/lazy.py's (a function's domain getters)


class MissingDistribution(SystemExit):
    """A module the function imports is provided by no installed distribution."""


@dataclass
class Imports:
    required: set[str] = field(default_factory=set)
    optional: set[str] = field(default_factory=set)


def module_file(root: Path, name: str) -> Path | None:
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in IMPORT_ERRORS for n in names if n is not None)


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.found = Imports()
        self._optional = 0

    def _add(self, name: str) -> None:
        if name:
            (self.found.optional if self._optional else self.found.required).add(name)

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):  # annotations only: never imported at run time
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        optional = any(_catches_import_error(h) for h in node.handlers)
        self._optional += optional
        for child in node.body:
            self.visit(child)
        self._optional -= optional
        for child in [*node.handlers, *node.orelse, *node.finalbody]:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:  # relative: resolve against this module's package
            parts = self.package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1])
            base = f"{base}.{node.module}" if node.module else base
        else:
            base = node.module or ""
        self._add(base)
        for alias in node.names:  # `from pkg import submodule` imports pkg.submodule when it is one
            self._add(f"{base}.{alias.name}")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0] if node.args else None
        if name in LOADERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
            self._add(first.value)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and (match := DIALECT_URL.match(node.value)):
            self._add(match.group(1))  # SQLAlchemy imports the driver named in the URL


def imports_of(path: Path, module: str) -> Imports:
    collector = _Collector(module, path.name == "__init__.py")
    collector.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return collector.found


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def declared_bundles(path: Path) -> tuple[str, ...]:
    """The module's `BUNDLED_FILES` (a module-level tuple or list of literal strings), or ()."""
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == "BUNDLED_FILES" for t in targets) and node.value is not None:
            value = node.value
            if not isinstance(value, ast.Tuple | ast.List) or not all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
            ):
                raise SystemExit(f"{path}: BUNDLED_FILES must be a tuple of literal paths")
            return tuple(e.value for e in value.elts if isinstance(e, ast.Constant))
    return ()


def bundled_python_files(root: Path, relative: str) -> list[Path]:
    """The Python files under one bundled path (a file or a folder); a missing path is an error."""
    target = root / relative
    if not target.exists():
        raise SystemExit(f"BUNDLED_FILES names {relative}, which does not exist under {root}")
    if target.is_file():
        return [target] if target.suffix == ".py" else []
    return sorted(p for p in target.rglob("*.py") if "__pycache__" not in p.parts)


@dataclass
class Walk:
    """What a function's code reaches: third-party modules, first-party modules, bundled paths."""

    external: Imports = field(default_factory=Imports)
    visited: set[str] = field(default_factory=set)
    bundled: list[str] = field(default_factory=list)


def walk(function: str, root: Path = ROOT) -> Walk:
    start = f"functions.{function}.index"
    if module_file(root, start) is None:
        raise SystemExit(f"no functions/{function}/index.py under {root}")
    todo, seen, result = [*_parents(start), start], set(), Walk()

    def take(found: Imports) -> None:
        for names, bucket in ((found.required, result.external.required), (found.optional, result.external.optional)):
            for name in names:
                top = name.split(".")[0]
                if top in FIRST_PARTY:
                    todo.extend(m for m in [*_parents(name), name] if module_file(root, m))
                elif top and top != "__future__" and top not in sys.stdlib_module_names:
                    bucket.add(top)

    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = module_file(root, module)
        if path is None:
            continue
        take(imports_of(path, module))
        for relative in declared_bundles(path):
            if relative in result.bundled:
                continue
            result.bundled.append(relative)
            for py in bundled_python_files(root, relative):
                name = ".".join(py.relative_to(root).with_suffix("").parts)
                take(imports_of(py, name))
    result.external.optional -= result.external.required
    result.visited = {m for m in seen if module_file(root, m)}
    result.bundled.sort()
    return result


def third_party_modules(function: str, root: Path = ROOT) -> tuple[Imports, set[str]]:
    """(top-level third-party modules, first-party modules visited) for functions/<function>/index.py."""
    found = walk(function, root)
    return found.external, found.visited


def bundled_files(function: str, root: Path = ROOT) -> list[str]:
    """The paths (relative to root) the function's modules read at run time: they go into its zip."""
    return walk(function, root).bundled


def _project_extras(root: Path) -> dict[str, set[str]]:
    """The extras the project's own dependencies ask for, by canonical distribution name."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    deps = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("dependencies", [])
    extras: dict[str, set[str]] = {}
    for raw in deps:
        req = Requirement(raw)
        if req.extras:
            extras.setdefault(canonicalize_name(req.name), set()).update(req.extras)
    return extras


def _extra_distributions(dist: str, extras: set[str]) -> set[str]:
    """Distributions that `dist[extras]` adds to plain `dist` on this platform."""
    added: set[str] = set()
    for raw in metadata.requires(dist) or []:
        req = Requirement(raw)
        if req.marker is None or req.marker.evaluate({**default_environment(), "extra": ""}):
            continue  # a plain dependency: pip resolves it from the pinned distribution itself
        if any(req.marker.evaluate({**default_environment(), "extra": extra}) for extra in extras):
            added.add(req.name)
    return added


def requirements(function: str, root: Path = ROOT) -> list[str]:
    modules, _ = third_party_modules(function, root)
    provided = metadata.packages_distributions()
    names: set[str] = set()
    for module in sorted(modules.required):
        if module not in provided:
            raise MissingDistribution(
                f"functions/{function} imports '{module}', which no installed distribution provides "
                f"(add it to pyproject.toml and reinstall the venv)"
            )
        names.update(provided[module])
    names.update(d for m in modules.optional if m in provided for d in provided[m])
    wanted_extras = _project_extras(root)
    for dist in list(names):
        extras = wanted_extras.get(canonicalize_name(dist))
        if extras:
            names.update(_extra_distributions(dist, extras))
    pinned = {}
    for name in names:
        dist = metadata.distribution(name)
        pinned[canonicalize_name(dist.metadata["Name"])] = f"{dist.metadata['Name']}=={dist.version}"
    return [pinned[key] for key in sorted(pinned)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print("\n".join(requirements(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
