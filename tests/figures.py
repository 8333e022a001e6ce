"""Tried / handled figures of a family of cases, kept current in the run's summary (tests/conftest.py SUMMARY):
one line per family, rewritten after each case."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from tests.conftest import SUMMARY


class Families:
    def __init__(self, line: Callable[[str, int, int], str]):
        """line(family, tried, handled) → the family's summary line."""
        self._line = line
        self._figures: dict[str, list[int]] = {}  # family → [tried, handled]
        self._lines: dict[str, int] = {}  # family → its line in SUMMARY

    @contextlib.contextmanager
    def case(self, family: str) -> Iterator[None]:
        """One tried case of the family; it counts as handled only if every assertion in it held."""
        handled = False
        try:
            yield
            handled = True
        finally:
            figures = self._figures.setdefault(family, [0, 0])
            figures[0] += 1
            figures[1] += handled
            line = self._line(family, *figures)
            if family in self._lines:
                SUMMARY[self._lines[family]] = line
            else:
                self._lines[family] = len(SUMMARY)
                SUMMARY.append(line)
