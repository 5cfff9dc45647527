"""One readable log line per event, `key=value` pairs after a name, so Cloud Logging and a terminal both read it."""

from __future__ import annotations

import logging
import sys
from typing import Any

from common.runtime.redaction import redact

_logger = logging.getLogger("transcribe")
if not _logger.handlers:
    _handler = logging.StreamHandler(sys.stdout)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    _logger.addHandler(_handler)
    _logger.setLevel(logging.INFO)
    _logger.propagate = False


def _fmt(value: Any) -> str:
    text = redact(str(value))  # no presigned URL (a signature is a credential) ever reaches a log line
    return repr(text) if (" " in text or not text) else text


def log(event: str, level: int = logging.INFO, **fields: Any) -> None:
    pairs = " ".join(f"{k}={_fmt(v)}" for k, v in fields.items() if v is not None)
    _logger.log(level, f"{event} {pairs}".rstrip())


def warn(event: str, **fields: Any) -> None:
    log(event, logging.WARNING, **fields)


def error(event: str, **fields: Any) -> None:
    log(event, logging.ERROR, **fields)
