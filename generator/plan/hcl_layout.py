"""A nested Python value as multi-line HCL, laid out exactly as `terraform fmt` would: for a structure Python
decides and a template prints inside `jsonencode(...)` (the dashboard body).

Objects take one line per key, with the `=` of consecutive single-line entries aligned (an entry whose value
spans lines stands alone, as fmt leaves it); lists of scalars stay on one line (a small object of scalars inside
them too, as a metric's options), lists holding objects or lists take one line per element with a trailing
comma. `Ref` is an HCL expression printed as it is (a
resource attribute, a local); everything else is a literal (generator.hcl spells it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator import hcl

INDENT = "  "


@dataclass(frozen=True)
class Ref:
    expression: str  # e.g. aws_sqs_queue.email.name


def _inline(value: Any, in_list: bool = False) -> str | None:
    """The value on one line, or None when it must span lines (an object, or a list holding one)."""
    if isinstance(value, Ref):
        return value.expression
    if isinstance(value, dict):
        if not value:
            return "{}"
        if in_list and all(not isinstance(item, (dict, list)) for item in value.values()):  # options in a list
            return "{ " + ", ".join(f"{hcl.object_key(k)} = {_inline(v)}" for k, v in value.items()) + " }"
        return None
    if isinstance(value, list):
        parts = [_inline(item, in_list=True) for item in value]
        if any(part is None for part in parts) or any(isinstance(item, list) for item in value):
            return None
        return "[" + ", ".join(part for part in parts if part is not None) + "]"
    return hcl.expression(value)


def lines(value: Any, depth: int = 0) -> list[str]:
    """The value's lines; the first one carries no indentation (it follows `key = `), the others are indented
    for `depth`, and the last one closes the value."""
    single = _inline(value)
    if single is not None:
        return [single]
    inner = INDENT * (depth + 1)
    if isinstance(value, list):
        body = []
        for item in value:
            item_lines = lines(item, depth + 1)
            body += [inner + item_lines[0], *item_lines[1:-1], item_lines[-1] + ","] if len(item_lines) > 1 \
                else [inner + item_lines[0] + ","]
        return ["[", *body, INDENT * depth + "]"]
    return ["{", *_object_body(value, depth + 1), INDENT * depth + "}"]


def _object_body(value: dict[str, Any], depth: int) -> list[str]:
    indent = INDENT * depth
    rendered = [(hcl.object_key(key), lines(item, depth)) for key, item in value.items()]
    body: list[str] = []
    group: list[tuple[str, str]] = []

    def flush() -> None:
        body.extend(indent + line for line in hcl.aligned(group))
        group.clear()

    for key, item_lines in rendered:
        if len(item_lines) == 1:
            group.append((key, item_lines[0]))
            continue
        flush()
        body.append(f"{indent}{key} = {item_lines[0]}")
        body.extend(item_lines[1:])
    flush()
    return body
