"""Turn pydantic's validation errors into Problems a person can act on: the value, the limit, and a hint."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from generator.problems import Path, Problem, error
from generator.spec.model import Spec

_KEY_HINT = "keys start with a lowercase letter and use only a-z, 0-9, '-' and '_' (at most 63 characters)"

_TYPE_NAMES = {
    "int_type": "an integer",
    "int_from_float": "an integer",
    "bool_type": "true or false",
    "string_type": "a string",
    "dict_type": "a table",
    "model_type": "a table",
    "list_type": "an array",
    "float_type": "a number",
}


def problems_from_validation_error(exc: ValidationError) -> list[Problem]:
    problems = []
    for item in exc.errors(include_url=False):
        problems.append(_problem(tuple(item["loc"]), item["type"], item.get("input"), item.get("ctx") or {}))
    return problems


def _problem(loc: Path, kind: str, value: Any, ctx: dict[str, Any]) -> Problem:
    if loc and loc[-1] == "[key]":  # a dict key failed its pattern: pydantic reports (..., key, "[key]")
        path = loc[:-1]
        return error(path, f"invalid key {toml_value(path[-1])}", _KEY_HINT)

    field = field_at(loc)
    described = field.description if field is not None and field.description else ""
    shown = f" = {toml_value(value)}"

    if kind == "extra_forbidden":
        allowed = sorted(allowed_keys(loc[:-1]))
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return error(loc, "unknown key", hint + "allowed keys: " + ", ".join(allowed))
    if kind == "missing":
        return error(loc, "required key is missing", described)
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        word = "the minimum" if kind == "greater_than_equal" else "not above"
        return error(loc, f"{shown[3:]} is below {word} {bound}", described)
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return error(loc, f"{shown[3:]} is above the maximum {bound}", described)
    if kind == "literal_error":
        return error(loc, f"{shown[3:]} is not one of {ctx.get('expected', '')}", described)
    if kind == "string_pattern_mismatch":
        return error(loc, f"{shown[3:]} is not a valid value", described)
    if kind in ("too_long", "too_short"):
        actual = ctx.get("actual_length")
        limit = ctx.get("max_length") if kind == "too_long" else ctx.get("min_length")
        side = "at most" if kind == "too_long" else "at least"
        return error(loc, f"has {actual} entries; {side} {limit} allowed", described)
    if kind == "string_too_long":
        return error(loc, f"is longer than {ctx.get('max_length')} characters", described)
    if kind in _TYPE_NAMES:
        return error(loc, f"{shown[3:]} must be {_TYPE_NAMES[kind]}", described)
    return error(loc, f"{shown[3:]}: {kind.replace('_', ' ')}", described)


def toml_value(value: Any) -> str:
    """Show a value the way it is written in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{ ... }"
    if isinstance(value, list):
        return "[ ... ]"
    return str(value)


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and `| None` down to the type that holds the value."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _walk(loc: Path) -> tuple[Any, FieldInfo | None]:
    """The type found at `loc` inside Spec, and the field that declared it."""
    current: Any = Spec
    field: FieldInfo | None = None
    for part in loc:
        current = _unwrap(current)
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None, None
            current = field.annotation
        elif origin is dict:
            current = typing.get_args(current)[1]
        elif origin is list:
            current = typing.get_args(current)[0]
        else:
            return None, field
    return _unwrap(current), field


def field_at(loc: Path) -> FieldInfo | None:
    return _walk(loc)[1]


def allowed_keys(loc: Path) -> list[str]:
    model, _ = _walk(loc)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []
