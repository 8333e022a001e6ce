"""The platform a function's dependencies are chosen for: the Lambda runtime's Python and the architecture.

Never the build host: every wheel is picked by the tags below, so a zip built on macOS or on an arm64 laptop
holds the same Linux wheels as one built in CI.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from packaging.tags import Tag, compatible_tags, cpython_tags

# The newest glibc each runtime's Amazon Linux provides: python3.11 runs on Amazon Linux 2 (glibc 2.26),
# python3.12 and later on Amazon Linux 2023 (glibc 2.34). A wheel built for a newer glibc imports nowhere.
_GLIBC_MINOR = {"3.11": 26, "3.12": 34, "3.13": 34}
_MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}
# PEP 600 names the old manylinux tags by the glibc they target; wheels still carry either spelling.
_LEGACY_ALIASES = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
# aarch64 manylinux wheels start at glibc 2.17 (manylinux2014); x86_64 ones go back to manylinux1.
_OLDEST_GLIBC_MINOR = {"x86_64": 5, "aarch64": 17}


@dataclass(frozen=True)
class Target:
    runtime: str  # "python3.12"
    architecture: str  # Lambda's name: "x86_64" | "arm64"

    @property
    def python_version(self) -> str:
        return self.runtime.removeprefix("python")

    @property
    def machine(self) -> str:
        """The architecture as wheel tags and `platform_machine` spell it."""
        return _MACHINE[self.architecture]

    @property
    def interpreter(self) -> str:
        return "cp" + self.python_version.replace(".", "")

    def describe(self) -> str:
        return f"{self.runtime} {self.architecture}"

    @cached_property
    def platforms(self) -> tuple[str, ...]:
        """manylinux platform tags the runtime can load, most specific (newest glibc) first."""
        platforms = []
        for minor in range(_GLIBC_MINOR[self.python_version], _OLDEST_GLIBC_MINOR[self.machine] - 1, -1):
            platforms.append(f"manylinux_2_{minor}_{self.machine}")
            if minor in _LEGACY_ALIASES and (self.machine == "x86_64" or minor == 17):
                platforms.append(f"{_LEGACY_ALIASES[minor]}_{self.machine}")
        return tuple(platforms)

    @cached_property
    def tags(self) -> dict[Tag, int]:
        """Every wheel tag the runtime accepts → its priority (0 is best), in pip's order of preference."""
        version = tuple(int(part) for part in self.python_version.split("."))
        ordered = [
            *cpython_tags(python_version=version, abis=[self.interpreter], platforms=self.platforms),
            *compatible_tags(python_version=version, interpreter=self.interpreter, platforms=self.platforms),
        ]
        priorities: dict[Tag, int] = {}
        for tag in ordered:
            priorities.setdefault(tag, len(priorities))
        return priorities

    def pip_arguments(self) -> list[str]:
        """What makes pip choose wheels for this target rather than for the Python running pip."""
        arguments = ["--only-binary=:all:", "--implementation", "cp", "--python-version", self.python_version,
                     "--abi", self.interpreter]
        for platform in self.platforms:
            arguments += ["--platform", platform]
        return arguments

    def marker_environment(self) -> dict[str, str]:
        """PEP 508 marker values on the Lambda runtime (the patch release is unknown: assume .0)."""
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{self.python_version}.0",
            "os_name": "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": f"{self.python_version}.0",
            "python_version": self.python_version,
            "sys_platform": "linux",
            "extra": "",
        }
