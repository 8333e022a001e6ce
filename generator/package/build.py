"""Package every function as `<build dir>/<key>-<16 hex of its input hash>.zip`, rebuilding only the zips whose
inputs changed.

Two steps, so that nothing is written unless everything can be: `prepare_packages` checks every function
(sources, pins, wheels and their RECORDs, dependency closure, imports, duplicate files, Lambda's size limits)
and works out each zip's exact size; `write_packages` then writes the zips. The zip's name carries its input
hash, which is also the `source_code_hash` in the generated HCL, and a `terraform plan` precondition checks
that the named file exists: a zip from older sources can never be deployed under a newer hash. Writes happen
under a lock on the build folder, to unique temporary files renamed into place, so concurrent runs never
collide; the manifest `<key>.json` (what the zip holds, its sizes) is written after its zip.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.utils import NormalizedName

from generator.package import limits
from generator.package.imports import import_problems, parse_python, top_level_modules
from generator.package.inputs import (
    PACKAGER_VERSION,
    FunctionSource,
    content_hashes,
    input_hash,
    read_requirements,
    source_tree,
)
from generator.package.pins import Distribution, Pin, parse_pins, requirements_name, unpinned_requirements
from generator.package.target import Target
from generator.package.tree import SourceFile
from generator.package.wheels import WheelCache, distribution, installed_files
from generator.package.zipwriter import Member, compressed_member, wheel_member, write_zip, zip_size
from generator.problems import GeneratorError, Problem, error

Status = Literal["built", "reused"]
_LOCK_FILE = ".lock"


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
    origins: tuple[tuple[str, str], ...] = ()  # (archive name, where it comes from), sorted


def package_functions(sources: list[FunctionSource], build_dir: Path,
                      wheel_dir: Path | None = None) -> dict[str, PackageResult]:
    """Build or reuse every function's zip. Raises GeneratorError (problems at functions.<key>)."""
    return write_packages(prepare_packages(sources, build_dir, wheel_dir))


def default_wheel_dir(build_dir: Path) -> Path:
    return build_dir.parent / "wheels"


def zip_file_name(key: str, digest: str) -> str:
    """`<key>-<the first 16 hex digits of the input hash>.zip`: the name changes whenever the inputs do."""
    return f"{key}-{base64.b64decode(digest).hex()[:16]}.zip"


def prepare_packages(sources: list[FunctionSource], build_dir: Path,
                     wheel_dir: Path | None = None, *, reuse: bool = True) -> list[PreparedPackage]:
    """Everything short of writing. Raises GeneratorError with every problem found; writes only to the wheel
    cache (pip downloads of missing wheels). With reuse=False every package is prepared in full (listings)."""
    cache = WheelCache(wheel_dir or default_wheel_dir(build_dir))
    prefetch_wheels(sources, cache)
    prepared, problems = [], []
    for fn in sources:
        tree = source_tree(fn)
        requirements = read_requirements(fn)
        if tree.problems or requirements.problems:
            problems += tree.problems + requirements.problems
            continue
        hashes, unreadable = content_hashes(fn, tree.files)
        if unreadable:
            problems += unreadable
            continue
        digest = input_hash(fn, [line for _, line in requirements.lines], tree.files, hashes)
        reused = _reusable(fn.key, digest, build_dir) if reuse else None
        if reused is not None:
            prepared.append(PreparedPackage(reused))
            continue
        package, found = _prepare(fn, tree.files, hashes, digest, build_dir, cache)
        problems += found
        if package is not None:
            prepared.append(package)
    if problems:
        raise GeneratorError(problems)
    return prepared


def write_packages(prepared: list[PreparedPackage]) -> dict[str, PackageResult]:
    for package in prepared:
        build_dir = package.result.zip_path.parent
        with _locked(build_dir):
            if package.result.status == "built" and _reusable(package.result.key, package.result.input_hash,
                                                               build_dir) is None:
                _write(package)  # (another run may have written the very same zip meanwhile)
            _remove_older_zips(build_dir, package.result.key, package.result.zip_path.name)
    return {package.result.key: package.result for package in prepared}


def _prepare(fn: FunctionSource, sources: list[SourceFile], hashes: dict[str, str], digest: str,
             build_dir: Path, cache: WheelCache) -> tuple[PreparedPackage | None, list[Problem]]:
    target = Target(fn.runtime, fn.architecture)
    pins, problems = parse_pins(fn, target)
    if problems:
        return None, problems
    wheels, problems = wheels_for(fn, pins, target, cache)
    if problems:
        return None, problems
    distributions: dict[NormalizedName, Distribution] = {
        pin.name: distribution(wheels[pin.name]) for pin in pins
    }
    problems = unpinned_requirements(fn, target, pins, distributions)
    if problems:
        return None, problems

    files: dict[str, tuple[str, Member | SourceFile]] = {}  # archive name → (origin, member or source)
    for file in sources:
        files[file.archive_name] = (file.shown, file)
    wheel_modules: set[str] = set()
    for pin in pins:
        installed = installed_files(wheels[pin.name])
        wheel_modules |= top_level_modules(file.archive_name for file in installed)
        for wheel_file in installed:
            if wheel_file.archive_name in files:
                both = f"{files[wheel_file.archive_name][0]} and {wheels[pin.name].name}"
                problems.append(error(("functions", fn.key), f"{wheel_file.archive_name} comes from both {both}",
                                      "rename the file, or drop one of the two"))
                continue
            member = wheel_member(wheel_file.archive_name, wheels[pin.name], wheel_file.info, wheel_file.executable)
            files[wheel_file.archive_name] = (wheels[pin.name].name, member)
    own_modules = top_level_modules(file.archive_name for file in sources)
    # Errors only: warnings (a file this Python cannot parse) were reported by `check`, which runs first.
    problems += [problem for problem in import_problems(fn, parse_python(sources), own_modules, wheel_modules)
                 if problem.level.value == "error"]
    unzipped = sum(item.size for _, item in files.values())
    if limits.too_large_unzipped(unzipped):
        problems.append(error(("functions", fn.key),
                              f"the package is {limits.megabytes(unzipped)} unzipped, over Lambda's "
                              f"{limits.megabytes(limits.UNZIPPED_LIMIT)} limit",
                              "drop dependencies or data files, or keep large assets in S3 and fetch them "
                              "at run time"))
    if problems:
        return None, problems

    members = []
    for name, (_, item) in sorted(files.items()):
        if isinstance(item, Member):
            members.append(item)
            continue
        content = item.path.read_bytes()
        if hashlib.sha256(content).hexdigest() != hashes[name]:
            return None, [error(("functions", fn.key), f"{item.shown} changed while it was being packaged",
                                "run again once the edit is saved")]
        members.append(compressed_member(name, content, item.executable))
    result = PackageResult(fn.key, build_dir / zip_file_name(fn.key, digest), digest, zip_size(members),
                           unzipped, "built")
    origins = tuple((name, origin) for name, (origin, _) in sorted(files.items()))
    return PreparedPackage(result, tuple(members), tuple(sorted(path.name for path in wheels.values())),
                           origins), []


def prefetch_wheels(sources: list[FunctionSource], cache: WheelCache) -> None:
    """One pip download per target platform for every pin not cached yet, instead of one per function: a fresh
    clone pays pip's start-up (about a second each) once. Best effort: when it fails, each function's own
    download below fails again and reports the pin at its line."""
    wanted: dict[tuple[str, ...], tuple[Target, dict[str, Pin]]] = {}
    for fn in sources:
        target = Target(fn.runtime, fn.architecture)
        pins, problems = parse_pins(fn, target)
        if problems:
            continue
        _, missing = wanted.setdefault(tuple(target.pip_arguments()), (target, {}))
        missing.update({pin.requirement: pin for pin in pins if cache.find(pin, target) is None})
    for target, missing in wanted.values():
        if missing:
            cache.download(list(missing.values()), target)


def wheels_for(fn: FunctionSource, pins: list[Pin], target: Target, cache: WheelCache,
               *, verify: bool = True) -> tuple[dict[NormalizedName, Path], list[Problem]]:
    """Each pin's wheel from the cache, checked (wheel_integrity.py) unless verify=False; pip downloads the
    missing ones only."""
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
        elif verify and (broken := cache.problem(wheel)) is not None:
            problems.append(broken_wheel_problem(fn, wheel, broken))
        else:
            wheels[pin.name] = wheel
    return wheels, problems


def broken_wheel_problem(fn: FunctionSource, wheel: Path, what: str) -> Problem:
    return error(("functions", fn.key), f"{wheel}: {what}",
                 f"delete {wheel} and run again: it is downloaded afresh (if the new copy fails too, the package "
                 "index serves a bad wheel)")


def _manifest_path(build_dir: Path, key: str) -> Path:
    return build_dir / f"{key}.json"


def built_zip(build_dir: Path, key: str) -> Path | None:
    """The zip the manifest of the function names, if it is there (for tools that want the latest build)."""
    try:
        manifest = json.loads(_manifest_path(build_dir, key).read_text(encoding="utf-8"))
        path = build_dir / manifest["zip"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path if path.is_file() else None


def _reusable(key: str, digest: str, build_dir: Path) -> PackageResult | None:
    """The existing zip, if its manifest says it was built from exactly these inputs and it is complete."""
    zip_path = build_dir / zip_file_name(key, digest)
    try:
        manifest = json.loads(_manifest_path(build_dir, key).read_text(encoding="utf-8"))
        expected = (PACKAGER_VERSION, digest, zip_path.name)
        if (manifest["packager"], manifest["input_hash"], manifest["zip"]) != expected:
            return None
        if zip_path.stat().st_size != manifest["zip_size"]:
            return None
        return PackageResult(key, zip_path, digest, manifest["zip_size"], manifest["unzipped_size"], "reused")
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextlib.contextmanager
def _locked(build_dir: Path) -> Iterator[None]:
    """One writer at a time in the build folder (a second run waits, then finds the zips up to date)."""
    build_dir.mkdir(parents=True, exist_ok=True)
    with (build_dir / _LOCK_FILE).open("a") as lock:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, the unique temporary files still keep concurrent runs apart
            pass
        else:
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield  # the lock goes with the file's closing


def _write(package: PreparedPackage) -> None:
    result = package.result
    build_dir = result.zip_path.parent
    manifest_path = _manifest_path(build_dir, result.key)
    manifest_path.unlink(missing_ok=True)
    with _temporary(build_dir, result.zip_path.name) as temporary:
        written = write_zip(temporary, package.members)
        if written != result.zip_size:
            raise AssertionError(f"{result.zip_path.name}: wrote {written} bytes, expected {result.zip_size}")
        os.replace(temporary, result.zip_path)
    manifest = {
        "packager": PACKAGER_VERSION,
        "input_hash": result.input_hash,
        "zip": result.zip_path.name,
        "zip_size": result.zip_size,
        "unzipped_size": result.unzipped_size,
        "wheels": list(package.wheels),
        "files": dict(package.origins),
    }
    with _temporary(build_dir, manifest_path.name) as temporary:
        temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, manifest_path)


@contextlib.contextmanager
def _temporary(directory: Path, name: str) -> Iterator[Path]:
    """A new, uniquely named file beside its destination (so os.replace is atomic); gone unless moved."""
    handle, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    os.close(handle)
    try:
        yield Path(path)
    finally:
        Path(path).unlink(missing_ok=True)


def _remove_older_zips(build_dir: Path, key: str, current: str) -> None:
    """Zips of the function from other inputs (and the unhashed name older packagers used)."""
    pattern = re.compile(rf"{re.escape(key)}-[0-9a-f]{{16}}\.zip|{re.escape(key)}\.zip")
    for path in build_dir.iterdir():
        if path.name != current and pattern.fullmatch(path.name):
            path.unlink(missing_ok=True)
