"""The grammar of a Lambda event filter pattern, as Lambda checks it when a mapping is created or updated
(`InvalidParameterValueException: Invalid filter pattern definition.`). One module for both places that check
it: `python -m generator check` (generator/rules/triggers.py) and the emulator's CreateEventSourceMapping
(generator/local/emulator/lambda_mappings.py).

Lambda's patterns are EventBridge patterns, restricted to the operators Lambda documents:
https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html

- a pattern is a non-empty object; each value is an object (a nested field) or a non-empty array of matchers;
- a matcher is a string, a number, true/false, null, or an object with exactly one operator:
  `prefix` / `suffix` (a string, or `{"equals-ignore-case": string}`), `equals-ignore-case` (a string),
  `anything-but` (a string, a number, or a non-empty array of strings or of numbers), `exists` (true/false),
  `numeric` (`[op, n]` with op one of = < <= > >=, or a range `[> or >=, low, < or <=, high]` with low < high);
- numbers lie within ±5.0e9 (EventBridge's numeric matching range);
- `$or` (an array of at least two patterns) combines patterns at any level of the object.

Operators Lambda does not support (`wildcard`, `cidr`, the object forms of `anything-but`) are refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_PATTERN_CHARACTERS = 4096  # Lambda: "Maximum length of a filter pattern: 4,096 characters"
NUMERIC_LIMIT = 5.0e9
_NUMERIC_OPERATORS = ("=", "<", "<=", ">", ">=")
_OPERATORS = ("anything-but", "equals-ignore-case", "exists", "numeric", "prefix", "suffix")


@dataclass(frozen=True)
class FilterProblem:
    where: tuple[str | int, ...]  # inside the pattern: keys and array indexes
    message: str  # completes "the value at <where> …" (or "the pattern …" at the top)
    hint: str


def pattern_text_problems(text: str) -> list[FilterProblem]:
    """A pattern as Lambda's API receives it (a JSON string)."""
    if len(text) > MAX_PATTERN_CHARACTERS:
        return [FilterProblem((), f"is {len(text)} characters long, over Lambda's {MAX_PATTERN_CHARACTERS}",
                              "split it into several patterns")]
    try:
        pattern = json.loads(text)
    except ValueError:
        return [FilterProblem((), "is not valid JSON", "write the pattern as a JSON object")]
    return pattern_problems(pattern)


def pattern_problems(pattern: Any) -> list[FilterProblem]:
    """Every way `pattern` (decoded: dicts, lists, scalars) breaks Lambda's grammar; [] when Lambda accepts it."""
    if not isinstance(pattern, dict):
        return [FilterProblem((), "is not an object",
                              'write it as a table of fields, e.g. { body = { kind = ["video"] } }')]
    return list(_object(pattern, ()))


def where_text(where: tuple[str | int, ...]) -> str:
    return ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in where).replace(".[", "[")


def _object(node: dict[str, Any], where: tuple[str | int, ...]) -> Iterator[FilterProblem]:
    if not node:
        yield FilterProblem(where, "is an empty table, which matches nothing", "remove it, or name a field to match")
        return
    for key, value in node.items():
        at = (*where, key)
        if key == "$or":
            yield from _or(value, at)
        elif isinstance(value, dict):
            yield from _object(value, at)
        elif isinstance(value, list):
            yield from _matchers(value, at)
        else:
            yield FilterProblem(at, "is not an array",
                                f"write it as an array, e.g. {key} = [{_shown(value)}]")


def _or(value: Any, where: tuple[str | int, ...]) -> Iterator[FilterProblem]:
    if not isinstance(value, list) or len(value) < 2 or not all(isinstance(item, dict) for item in value):
        yield FilterProblem(where, "is not an array of at least two tables",
                            '"$or" takes alternatives, e.g. '
                            '"$or" = [{ kind = ["a"] }, { size = [{ numeric = [">", 9] }] }]')
        return
    for index, item in enumerate(value):
        yield from _object(item, (*where, index))


def _matchers(values: list[Any], where: tuple[str | int, ...]) -> Iterator[FilterProblem]:
    if not values:
        yield FilterProblem(where, "is an empty array, which Lambda refuses",
                            'list the values to match, e.g. ["video"]; '
                            "to match a missing field use [{ exists = false }]")
        return
    for index, value in enumerate(values):
        at = (*where, index)
        if isinstance(value, dict):
            yield from _operator(value, at)
        elif isinstance(value, list):
            yield FilterProblem(at, "is an array inside an array", "list the values in one flat array")
        else:
            yield from _scalar(value, at)


def _scalar(value: Any, where: tuple[str | int, ...]) -> Iterator[FilterProblem]:
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, (int, float)):
        yield from _number(value, where)
        return
    yield FilterProblem(where, f"is {type(value).__name__.replace('_', ' ')}, which is no JSON value",
                        "match strings, numbers, true, false or null")


def _number(value: Any, where: tuple[str | int, ...]) -> Iterator[FilterProblem]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        yield FilterProblem(where, f"is {_shown(value)}, not a number", "write a number, e.g. 10 or 2.5")
    elif not -NUMERIC_LIMIT <= value <= NUMERIC_LIMIT:
        yield FilterProblem(where, f"is {value}, outside the ±5.0e9 that numeric matching covers",
                            "match a number between -5000000000 and 5000000000")


def _operator(node: dict[str, Any], where: tuple[str | int, ...]) -> Iterator[FilterProblem]:
    if len(node) != 1:
        names = ", ".join(sorted(node)) or "nothing"
        yield FilterProblem(where, f"holds {names}: a matcher table holds exactly one operator",
                            "write one table per operator, e.g. [{ prefix = \"a\" }, { suffix = \"z\" }]")
        return
    ((name, argument),) = node.items()
    at = (*where, name)
    if name not in _OPERATORS:
        yield FilterProblem(at, "is not an operator Lambda filtering supports",
                            "use one of: " + ", ".join(_OPERATORS))
    elif name in ("prefix", "suffix"):
        if isinstance(argument, dict) and list(argument) == ["equals-ignore-case"]:
            yield from _string(argument["equals-ignore-case"], (*at, "equals-ignore-case"))
        elif not isinstance(argument, str):
            yield FilterProblem(at, f"is {_shown(argument)}, not a string",
                                f'write {name} = "text" or {name} = {{ equals-ignore-case = "text" }}')
    elif name == "equals-ignore-case":
        yield from _string(argument, at)
    elif name == "exists":
        if not isinstance(argument, bool):
            yield FilterProblem(at, f"is {_shown(argument)}, not true or false",
                                "write exists = true (the field is present) or exists = false (absent)")
    elif name == "anything-but":
        yield from _anything_but(argument, at)
    else:
        yield from _numeric(argument, at)


def _string(value: Any, where: tuple[str | int, ...]) -> Iterator[FilterProblem]:
    if not isinstance(value, str):
        yield FilterProblem(where, f"is {_shown(value)}, not a string", 'write a string, e.g. "video"')


def _anything_but(argument: Any, where: tuple[str | int, ...]) -> Iterator[FilterProblem]:
    hint = 'write anything-but = "value", a number, or an array of strings or of numbers'
    if isinstance(argument, dict):
        yield FilterProblem(where, "is a table: Lambda filtering supports anything-but of values only "
                                   "(not its prefix, suffix, equals-ignore-case or wildcard forms)", hint)
    elif isinstance(argument, list):
        if not argument:
            yield FilterProblem(where, "is an empty array, which Lambda refuses", hint)
        elif all(isinstance(item, str) for item in argument):
            return
        elif all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in argument):
            for index, item in enumerate(argument):
                yield from _number(item, (*where, index))
        else:
            yield FilterProblem(where, "mixes kinds of values: it takes strings only or numbers only", hint)
    elif isinstance(argument, str):
        return
    elif isinstance(argument, (int, float)) and not isinstance(argument, bool):
        yield from _number(argument, where)
    else:
        yield FilterProblem(where, f"is {_shown(argument)}, which anything-but does not take", hint)


def _numeric(argument: Any, where: tuple[str | int, ...]) -> Iterator[FilterProblem]:
    hint = 'write numeric = ["=", 5], numeric = [">", 0] or a range numeric = [">=", 0, "<", 100]'
    if not isinstance(argument, list) or len(argument) not in (2, 4):
        yield FilterProblem(where, f"is {_shown(argument)}, not one comparison or a range", hint)
        return
    operators, numbers = argument[0::2], argument[1::2]
    for index, operator in zip(range(0, len(argument), 2), operators, strict=True):
        if operator not in _NUMERIC_OPERATORS:
            yield FilterProblem((*where, index), f"is {_shown(operator)}, not one of {' '.join(_NUMERIC_OPERATORS)}",
                                hint)
            return
    for index, number in zip(range(1, len(argument), 2), numbers, strict=True):
        found = list(_number(number, (*where, index)))
        if found:
            yield from found
            return
    if len(argument) == 4:
        if operators[0] not in (">", ">=") or operators[1] not in ("<", "<="):
            yield FilterProblem(where, "is a range whose first bound is not a lower bound (> or >=) or whose "
                                       "second is not an upper bound (< or <=)", hint)
        elif numbers[0] >= numbers[1]:
            yield FilterProblem(where, f"is a range from {numbers[0]} to {numbers[1]}, which holds no number",
                                "make the lower bound less than the upper bound")


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "an array" if value else "an empty array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"
