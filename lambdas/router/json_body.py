"""Decoding a request body as strict JSON: whatever the bytes, a value or a `BodyRejected` with a reason.

Refused, each with its own message: bytes that are not UTF-8; nesting deeper than MAX_DEPTH (Python's
decoder would recurse until RecursionError); NaN and Infinity (not JSON); numbers longer than
MAX_NUMBER_CHARS or beyond float range; a key given twice in one object (the last one would silently win,
while a proxy in front may have checked the first); strings that escape a lone surrogate (`"\\ud800"`), which
cannot be encoded as UTF-8 again and would fail at SendMessage. No AWS here.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 10  # a job request is one flat object; 10 leaves room for clear per-field errors
MAX_NUMBER_CHARS = 40

# A JSON string (escapes included) or a bracket: brackets inside strings are not nesting.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class BodyRejected(ValueError):
    """The body is not JSON this function accepts; the message says why (a 400)."""


def decode(raw: bytes) -> Any:
    """The JSON value in `raw` (None for an empty body)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyRejected(f"Body is not valid UTF-8 (byte {error.start})") from None
    if not text.strip():
        return None
    _check_depth(text)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
        )
    except BodyRejected:
        raise
    except RecursionError:  # _check_depth should have caught it; never a traceback
        raise BodyRejected(f"Body nests arrays or objects deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        raise BodyRejected(f"Body is not valid JSON ({error})") from None
    _check_strings(value, "body")
    return value


def _check_depth(text: str) -> None:
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise BodyRejected(f"Body nests arrays or objects deeper than {MAX_DEPTH} levels")
        elif token in "]}":
            depth -= 1


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BodyRejected(f"Body gives the key {key!r} more than once")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise BodyRejected(f"Body contains {name}, which is not JSON")


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise BodyRejected(f"Body contains a number longer than {MAX_NUMBER_CHARS} characters")
    return int(text)


def _bounded_float(text: str) -> float:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise BodyRejected(f"Body contains a number out of range ({text[:MAX_NUMBER_CHARS]}…)")
    return value


def _check_strings(value: Any, where: str) -> None:
    """Every key and string must encode as UTF-8 again (JSON can escape lone surrogates; UTF-8 cannot)."""
    if isinstance(value, str):
        _encodable(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _encodable(key, f"a key of {where}")
            _check_strings(item, key if where == "body" else f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, f"{where}[{index}]")


def _encodable(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        raise BodyRejected(f"{where}: escapes a lone surrogate (\\u{code:04x}), which is not valid text") from None
