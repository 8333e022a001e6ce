"""One change to moto: its name, the AWS behaviour it restores, and the function that applies it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Patch:
    name: str  # the function's name without its underscore: the key of its probe (tests/local/emulator/)
    restores: str  # the AWS behaviour it restores, as the emulator's log prints it
    apply: Callable[[], None]


def patch(restores: str) -> Callable[[Callable[[], None]], Patch]:
    """`@patch("what AWS does")` over `def _name() -> None`: the function as a Patch (registered nowhere; each
    module lists its patches in PATCHES, and patches.py lists the modules)."""

    def make(apply: Callable[[], None]) -> Patch:
        return Patch(apply.__name__.removeprefix("_"), restores, apply)

    return make
