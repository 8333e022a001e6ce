"""Problems are data: every stage returns them, the CLI prints them once, sorted."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace

Path = tuple[str | int, ...]


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    level: Level
    path: Path
    message: str
    hint: str = ""
    file: str = ""
    line: int = 0
    column: int = 0
    # For "no such queue/table/bucket" problems: the (section, key) referred to. When that entry exists but
    # failed schema validation, the loader drops the problem: the entry's own errors already explain it.
    refers_to: tuple[str, str] | None = None

    @property
    def dotted_path(self) -> str:
        return dotted(self.path)

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        return (self.file, self.line or 10**9, self.column, self.dotted_path, self.level.value, self.message)

    def at(self, file: str, line: int, column: int) -> Problem:
        return replace(self, file=file, line=line, column=column)

    def format(self) -> str:
        where = self.file or "queues.toml"
        if self.line:
            where += f":{self.line}:{self.column}"
        subject = f"{self.dotted_path}: " if self.path else ""
        text = f"{where}: {self.level.value}: {subject}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def error(path: Path, message: str, hint: str = "") -> Problem:
    return Problem(Level.ERROR, path, message, hint)


def warning(path: Path, message: str, hint: str = "") -> Problem:
    return Problem(Level.WARNING, path, message, hint)


def dotted(path: Path) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.level is Level.ERROR for p in problems)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems), key=Problem.sort_key)


class GeneratorError(Exception):
    """The one user-facing failure: carries the problems, which the CLI prints."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted_problems(problems)
        super().__init__("\n".join(p.format() for p in self.problems))
