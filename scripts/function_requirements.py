"""The exact third-party requirements of one cloud function, found by walking its imports (lazy ones included).

Usage: python scripts/function_requirements.py NAME  → requirements.txt lines, pinned to the installed versions.
Starts at functions/NAME/index.py, follows every `common.*` module it reaches, and maps top-level third-party
modules to their distributions. A few packages are loaded by name rather than by an import statement; those are
declared in DYNAMIC next to the module that causes them.
"""

from __future__ import annotations

import ast
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"common", "functions"}
# Loaded by SQLAlchemy from the URL scheme `postgresql+psycopg`, and psycopg's C build by psycopg itself.
DYNAMIC = {"common.db": ["psycopg", "psycopg-binary"]}


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, module: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                package = module.rsplit(".", node.level)[0]
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def third_party_modules(function: str) -> tuple[set[str], set[str]]:
    """(top-level third-party modules, first-party modules visited)."""
    start = f"functions.{function}.index"
    todo, seen, external = [start], set(), set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_file(module)
        if path is None:
            continue
        for name in _imports(path, module):
            top = name.split(".")[0]
            if top in FIRST_PARTY:
                if _module_file(name):
                    todo.append(name)
            elif top and top not in sys.stdlib_module_names and top != "__future__":
                external.add(top)
    return external, seen


def requirements(function: str) -> list[str]:
    modules, visited = third_party_modules(function)
    dists = metadata.packages_distributions()
    names: set[str] = set()
    for module in modules:
        if module not in dists:
            raise SystemExit(f"{function}: imports '{module}', which no installed distribution provides")
        names.update(dists[module])
    for module, extra in DYNAMIC.items():
        if module in visited:
            names.update(extra)
    return sorted(f"{metadata.distribution(n).metadata['Name']}=={metadata.version(n)}" for n in names)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print("\n".join(requirements(sys.argv[1])))
