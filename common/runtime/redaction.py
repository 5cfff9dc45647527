"""Strip what must never reach a user or a log line from text that came from elsewhere (provider messages).

A provider's error can quote the audio URL it was given: a presigned GET with our access-key id and signature.
"""

from __future__ import annotations

import re

_URL = re.compile(r"(?i)\b(?:https?|s3|ftp)://[^\s'\"<>]+")
# Signing parameters that survive without a scheme (a path and query quoted on their own).
_SIGNING = re.compile(r"(?i)(X-Amz-(?:Credential|Signature|Security-Token)|Signature|AWSAccessKeyId)=[^\s&'\"<>]+")


def redact(text: str) -> str:
    """The text with every URL replaced by "<url>" and any stray signing parameter masked."""
    return _SIGNING.sub(r"\1=<redacted>", _URL.sub("<url>", text))
