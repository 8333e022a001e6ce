"""Respecting the invocation's remaining time: never start work that cannot finish before the timeout."""

from __future__ import annotations

import time
from typing import Any


class OutOfTime(RuntimeError):
    """Too little time is left to do the work safely; the record fails and SQS delivers it again."""


class TimeBudget:
    """The time left in one invocation, from `context.get_remaining_time_in_millis()`."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def remaining_ms(self) -> int:
        return int(self._context.get_remaining_time_in_millis())

    def require(self, needed_ms: int, what: str) -> None:
        left = self.remaining_ms()
        if left < needed_ms:
            raise OutOfTime(f"{left} ms left in this invocation; {what} needs at least {needed_ms} ms")

    def seconds_for(self, what: str, *, reserve_ms: int, at_most_s: float) -> float:
        """Seconds a step may run, keeping `reserve_ms` for what follows it; OutOfTime if none are left."""
        usable_ms = self.remaining_ms() - reserve_ms
        if usable_ms <= 0:
            raise OutOfTime(f"no time left for {what} (keeping {reserve_ms} ms in reserve)")
        return min(usable_ms / 1000, at_most_s)

    def deadline(self, *, reserve_ms: int) -> float:
        """A `time.monotonic()` instant by which a long step must stop, keeping `reserve_ms` in reserve."""
        return time.monotonic() + (self.remaining_ms() - reserve_ms) / 1000
