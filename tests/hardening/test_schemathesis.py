"""schemathesis over the local gateway from infra/api/openapi.yaml: no 5xx, every answer as the spec says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api import signed_up
from tests.conftest import unique_email

SPEC = Path(__file__).resolve().parents[2] / "infra" / "api" / "openapi.yaml"
MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _schema(cloud: Any, headers: dict[str, str]) -> Any:
    schema = schemathesis.openapi.from_path(SPEC)
    schema.config.update(base_url=cloud.url, headers=headers)
    # Valid requests and deliberately invalid ones (wrong types, missing fields, bad formats).
    schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
    return schema.include(path_regex=r"^/api/")  # the SPA routes serve static files, not JSON


def fuzz(schema: Any) -> list[str]:
    """Every operation, a bounded number of generated requests each; the failures, as readable lines."""
    failures: list[str] = []
    calls: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            calls[case.operation.label] = calls.get(case.operation.label, 0) + 1
            case.call_and_validate(checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect all operations' findings, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    expected = {f"{r.ok().method.upper()} {r.ok().path}" for r in schema.get_all_operations()}
    assert set(calls) == expected and sum(calls.values()) > 100, calls  # every operation really was exercised
    return failures


@pytest.mark.usefixtures("clean_db")
def test_every_operation_signed_in(cloud: Any) -> None:
    token = signed_up(unique_email()).token
    # Signing out would revoke the token for every operation after it (tests/core/test_sessions.py covers it).
    schema = _schema(cloud, {"Authorization": f"Bearer {token}"}).exclude(operation_id="logout")
    assert fuzz(schema) == []


@pytest.mark.usefixtures("clean_db")
def test_every_operation_anonymous(cloud: Any) -> None:
    assert fuzz(_schema(cloud, {})) == []
