"""queues.toml → Spec, with every problem (syntax, schema, cross-resource rules) located at file:line:col."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

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
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        missing = error((), "file not found", "pass the path of your queues.toml")
        raise GeneratorError([missing.at(name, 0, 0)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError([error((), f"cannot read the file: {exc}").at(name, 0, 0)]) from None
    return load_spec_text(text, name)


def load_spec_text(text: str, name: str = "queues.toml") -> LoadedSpec:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GeneratorError([syntax_problem(exc, text, name)]) from None

    spec, problems = _validate(data)
    located = _locate(problems, text, name)
    if spec is None or has_errors(located):
        raise GeneratorError(located)
    return LoadedSpec(spec, located, text, name)


# Tables of named entries: one broken entry does not stop the rules from checking the others.
_ENTRY_SECTIONS = ("queues", "functions", "tables", "buckets")


def _validate(data: dict) -> tuple[Spec | None, list[Problem]]:
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
