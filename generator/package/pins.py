"""A function's requirements.txt as exact pins, and the check that the pins are the whole dependency closure.

Why the closure must be pinned: pip installs each pin with --no-deps, so nothing is resolved at build time and
the same requirements.txt gives the same files on every machine, today and next year. A dependency the file
forgets is reported (with the package that needs it) instead of being resolved to whatever is newest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import Specifier
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from generator.package.inputs import FunctionSource, read_requirements
from generator.package.runtime import RUNTIME_PROVIDED
from generator.package.target import Target
from generator.problems import Problem, error


@dataclass(frozen=True)
class Pin:
    name: NormalizedName
    version: Version
    extras: frozenset[str]
    line: int

    @property
    def requirement(self) -> str:
        """What pip is asked for (extras do not matter: dependencies are never installed by pip)."""
        return f"{self.name}=={self.version}"


@dataclass(frozen=True)
class Distribution:
    """What a wheel's METADATA says about itself."""

    name: NormalizedName
    version: Version
    requires: tuple[str, ...]  # Requires-Dist lines


def requirements_name(fn: FunctionSource) -> str:
    return f"{fn.shown}/requirements.txt"


def parse_pins(fn: FunctionSource, target: Target) -> tuple[list[Pin], list[Problem]]:
    """The pins that apply on the target (markers evaluated), or problems naming the offending lines."""
    pins: dict[NormalizedName, Pin] = {}
    problems = []
    where = requirements_name(fn)

    def problem(number: int, message: str, hint: str) -> None:
        problems.append(error(("functions", fn.key), f"{where}:{number}: {message}", hint))

    requirements = read_requirements(fn)
    problems += requirements.problems
    for number, line in requirements.lines:
        if line.startswith("-"):
            problem(number, f"pip options are not supported ({line!r})",
                    "list one `name==version` per line; the packager chooses the index and platform itself")
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            problem(number, f"cannot parse {line!r}: {exc}", "write `name==version`")
            continue
        specifiers = list(requirement.specifier)
        version = _exact_version(specifiers)
        if requirement.url or version is None:
            problem(number, f"{line!r} is not pinned to one version",
                    f"pin an exact version, e.g. `{requirement.name}==<version>`, so every build installs "
                    "the same files")
            continue
        if requirement.marker is not None and not _marker_applies(requirement.marker, target, ""):
            continue
        name = canonicalize_name(requirement.name)
        if name in pins:
            problem(number, f"{requirement.name} is pinned twice (first on line {pins[name].line})",
                    "keep one pin per package")
            continue
        pins[name] = Pin(name, version, frozenset(requirement.extras), number)
    return list(pins.values()), problems


def _exact_version(specifiers: list[Specifier]) -> Version | None:
    if len(specifiers) != 1 or specifiers[0].operator not in ("==", "===") or "*" in specifiers[0].version:
        return None
    try:
        return Version(specifiers[0].version)
    except InvalidVersion:
        return None


def _marker_applies(marker: Marker, target: Target, extra: str) -> bool:
    try:
        return marker.evaluate({**target.marker_environment(), "extra": extra})
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return True  # a marker we cannot evaluate: better to ask for the dependency than to drop it


def unpinned_requirements(fn: FunctionSource, target: Target, pins: list[Pin],
                          distributions: Mapping[NormalizedName, Distribution]) -> list[Problem]:
    """Every requirement of a pinned distribution (with the extras asked of it, markers evaluated for the
    target) must be satisfied by a pin, or by the runtime when the requirer is not itself runtime-provided."""
    pinned = {pin.name: pin for pin in pins}
    extras = {pin.name: set(pin.extras) for pin in pins}
    problems: dict[tuple[str, str], Problem] = {}  # (distribution, what is wrong with it)
    where = requirements_name(fn)
    pending = list(pinned)
    while pending:
        requirer = distributions[pending.pop()]
        for line in requirer.requires:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue  # unparseable metadata of a published wheel: pip would skip it too
            asked = ["", *sorted(extras[requirer.name])]
            marker = requirement.marker
            if marker is not None and not any(_marker_applies(marker, target, extra) for extra in asked):
                continue
            name = canonicalize_name(requirement.name)
            wanted = f"{requirement.name}{requirement.specifier}"
            needed_by = f"{requirer.name} {requirer.version} requires {wanted}"
            if name in pinned:
                if not requirement.specifier.contains(pinned[name].version, prereleases=True):
                    problems[(name, "version")] = error(
                        ("functions", fn.key),
                        f"{where}:{pinned[name].line}: {needed_by}, but {pinned[name].requirement} is pinned",
                        "pin versions that satisfy each other (`pip install --dry-run` shows what pip "
                        "would pick)")
                new_extras = set(requirement.extras) - extras[name]
                if new_extras:
                    extras[name] |= new_extras
                    pending.append(name)
            # The runtime's SDK satisfies a requirement unless the function pins it (then the pinned copy in
            # the zip wins, and its own dependencies must be pinned too).
            elif name in RUNTIME_PROVIDED and requirer.name not in RUNTIME_PROVIDED:
                continue
            else:
                problems[(name, "missing")] = error(
                    ("functions", fn.key),
                    f"{needed_by}, which {where} does not pin",
                    f"add `{requirement.name}==<version>` (any version {requirement.specifier or 'will do'}) "
                    f"to {where}: every dependency is pinned, so each build installs exactly the same files")
    return [problems[key] for key in sorted(problems)]
