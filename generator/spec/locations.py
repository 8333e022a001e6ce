"""Where each key of a TOML document is written, so problems can say `queues.toml:LINE:COL`.

tomllib returns plain dicts without positions. This scanner walks the (already successfully parsed) text once
and records the line and column of every table header, key, inline-table key and array element it sees. It
only has to understand valid TOML, which keeps it small.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

Path = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, order=True)
class Location:
    line: int  # 1-based
    column: int  # 1-based


class Locations:
    def __init__(self, positions: dict[Path, Location]):
        self._positions = positions

    def of(self, path: Path) -> Location | None:
        """The position of `path`, or of its nearest written ancestor (a missing key points at its table)."""
        for end in range(len(path), 0, -1):
            found = self._positions.get(tuple(path[:end]))
            if found is not None:
                return found
        return None


def locate(text: str) -> Locations:
    scanner = _Scanner(text)
    scanner.scan()
    return Locations(scanner.positions)


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.positions: dict[Path, Location] = {}
        self._array_tables: dict[Path, int] = {}
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    # -- positions ---------------------------------------------------------------------------------------
    def _location(self, offset: int) -> Location:
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return Location(lo + 1, offset - self._line_starts[lo] + 1)

    def _record(self, path: Path, offset: int) -> None:
        self.positions.setdefault(path, self._location(offset))

    # -- lexing helpers ----------------------------------------------------------------------------------
    def _peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def _skip_space(self, newlines: bool = False) -> None:
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in " \t" or (newlines and ch in "\r\n"):
                self.pos += 1
            elif ch == "#":
                while self.pos < len(self.text) and self.text[self.pos] != "\n":
                    self.pos += 1
            else:
                return

    def _skip_line(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] != "\n":
            self.pos += 1

    def _string(self) -> str:
        """Read a basic, literal or multi-line string starting at pos; return its (roughly unescaped) text."""
        for quote in ('"""', "'''"):
            if self._peek(3) == quote:
                end = self.pos + 3
                while not self.text.startswith(quote, end):
                    # a backslash escapes the next character in a basic string, so \""" does not close it
                    end += 2 if quote == '"""' and self.text[end] == "\\" else 1
                while self.text[end + 3 : end + 4] == quote[0]:  # up to two quotes may close the string
                    end += 1
                value = self.text[self.pos + 3 : end]
                self.pos = end + 3
                return value
        quote = self.text[self.pos]
        self.pos += 1
        start = self.pos
        while self.text[self.pos] != quote:
            if quote == '"' and self.text[self.pos] == "\\":
                self.pos += 1
            self.pos += 1
        value = self.text[start : self.pos]
        self.pos += 1
        if quote == '"' and "\\" in value:
            try:
                unescaped: str = json.loads(f'"{value}"')  # a JSON string literal decodes to a str
                return unescaped
            except ValueError:
                return value
        return value

    def _key(self) -> list[tuple[str, int]]:
        """A dotted key: each part with the offset it starts at."""
        parts: list[tuple[str, int]] = []
        while True:
            self._skip_space()
            start = self.pos
            if self._peek() in "\"'":
                parts.append((self._string(), start))
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    return parts
                self.pos = match.end()
                parts.append((match.group(), start))
            self._skip_space()
            if self._peek() != ".":
                return parts
            self.pos += 1

    # -- grammar -------------------------------------------------------------------------------------------
    def scan(self) -> None:
        table: Path = ()
        while self.pos < len(self.text):
            self._skip_space(newlines=True)
            if self.pos >= len(self.text):
                break
            if self._peek(2) == "[[":
                self.pos += 2
                parts = self._key()
                base = self._record_header(parts)
                index = self._array_tables.get(base, -1) + 1
                self._array_tables[base] = index
                table = (*base, index)
                self._record(table, parts[-1][1])
                self._skip_line()
            elif self._peek() == "[":
                self.pos += 1
                parts = self._key()
                table = self._record_header(parts)
                self._skip_line()
            else:
                parts = self._key()
                if not parts:  # not something we understand; the document parsed, so just move on
                    self._skip_line()
                    continue
                path = self._record_parts(parts, table)
                self._skip_space()
                self.pos += 1  # '='
                self._skip_space()
                self._value(path)

    def _record_header(self, parts: list[tuple[str, int]]) -> Path:
        """Record a [table] or [[array]] header's parts. Inside an array of tables, `[a.b]` belongs to the
        latest element of `a`, so the path gets that element's index: ("a", 1, "b")."""
        path: Path = ()
        for name, offset in parts:
            if path in self._array_tables:
                path = (*path, self._array_tables[path])
            path = (*path, name)
            self._record(path, offset)
        return path

    def _record_parts(self, parts: list[tuple[str, int]], base: Path) -> Path:
        path = base
        for name, offset in parts:
            path = (*path, name)
            self._record(path, offset)
        return path

    def _value(self, path: Path) -> None:
        ch = self._peek()
        if ch == "{":
            self.pos += 1
            while True:
                self._skip_space()
                if self._peek() == "}":
                    self.pos += 1
                    return
                if self._peek() == ",":
                    self.pos += 1
                    continue
                parts = self._key()
                child = self._record_parts(parts, path)
                self._skip_space()
                self.pos += 1  # '='
                self._skip_space()
                self._value(child)
        elif ch == "[":
            self.pos += 1
            index = 0
            while True:
                self._skip_space(newlines=True)
                if self._peek() == "]":
                    self.pos += 1
                    return
                if self._peek() == ",":
                    self.pos += 1
                    continue
                self._record((*path, index), self.pos)
                self._value((*path, index))
                index += 1
        elif ch in "\"'":
            self._string()
        else:  # numbers, booleans, dates: up to the next delimiter
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\n#":
                self.pos += 1
