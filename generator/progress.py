"""A line per stage with the elapsed time, and never a silent minute: long waits report every few seconds."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self.started = time.monotonic()
        self._stream = stream

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, message: str) -> None:
        print(f"[{self.elapsed():6.1f} s] {message}", file=self._stream, flush=True)
