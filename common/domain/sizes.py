"""Byte counts as a person reads them, for error messages."""

from __future__ import annotations


def human_size(n: int) -> str:
    """1536 → "1.5 KB"; bytes are whole, larger units carry one decimal; GB is the largest unit."""
    size = float(n)
    for unit in ("bytes", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
