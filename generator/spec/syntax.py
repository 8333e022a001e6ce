"""TOML syntax errors, said the way a person fixes them: tomllib's message, a plain reading of it, and a hint.

tomllib reports where its parser stopped, which for a repeated key or table is the end of the statement; the
problem is placed at the start of that statement instead, where the repeated name is written.
"""

from __future__ import annotations

import re
import tomllib

from generator.problems import Problem, error

_POSITION = re.compile(
    r"^(?P<message>.*?)\s*\((?:at line (?P<line>\d+), column (?P<column>\d+)|at end of document)\)$")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY_AT_LINE_START = re.compile(rf"^\s*(?P<key>{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_SPEC = "see https://toml.io/en/v1.0.0"

# tomllib's message (lowercased, start) → what it means here, and how to fix it.
_READINGS: list[tuple[str, str, str]] = [
    ("illegal character '\\n'", "the string is not closed on this line",
     'close it with a " before the end of the line; for text over several lines use """ ... """'),
    ("unterminated string", "the string is never closed", 'close it with the quote it started with'),
    ("unclosed array", "the array is never closed", "close it with ]"),
    ("unclosed inline table", "the inline table is never closed",
     "close it with } on the same line; an inline table cannot span lines (use a [table] section instead)"),
    ("invalid initial character for a key part", "expected a key here",
     "inline tables { ... } must stay on one line and have no trailing comma; keys are bare words or quoted"),
    ("expected '=' after a key in a key/value pair", "expected '=' after the key",
     'write key = value (TOML uses "=", not ":")'),
    ("expected newline or end of document after a statement", "unexpected text after the value",
     "write one key = value per line, with no trailing comma; start comments with #"),
    ("invalid value", "this is not a TOML value",
     'quote strings ("..."), write booleans as lowercase true/false, and numbers without leading zeros'),
    ("invalid statement", "expected a key = value or a [table] header", _SPEC),
    ("unescaped '\\' in a string", "a backslash in a \"string\" starts an escape",
     "write \\\\ for a backslash, or use a 'literal string' in single quotes"),
    ("expected ']' at the end of a table declaration", "the table header is not closed", "close it with ]"),
]


def syntax_problem(exc: tomllib.TOMLDecodeError, text: str, name: str) -> Problem:
    match = _POSITION.match(str(exc))
    if match is None:
        return error((), f"TOML syntax: {_lower_first(str(exc))}", _SPEC).at(name, 0, 0)
    message = _lower_first(match["message"])
    if match["line"]:
        line, column = int(match["line"]), int(match["column"])
    else:  # at end of document: point at its last line
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
        if message == "invalid value":
            hint = "close what is still open: an array with ], a string with its quote"
            ended = error((), "TOML syntax: the file ends where a value should be", hint)
            return ended.at(name, line, column)

    if message.startswith("cannot declare"):  # a [table] header written twice
        header, column = _statement_start(text, line)
        return error((), f"TOML syntax: table {header} is declared twice",
                     f"merge the two {header} sections into one (a table set earlier with key = {{ ... }} "
                     "counts as one)").at(name, line, column)
    if message == "cannot overwrite a value" or message.startswith(("cannot mutate", "cannot redefine")):
        if _is_header(text, line):  # [a.b] where a.b was already set by a key = value
            header, column = _statement_start(text, line)
            return error((), f"TOML syntax: table {header} repeats a key that was already given a value",
                         "set it once: either as a [table] section or as key = { ... }, not both"
                         ).at(name, line, column)
        line, column, key = _key_statement(text, line)
        said = f"key '{key}' is already set in this table" if key else "a key is set twice"
        hint = "a key may appear once per table; delete or rename one of the two"
        return error((), f"TOML syntax: {said}", hint).at(name, line, column)
    for prefix, reading, hint in _READINGS:
        if message.startswith(prefix):
            return error((), f"TOML syntax: {reading}", hint).at(name, line, column)
    return error((), f"TOML syntax: {message}", _SPEC).at(name, line, column)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _is_header(text: str, line: int) -> bool:
    lines = text.splitlines()
    return line <= len(lines) and lines[line - 1].lstrip().startswith("[")


def _statement_start(text: str, line: int) -> tuple[str, int]:
    """The header written on `line` (e.g. "[project]") and the column where it starts."""
    written = text.splitlines()[line - 1]
    stripped = written.lstrip()
    header = stripped.split("]", 1)[0] + "]" if stripped.startswith("[") else stripped
    return header.replace(" ", ""), len(written) - len(stripped) + 1


def _key_statement(text: str, line: int) -> tuple[int, int, str]:
    """Where the `key = value` statement that ends on `line` starts, and its key.

    A value may span lines (a multi-line array), so walk up to the nearest line that starts with `key =`."""
    lines = text.splitlines()
    for number in range(line, 0, -1):
        found = _KEY_AT_LINE_START.match(lines[number - 1])
        if found:
            return number, found.start("key") + 1, re.sub(r"\s+", "", found["key"])
    written = lines[line - 1] if line <= len(lines) else ""
    return line, len(written) - len(written.lstrip()) + 1, ""
