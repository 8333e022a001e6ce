"""Spelling Python values as HCL: quoted strings, single-line expressions, and `terraform fmt` alignment."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_PLAIN = re.compile(r"^[^\x00-\x1f\x7f\"\\$%]*$")


def quote(value: str) -> str:
    """A quoted HCL string literal. Escapes quotes, backslashes, control characters and template sequences."""
    if _PLAIN.match(value):  # the common case: nothing to escape
        return f'"{value}"'
    escaped = json.dumps(value, ensure_ascii=False)[1:-1]
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


def expression(value: Any) -> str:
    """A single-line HCL expression for a TOML value (used inside jsonencode(...) for filter patterns)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "[" + ", ".join(expression(item) for item in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ", ".join(f"{object_key(key)} = {expression(item)}" for key, item in value.items())
        return "{ " + items + " }"
    raise TypeError(f"no HCL spelling for {type(value).__name__}")


def object_key(key: str) -> str:
    return key if _IDENTIFIER.match(key) else quote(key)


def aligned(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """`key = value` lines with the `=` signs lined up, as `terraform fmt` aligns consecutive attributes."""
    pairs = list(pairs)
    width = max((len(key) for key, _ in pairs), default=0)
    return [f"{key.ljust(width)} = {value}" for key, value in pairs]
