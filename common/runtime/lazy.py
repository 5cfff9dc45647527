"""Modules a cloud function imports on first use, not at cold start: a route pays for its domain's imports
(SQLAlchemy, pydantic, bcrypt) only when a request needs them."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from types import ModuleType


def on_first_use(name: str) -> Callable[[], ModuleType]:
    """A getter of module `name` (absolute, a literal), imported by the getter's first call and kept.

    scripts/function_requirements.py follows the literal name like an import, so the module's requirements still go
    into the function's zip, and the arrow test (tests/core/test_architecture.py) checks it like any other import.
    """
    return cache(lambda: importlib.import_module(name))
