"""The timer trigger: calls `functions/reconcile` on an interval with Yandex's TimerMessage event."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from common.edge.events import TIMER


def timer_event(trigger_id: str = "local-reconcile") -> dict[str, Any]:
    return {
        "messages": [
            {
                "event_metadata": {
                    "event_id": str(uuid.uuid4()),
                    "event_type": TIMER,
                    "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                    "cloud_id": "local",
                    "folder_id": "local",
                },
                "details": {"trigger_id": trigger_id},
            }
        ]
    }


class Timer:
    def __init__(self, interval_s: float, fire: Callable[[dict[str, Any]], Any], log: Callable[[str], None]) -> None:
        self.interval_s, self._fire, self._log = interval_s, fire, log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="timer", daemon=True)

    def start(self) -> None:
        if self.interval_s > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self._fire(timer_event())
            except Exception as exc:  # the next tick tries again, as the cloud timer would
                self._log(f"timer reconcile failed: {exc!r}"[:300])
