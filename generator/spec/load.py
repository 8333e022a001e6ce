"""queues.toml → Spec, with every problem (syntax, schema, cross-resource rules) located at file:line:col."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.problems import GeneratorError, Problem, error, has_errors, sorted_problems
from generator.rules import check_rules
from generator.spec.locations import locate
from generator.spec.messages import problems_from_validation_error
from generator.spec.model import Spec
from generator.spec.syntax import syntax_problem


@dataclass(frozen=True)
class LoadedSpec:
    spec: Spec
    warnings: list[Problem]
    text: str
    name: str

    def located(self, problems: list[Problem]) -> list[Problem]:
        """Problems found later (e.g. about function sources), placed at their key in the spec file."""
        return _locate(problems, self.text, self.name)


def load_spec(path: Path, display_name: str | None = None) -> LoadedSpec:
    """Read, parse, validate. Raises GeneratorError with every error (and warning) found; else the spec."""
    name = display_name or str(path)
    try:
        if path.is_dir():
            raise GeneratorError([error((), "is a directory, not a file", "pass the path of your queues.toml")
                                  .at(name, 0, 0)])
        if path.exists() and not path.is_file():  # a FIFO or device would block or never end
            raise GeneratorError([error((), "is not a regular file", "pass the path of your queues.toml")
                                  .at(name, 0, 0)])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        missing = error((), "file not found", "pass the path of your queues.toml")
        raise GeneratorError([missing.at(name, 0, 0)]) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise GeneratorError([error((), f"is not UTF-8 text ({exc.reason}: byte 0x{exc.object[exc.start]:02x})",
                                    "TOML files are UTF-8: save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)")
                              .at(name, line, 1)]) from None
    except OSError as exc:
        raise GeneratorError([error((), f"cannot read the file: {exc.strerror or exc}",
                                    "check that it exists and that you may read it (`ls -l`)")
                              .at(name, 0, 0)]) from None
    return load_spec_text(text, name)


def load_spec_text(text: str, name: str = "queues.toml") -> LoadedSpec:
    try:
        data = tomllib.loads(text)
        spec, problems = _validate(data)
        located = _locate(problems, text, name)
    except tomllib.TOMLDecodeError as exc:
        raise GeneratorError([syntax_problem(exc, text, name)]) from None
    except RecursionError:  # tomllib (and every walk after it) recurses once per level of nesting
        raise GeneratorError([_too_deep(text, name)]) from None
    if spec is None or has_errors(located):
        raise GeneratorError(located)
    return LoadedSpec(spec, located, text, name)


_DEEPEST_SENSIBLE = 32  # no value of queues.toml nests more than a few levels; past this, say where it starts


def _too_deep(text: str, name: str) -> Problem:
    """Placed on the line where the nesting passes a depth no real spec reaches (a rough count of brackets
    outside strings and comments: only used once the parser has already given up)."""
    depth, found = 0, 0
    for number, line in enumerate(text.splitlines(), start=1):
        code = re.sub(r'"(?:\\.|[^"\\])*"|\'[^\']*\'|#.*', "", line)
        if re.match(r"\s*\[", code) and "=" not in code:  # a [table] header, not a value
            continue
        for char in code:
            depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(char, 0)
            if depth > _DEEPEST_SENSIBLE:
                found = number
                break
        if found:
            break
    problem = error((), f"arrays or inline tables are nested too deeply to parse (past {_DEEPEST_SENSIBLE} "
                    "levels here)", "queues.toml values nest a few levels at most: flatten this value")
    return problem.at(name, found, 1 if found else 0)


# Tables of named entries: one broken entry does not stop the rules from checking the others.
_ENTRY_SECTIONS = ("queues", "functions", "tables", "buckets")


def _validate(data: dict[str, Any]) -> tuple[Spec | None, list[Problem]]:
    """Schema problems and rule problems together. Entries with schema problems are left out of the rules
    (rules need valid values); references to them are not reported again as unknown."""
    try:
        spec = Spec.model_validate(data)
        return spec, check_rules(spec)
    except ValidationError as exc:
        schema_problems = problems_from_validation_error(exc)

    broken = {(path[0], path[1]) for p in schema_problems if len(path := p.path) >= 2 and path[0] in _ENTRY_SECTIONS}
    pruned = {
        section: ({key: value for key, value in entries.items() if (section, key) not in broken}
                  if section in _ENTRY_SECTIONS and isinstance(entries, dict) else entries)
        for section, entries in data.items()
    }
    try:
        partial = Spec.model_validate(pruned)
    except ValidationError:  # a problem outside the named entries (e.g. [project]); the schema problems stand
        return None, schema_problems
    rule_problems = [p for p in check_rules(partial) if p.refers_to not in broken]
    return None, schema_problems + rule_problems


def _locate(problems: list[Problem], text: str, name: str) -> list[Problem]:
    if not problems:  # scanning the text for positions is only worth it when there is something to place
        return []
    locations = locate(text)
    located = []
    for problem in problems:
        where = locations.of(problem.path)
        located.append(problem.at(name, where.line, where.column) if where else problem.at(name, 0, 0))
    return sorted_problems(located)
