"""Every yandex_* resource in infra/*.tf against the provider's schema (tests/infra/vendor/terraform-schema.json)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.infra import terraform as tf


def test_every_yandex_resource_matches_the_provider_schema() -> None:
    count, problems = tf.schema_problems()
    assert count > 20, f"only {count} yandex_* resources found in infra/*.tf"
    assert not problems, "\n".join(problems)


def test_the_vendored_schema_names_its_provenance() -> None:
    readme = (tf.VENDOR / "README.md").read_text()
    assert "b52b1df" in readme
    assert "docs/resources" in readme
    assert tf.provider_schema()["yandex_function"]["name"]["required"]


def _problems_of(tmp_path: Path, hcl: str) -> list[str]:
    path = tmp_path / "x.tf"
    path.write_text(textwrap.dedent(hcl))
    return tf.schema_problems([path])[1]


def test_the_checker_finds_unknown_misplaced_and_missing_arguments(tmp_path: Path) -> None:
    problems = _problems_of(
        tmp_path,
        """
        resource "yandex_function" "f" {
          name       = "f"
          runtime    = "python312"
          entrypoint = "index.handler"
          memory     = 128
          bogus      = 1
          content {
            zip_filename = "f.zip"
            nope         = true
          }
          dynamic "connectivity" {
            for_each = ["n"]
            content {
              network = connectivity.value
            }
          }
          dynamic "not_a_block" {
            for_each = []
            content {}
          }
        }
        resource "yandex_no_such_thing" "x" {}
        """,
    )
    text = "\n".join(problems)
    assert "unknown argument or block 'bogus'" in text
    assert "yandex_function.f.content: unknown argument or block 'nope'" in text
    assert "yandex_function.f.connectivity: unknown argument or block 'network'" in text
    assert "yandex_function.f.connectivity: required 'network_id' is missing" in text
    assert "unknown block 'not_a_block' (dynamic)" in text
    assert "required 'user_hash' is missing" in text
    assert "yandex_no_such_thing.x: unknown resource type" in text


def test_the_checker_accepts_a_correct_resource(tmp_path: Path) -> None:
    problems = _problems_of(
        tmp_path,
        """
        resource "yandex_logging_group" "g" {
          name             = "g"
          retention_period = "168h"
        }
        """,
    )
    assert problems == []
