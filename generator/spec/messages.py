"""Turn pydantic's validation errors into Problems a person can act on: the value, the limit, and a hint."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from generator.problems import Path, Problem, dotted, error
from generator.spec import model
from generator.spec.model import Spec

# What each string pattern of the model is called, the characters it allows (where it is one character class)
# and the rule in words, for the hint.
_PATTERNS: dict[str, tuple[str, str, str]] = {
    model.KEY_PATTERN: (
        "name", "a-z0-9_-",
        "use a lowercase letter first, then only a-z, 0-9, '-' and '_' (at most 63 characters)"),
    model.QUEUE_NAME_PATTERN: (
        "queue name", "A-Za-z0-9_-",
        "SQS queue names use only A-Z, a-z, 0-9, '-' and '_' (at most 80 characters); "
        "a FIFO queue's name ends in '.fifo'"),
    model.FUNCTION_NAME_PATTERN: (
        "function name", "A-Za-z0-9_-", "Lambda function names use 1-64 of A-Z, a-z, 0-9, '-' and '_'"),
    model.ENV_VAR_PATTERN: (
        "environment variable name", "A-Za-z0-9_",
        "use a letter first, then letters, digits and '_' (2-128 characters), e.g. LOG_LEVEL"),
    model.HANDLER_PATTERN: ("handler", "", 'write module.function, e.g. "handler.lambda_handler"'),
    model.TOPIC_NAME_PATTERN: (
        "topic name", "A-Za-z0-9_-", "SNS topic names use 1-256 of A-Z, a-z, 0-9, '-' and '_'"),
    model.LAMBDAS_DIR_PATTERN: (
        "folder", "",
        'write a relative folder such as "lambdas" or "src/lambdas" (letters, digits, ".", "-", "_")'),
    model.EMAIL_PATTERN: ("email address", "", 'write an address such as "oncall@example.com"'),
}

# Where each table of the schema lives, to tell someone who put a key in the wrong table where it belongs.
_TABLES: dict[type[BaseModel], str] = {
    model.Project: "[project]",
    model.Alarms: "[alarms]",
    model.Queue: "[queues.<key>]",
    model.DeadLetterQueue: "queues.<key>.dlq",
    model.Function: "[functions.<key>]",
    model.Trigger: "functions.<key>.trigger",
    model.TriggerSettings: "functions.<key>.triggers.<queue>",
    model.CodeSigning: "[code_signing]",
    model.QueueVolume: "queues.<key>.expected",
    model.FunctionVolume: "functions.<key>.expected",
}

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
        what, _, rule = _PATTERNS.get(ctx.get("pattern", ""), _PATTERNS[model.KEY_PATTERN])
        problem = _pattern_problem(str(path[-1]), ctx, what)
        return error(path, f"invalid key {toml_value(path[-1])}: {problem}", rule)

    field = field_at(loc)
    described = field.description if field is not None and field.description else ""
    shown = toml_value(value)

    if kind == "extra_forbidden":
        return error(loc, "unknown key", _unknown_key_hint(loc))
    if kind == "missing":
        return error(loc, "required key is missing", _missing_key_hint(loc, described))
    if kind == "greater_than_equal":
        return error(loc, f"{shown} is below the minimum {ctx.get('ge')}", described)
    if kind == "greater_than":
        return error(loc, f"{shown} must be greater than {ctx.get('gt')}", described)
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return error(loc, f"{shown} is above the maximum {bound}", described)
    if kind == "literal_error":
        return _literal_problem(loc, value, described)
    if kind == "string_pattern_mismatch":
        what, _, rule = _PATTERNS.get(ctx.get("pattern", ""), ("value", "", described))
        return error(loc, f"{shown} {_pattern_problem(str(value), ctx, what)}", rule)
    if kind in ("too_long", "too_short"):
        actual = ctx.get("actual_length")
        limit = ctx.get("max_length") if kind == "too_long" else ctx.get("min_length")
        side = "at most" if kind == "too_long" else "at least"
        return error(loc, f"has {actual} entries; {side} {limit} allowed", described)
    if kind == "string_too_long":
        return error(loc, f"is {len(str(value))} characters long; at most {ctx.get('max_length')} allowed",
                     described)
    if kind in _TYPE_NAMES:
        return error(loc, f"{shown} must be {_TYPE_NAMES[kind]}", _type_hint(loc, kind, value) or described)
    return error(loc, f"{shown}: {kind.replace('_', ' ')}", described)


def _unknown_key_hint(loc: Path) -> str:
    allowed = sorted(allowed_keys(loc[:-1]))
    key = str(loc[-1])
    if len(loc) == 5 and loc[2] == "triggers" and key == "queue":
        return (f"the table's key names the queue ([{dotted(loc[:4])}] is triggered by queues.{loc[3]}): remove "
                "queue; allowed keys: " + ", ".join(allowed))
    # A typo, else a key of another table, else a shortened name ("retention" for message_retention_seconds).
    # The cutoff is above difflib's default so that "region" does not suggest "version".
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.7)
    if close:
        return f"did you mean '{close[0]}'? allowed keys: " + ", ".join(allowed)
    elsewhere = [where for table, where in _TABLES.items() if key in table.model_fields]
    if elsewhere:
        return f"'{key}' belongs in {' or '.join(elsewhere)}; allowed here: " + ", ".join(allowed)
    words = set(key.split("_"))
    longer = [name for name in allowed if words <= set(name.split("_"))]
    if len(longer) == 1:
        return f"did you mean '{longer[0]}'? allowed keys: " + ", ".join(allowed)
    return "allowed keys: " + ", ".join(allowed)


def _missing_key_hint(loc: Path, described: str) -> str:
    key, parent = str(loc[-1]), loc[:-1]
    kind, _ = _walk(loc)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        required = [name for name, f in kind.model_fields.items() if f.is_required()]
        add = f"add a [{dotted(loc)}] table"
        if required:
            add += " with " + " and ".join(f"{name} = …" for name in required)
    elif typing.get_origin(kind) is dict:
        add = f"add at least one [{dotted(loc)}.<key>] table"
    else:
        add = f"add {key} = … under [{dotted(parent)}]" if parent else f"add {key} = … at the top of the file"
    return add + (f"; {described}" if described else "")


def _type_hint(loc: Path, kind: str, value: Any) -> str:
    """How to write the value with the right type, when the mistake is a common one."""
    key = str(loc[-1])
    wants_int = kind in ("int_type", "int_from_float")
    if wants_int and isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return f"remove the quotes: {key} = {value.strip()}"
    if wants_int and isinstance(value, float) and value.is_integer():
        return f"write a whole number without a decimal point: {key} = {int(value)}"
    if wants_int and isinstance(value, float):
        return f"use a whole number, e.g. {key} = {round(value)}"
    if kind == "bool_type" and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return f"remove the quotes: {key} = {value.strip().lower()}"
    if kind == "bool_type" and value in (0, 1) and not isinstance(value, bool):
        return f"TOML booleans are true and false: {key} = {'true' if value else 'false'}"
    if kind == "list_type" and isinstance(value, str):
        return f"write an array, even for one entry: {key} = [{toml_value(value)}]"
    if kind == "dict_type" and isinstance(value, list):
        where = dotted(loc)
        return f"write one named table per entry, [{where}.<key>], not an array of tables [[{where}]]"
    if kind == "model_type" and isinstance(value, list):
        return f"write one table, [{dotted(loc)}] or {key} = {{ … }}, not an array"
    if kind in ("dict_type", "model_type"):
        return f"write a table: a [{dotted(loc)}] section, or {key} = {{ … }}"
    return ""


def _literal_problem(loc: Path, value: Any, described: str) -> Problem:
    kind, _ = _walk(loc)
    choices = list(typing.get_args(kind)) if typing.get_origin(kind) is Literal else []
    shown = [toml_value(c) for c in choices]
    listed = ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else "".join(shown)
    hint = described
    if isinstance(value, str) and len(value) >= 3:
        # "arm" for "arm64", "Python3.12" for "python3.12"; not "python3.13" for "python3.9"
        close = [c for c in choices if isinstance(c, str) and value.lower() in c.lower()]
        if len(close) == 1:
            hint = f"did you mean {toml_value(close[0])}? " + hint
    elif isinstance(value, int) and not isinstance(value, bool) and choices:
        below = [c for c in choices if isinstance(c, int) and c < value]
        above = [c for c in choices if isinstance(c, int) and c > value]
        if below and above:
            hint = f"the nearest allowed values are {max(below)} and {min(above)}; {hint}"
    return error(loc, f"{toml_value(value)} is not one of {listed}", hint.strip())


def _pattern_problem(value: str, ctx: dict[str, Any], what: str) -> str:
    """Say what is wrong with a string that failed its pattern, as precisely as the pattern allows."""
    pattern = ctx.get("pattern", "")
    allowed = _PATTERNS.get(pattern, ("", "", ""))[1]
    if pattern == model.QUEUE_NAME_PATTERN:
        if value.count(".fifo") > 1:
            return 'repeats the ".fifo" suffix'
        if value.lower().endswith(".fifo") and not value.endswith(".fifo"):
            return 'must end in lowercase ".fifo"'
        value = value.removesuffix(".fifo")
    if not value:
        return "is empty"
    if pattern == model.KEY_PATTERN and re.fullmatch(pattern, value.lower()):
        return "must be lowercase"
    if allowed:
        bad = sorted({ch for ch in value if not re.fullmatch(f"[{allowed}]", ch)})
        if bad:
            listed = " and ".join(f"'{ch}'" for ch in bad)
            return f"contains {listed}, which {'is' if len(bad) == 1 else 'are'} not allowed in {_a(what)}"
        if pattern in (model.KEY_PATTERN, model.ENV_VAR_PATTERN) and not value[0].isalpha():
            return "must start with a letter"
        if pattern == model.ENV_VAR_PATTERN and len(value) < 2:
            return "is too short: Lambda needs at least 2 characters"
    return f"is not a valid {what}"


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


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
    model_type, _ = _walk(loc)
    if isinstance(model_type, type) and issubclass(model_type, BaseModel):
        return list(model_type.model_fields)
    return []
