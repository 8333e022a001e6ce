"""The one test hook: a process pauses at a named point of a multi-step write (generate's journaled write,
redrive's copy) so that a test can kill it exactly there. Nothing else reads GENERATOR_TEST_PAUSE_AT."""

from __future__ import annotations

import os
import time

PAUSE_VARIABLE = "GENERATOR_TEST_PAUSE_AT"


def pause_point(point: str) -> None:
    if os.environ.get(PAUSE_VARIABLE) == point:
        os.write(2, f"paused at {point}\n".encode())
        time.sleep(600)
