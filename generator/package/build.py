"""Package every function as `<build dir>/<key>.zip`, rebuilding only the zips whose inputs changed.

Two steps, so that nothing is written unless everything can be: `prepare_packages` checks every function
(pins, wheels, dependency closure, duplicate files, Lambda's size limits) and works out each zip's exact
size; `write_packages` then writes the zips. A zip is written to a temporary file and renamed into place, and
its manifest (the input hash it was built from) is removed before and rewritten after, so an interrupted build
never leaves a zip that a later run would take for up to date.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.utils import NormalizedName

from generator.package import limits
from generator.package.inputs import PACKAGER_VERSION, FunctionSource, input_hash, source_files
from generator.package.pins import Distribution, Pin, parse_pins, requirements_name, unpinned_requirements
from generator.package.target import Target
from generator.package.wheels import WheelCache, distribution, installed_files
from generator.package.zipwriter import Member, compressed_member, wheel_member, write_zip, zip_size
from generator.problems import GeneratorError, Problem, error

Status = Literal["built", "reused"]


@dataclass(frozen=True)
class PackageResult:
    key: str
    zip_path: Path
    input_hash: str  # what Terraform sees as source_code_hash
    zip_size: int
    unzipped_size: int
    status: Status

    @property
    def deployed_through_s3(self) -> bool:
        return limits.deployed_through_s3(self.zip_size)


@dataclass(frozen=True)
class PreparedPackage:
    result: PackageResult  # status "built": still to be written by write_packages
    members: tuple[Member, ...] = ()
    wheels: tuple[str, ...] = ()


def package_functions(sources: list[FunctionSource], build_dir: Path,
                      wheel_dir: Path | None = None) -> dict[str, PackageResult]:
    """Build or reuse every function's zip. Raises GeneratorError (problems at functions.<key>)."""
    return write_packages(prepare_packages(sources, build_dir, wheel_dir))


def default_wheel_dir(build_dir: Path) -> Path:
    return build_dir.parent / "wheels"


def prepare_packages(sources: list[FunctionSource], build_dir: Path,
                     wheel_dir: Path | None = None) -> list[PreparedPackage]:
    """Everything short of writing. Raises GeneratorError with every problem found; writes only to the wheel
    cache (pip downloads of missing wheels)."""
    cache = WheelCache(wheel_dir or default_wheel_dir(build_dir))
    prepared, problems = [], []
    for fn in sources:
        digest = input_hash(fn)
        reused = _reusable(fn.key, digest, build_dir)
        if reused is not None:
            prepared.append(PreparedPackage(reused))
            continue
        package, found = _prepare(fn, digest, build_dir, cache)
        problems += found
        if package is not None:
            prepared.append(package)
    if problems:
        raise GeneratorError(problems)
    return prepared


def write_packages(prepared: list[PreparedPackage]) -> dict[str, PackageResult]:
    for package in prepared:
        if package.result.status == "built":
            _write(package)
    return {package.result.key: package.result for package in prepared}


def _prepare(fn: FunctionSource, digest: str, build_dir: Path,
             cache: WheelCache) -> tuple[PreparedPackage | None, list[Problem]]:
    target = Target(fn.runtime, fn.architecture)
    pins, problems = parse_pins(fn, target)
    if problems:
        return None, problems
    wheels, problems = _wheels(fn, pins, target, cache)
    if problems:
        return None, problems
    distributions: dict[NormalizedName, Distribution] = {
        pin.name: distribution(wheels[pin.name]) for pin in pins
    }
    problems = unpinned_requirements(fn, target, pins, distributions)
    if problems:
        return None, problems

    files: dict[str, tuple[str, Member | Path]] = {}  # archive name → (origin, member or source path)
    for file in source_files(fn):
        files[file.archive_name] = (fn.folder or str(fn.source_dir), file.path)
    for pin in pins:
        for file in installed_files(wheels[pin.name]):
            if file.archive_name in files:
                origins = f"{files[file.archive_name][0]} and {wheels[pin.name].name}"
                problems.append(error(("functions", fn.key), f"{file.archive_name} comes from both {origins}",
                                      "rename the file, or drop one of the two"))
                continue
            member = wheel_member(file.archive_name, wheels[pin.name], file.info, file.executable)
            files[file.archive_name] = (wheels[pin.name].name, member)
    unzipped = sum(
        item.size if isinstance(item, Member) else item.stat().st_size for _, item in files.values()
    )
    if limits.too_large_unzipped(unzipped):
        problems.append(error(("functions", fn.key),
                              f"the package is {limits.megabytes(unzipped)} unzipped, over Lambda's "
                              f"{limits.megabytes(limits.UNZIPPED_LIMIT)} limit",
                              "drop dependencies or data files, or keep large assets in S3 and fetch them "
                              "at run time"))
    if problems:
        return None, problems

    executable = {file.archive_name: file.executable for file in source_files(fn)}
    members = tuple(
        item if isinstance(item, Member) else compressed_member(name, item.read_bytes(), executable[name])
        for name, (_, item) in sorted(files.items())
    )
    result = PackageResult(fn.key, _zip_path(build_dir, fn.key), digest, zip_size(members), unzipped, "built")
    return PreparedPackage(result, members, tuple(sorted(path.name for path in wheels.values()))), []


def _wheels(fn: FunctionSource, pins: list[Pin], target: Target,
            cache: WheelCache) -> tuple[dict[NormalizedName, Path], list[Problem]]:
    """Each pin's wheel from the cache; pip downloads the missing ones (and only those)."""
    missing = [pin for pin in pins if cache.find(pin, target) is None]
    if missing:
        failure = cache.download(missing, target)
        if failure is not None:
            requirement, message = failure
            return {}, [error(("functions", fn.key),
                              f"{requirements_name(fn)}: pip cannot download {requirement} for "
                              f"{target.describe()}: {message}",
                              f"check the name and version on the package index; only wheels for "
                              f"{target.interpreter} manylinux {target.machine} are accepted "
                              "(sdists are never built)")]
    wheels, problems = {}, []
    for pin in pins:
        wheel = cache.find(pin, target)
        if wheel is None:
            problems.append(error(("functions", fn.key),
                                  f"{requirements_name(fn)}:{pin.line}: no wheel of {pin.requirement} "
                                  f"for {target.describe()} in {cache.directory}",
                                  "delete the wheel cache folder and run again"))
        else:
            wheels[pin.name] = wheel
    return wheels, problems


def _zip_path(build_dir: Path, key: str) -> Path:
    return build_dir / f"{key}.zip"


def _manifest_path(build_dir: Path, key: str) -> Path:
    return build_dir / f"{key}.json"


def _reusable(key: str, digest: str, build_dir: Path) -> PackageResult | None:
    """The existing zip, if its manifest says it was built from exactly these inputs and it is complete."""
    zip_path = _zip_path(build_dir, key)
    try:
        manifest = json.loads(_manifest_path(build_dir, key).read_text(encoding="utf-8"))
        if (manifest["packager"], manifest["input_hash"]) != (PACKAGER_VERSION, digest):
            return None
        if zip_path.stat().st_size != manifest["zip_size"]:
            return None
        return PackageResult(key, zip_path, digest, manifest["zip_size"], manifest["unzipped_size"], "reused")
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(package: PreparedPackage) -> None:
    result = package.result
    build_dir = result.zip_path.parent
    build_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = _manifest_path(build_dir, result.key)
    manifest_path.unlink(missing_ok=True)
    temporary = build_dir / f".{result.key}.zip.tmp"
    try:
        written = write_zip(temporary, package.members)
        if written != result.zip_size:
            raise AssertionError(f"{result.key}.zip: wrote {written} bytes, expected {result.zip_size}")
        os.replace(temporary, result.zip_path)
    finally:
        temporary.unlink(missing_ok=True)
    manifest = {
        "packager": PACKAGER_VERSION,
        "input_hash": result.input_hash,
        "zip_size": result.zip_size,
        "unzipped_size": result.unzipped_size,
        "wheels": list(package.wheels),
    }
    temporary_manifest = build_dir / f".{result.key}.json.tmp"
    temporary_manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary_manifest, manifest_path)
