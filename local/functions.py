"""Loading the cloud functions in-process, and the context object Yandex Cloud passes them."""

from __future__ import annotations

import importlib
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
# The IAM token of the functions' service account, as Cloud Functions puts it in `context.token`; the local cloud
# sets it when its SpeechKit emulator (which accepts it) runs.
IAM_TOKEN: str | None = None


def _token() -> dict[str, Any] | None:
    return {"access_token": IAM_TOKEN, "expires_in": 43200, "token_type": "Bearer"} if IAM_TOKEN else None


@dataclass
class Context:
    """What `context` holds in Yandex Cloud Functions (Python runtime); the token is the local emulator's."""

    function_name: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "local"
    memory_limit_in_mb: int = 256
    token: dict[str, Any] | None = field(default_factory=_token)
    deadline: float = field(default_factory=lambda: time.monotonic() + 60)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def load(name: str) -> ModuleType:
    """The function's `index` module; a missing folder or handler is an error at start-up, not per request."""
    if not (FUNCTIONS_DIR / name / "index.py").is_file():
        raise LookupError(f"the API spec names function '{name}' but functions/{name}/index.py does not exist")
    module = importlib.import_module(f"functions.{name}.index")
    if not callable(getattr(module, "handler", None)):
        raise LookupError(f"functions/{name}/index.py has no handler(event, context)")
    return module


def invoke(name: str, event: dict[str, Any]) -> Any:
    return load(name).handler(event, Context(function_name=name))
