"""Wheels for the Lambda platform: a local cache that pip fills once, and what each wheel installs.

pip is only ever asked to *download* (exact pins, --no-deps, the target's tags); a cached wheel is never
fetched again, so a build whose wheels are cached needs no package index at all. Installing a wheel for Lambda
is unpacking it: its files and .dist-info go to the zip root, `.data/purelib` and `.data/platlib` too;
console scripts and headers are left out (the scripts pip writes embed the build host's Python path).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath

from packaging.tags import Tag
from packaging.utils import BuildTag, InvalidWheelFilename, NormalizedName, canonicalize_name, parse_wheel_filename
from packaging.version import Version

from generator.package.exclude import wheel_debris
from generator.package.pins import Distribution, Pin
from generator.package.target import Target
from generator.package.wheel_integrity import wheel_problem

_NO_MATCH = re.compile(r"No matching distribution found for (?P<requirement>\S+)")


@dataclass(frozen=True)
class CachedWheel:
    path: Path
    name: NormalizedName
    version: Version
    build: BuildTag
    tags: frozenset[Tag]


@dataclass(frozen=True)
class WheelFile:
    """One file a wheel installs: its path in the zip and its member in the wheel."""

    archive_name: str
    info: zipfile.ZipInfo
    executable: bool


class WheelCache:
    """A directory of downloaded wheels shared by every function and target (wheel names carry their tags)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._index: dict[tuple[NormalizedName, Version], list[CachedWheel]] | None = None

    def find(self, pin: Pin, target: Target) -> Path | None:
        """The cached wheel pip would choose for the pin on the target: the best-ranked compatible tag."""
        ranked = []
        for wheel in self._wheels().get((pin.name, pin.version), []):
            priorities = [target.tags[tag] for tag in wheel.tags if tag in target.tags]
            if priorities:
                newest_build = -wheel.build[0] if wheel.build else 0
                ranked.append((min(priorities), newest_build, wheel.path.name, wheel.path))
        return min(ranked)[-1] if ranked else None

    def problem(self, wheel: Path) -> str | None:
        """What is wrong with a cached wheel (generator/package/wheel_integrity.py), or None."""
        return wheel_problem(wheel, self.directory / ".verified")

    def download(self, pins: list[Pin], target: Target) -> tuple[str, str] | None:
        """Fetch the pins' wheels into the cache. None, or (the requirement pip failed on, pip's message)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".download-", dir=self.directory) as staging:
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                       "--no-input", "--progress-bar", "off", "--dest", staging, *target.pip_arguments(),
                       *(pin.requirement for pin in pins)]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                return _pip_failure(result.stderr, pins)
            # Moved in only once complete, so an interrupted download never leaves a truncated wheel behind.
            for path in sorted(Path(staging).glob("*.whl")):
                os.replace(path, self.directory / path.name)
        self._index = None
        return None

    def _wheels(self) -> dict[tuple[NormalizedName, Version], list[CachedWheel]]:
        if self._index is None:
            self._index = {}
            paths = sorted(self.directory.glob("*.whl")) if self.directory.is_dir() else []
            for path in paths:
                try:
                    name, version, build, tags = parse_wheel_filename(path.name)
                except InvalidWheelFilename:
                    continue
                self._index.setdefault((name, version), []).append(
                    CachedWheel(path, name, version, build, frozenset(tags)))
        return self._index


def _pip_failure(stderr: str, pins: list[Pin]) -> tuple[str, str]:
    lines = stderr.splitlines()
    errors = [line.removeprefix("ERROR:").strip() for line in lines if line.startswith("ERROR:")]
    message = errors[-1] if errors else (stderr.strip().splitlines() or ["pip failed"])[-1]
    match = _NO_MATCH.search(stderr)
    if match:
        return match["requirement"], message
    return " ".join(pin.requirement for pin in pins), message


def _dist_info_dir(archive: zipfile.ZipFile) -> str:
    candidates = {name.split("/", 1)[0] for name in archive.namelist() if name.count("/") == 1}
    dist_infos = sorted(name for name in candidates if name.endswith(".dist-info"))
    if len(dist_infos) != 1:
        raise ValueError(f"expected one .dist-info directory, found {dist_infos or 'none'}")
    return dist_infos[0]


def distribution(wheel: Path) -> Distribution:
    """Name, version and Requires-Dist from the wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"{_dist_info_dir(archive)}/METADATA").decode("utf-8")
    headers = HeaderParser().parsestr(metadata)
    return Distribution(canonicalize_name(headers["Name"]), Version(headers["Version"]),
                        tuple(headers.get_all("Requires-Dist") or ()))


def installed_files(wheel: Path) -> list[WheelFile]:
    """The files unpacking the wheel into a Lambda zip's root gives, minus debris; in wheel order."""
    with zipfile.ZipFile(wheel) as archive:
        data_dir = _dist_info_dir(archive).removesuffix(".dist-info") + ".data"
        files = []
        for info in archive.infolist():
            if info.is_dir():
                continue
            parts = PurePosixPath(info.filename).parts
            if parts[0] == data_dir:
                if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                    continue  # scripts, headers and data files are not importable code
                parts = parts[2:]
            if wheel_debris(parts):
                continue
            files.append(WheelFile("/".join(parts), info, _is_executable(info)))
    return files


def _is_executable(info: zipfile.ZipInfo) -> bool:
    """As pip decides it: a regular file whose unix mode has an execute bit."""
    mode = info.external_attr >> 16
    return bool(mode and (mode & 0o170000) == 0o100000 and mode & 0o111)

