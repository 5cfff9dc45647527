"""Switchable failures for tests: provider errors, delays, dropped or duplicated webhooks."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

OPS = (
    "submit",
    "get",
    "delete",
    "list",
    "fetch_audio",
    "processing",
    "webhook",
    "redacted_audio",  # GET .../redacted-audio: `status` answers an error; mode "pending" answers 202 (not ready)
    "redacted_download",  # the redacted recording's URL: `status` answers an error
)


@dataclass
class Rule:
    op: str
    times: int = 1  # how many calls it applies to
    status: int | None = None  # answer with this HTTP status (error body as AssemblyAI's)
    delay_s: float = 0.0  # wait first (longer than a client's timeout models a timeout)
    mode: str | None = None  # webhook: "drop" or "duplicate"; redacted_audio: "pending"
    copies: int = 2  # webhook duplicate: how many copies are sent


class Faults:
    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._lock = threading.Lock()

    def add(self, rule: dict[str, Any] | Rule) -> None:
        r = rule if isinstance(rule, Rule) else Rule(**rule)
        if r.op not in OPS:
            raise ValueError(f"unknown fault op {r.op!r}; one of {', '.join(OPS)}")
        with self._lock:
            self._rules.append(r)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, op: str) -> Rule | None:
        """The first rule for this op, used up by one call."""
        with self._lock:
            for rule in self._rules:
                if rule.op == op and rule.times > 0:
                    rule.times -= 1
                    return rule
        return None

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.__dict__.copy() for r in self._rules if r.times > 0]
