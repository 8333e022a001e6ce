"""Tiny wheels and function folders made on the spot, so packaging tests run offline and fast."""

from __future__ import annotations

import base64
import hashlib
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from generator.package.inputs import FunctionSource

# A two-function topology for end-to-end packaging tests: `api` sends to the queue `worker` consumes.
TWO_FUNCTION_SPEC = """\
[project]
name = "{project}"

[alarms]
topic_name = "{project}-alarms"

[queues.jobs]
visibility_timeout_seconds = 60
max_receive_count = 5

[functions.api]
timeout = 10
sends_to = ["jobs"]

[functions.worker]
timeout = 10
trigger = {{ queue = "jobs", batch_size = 10, maximum_concurrency = 2 }}
"""


def make_wheel(directory: Path, name: str, version: str, files: Mapping[str, str | bytes], *,
               requires: Iterable[str] = (), tag: str = "py3-none-any",
               executables: Iterable[str] = ()) -> Path:
    """A valid wheel: the files, a .dist-info with METADATA (Requires-Dist lines), WHEEL and RECORD."""
    directory.mkdir(parents=True, exist_ok=True)
    distribution = name.replace("-", "_")
    dist_info = f"{distribution}-{version}.dist-info"
    metadata = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                + "".join(f"Requires-Dist: {requirement}\n" for requirement in requires))
    purelib = str(tag.endswith("-any")).lower()
    wheel = f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: {purelib}\nTag: {tag}\n"
    entries = {**files, f"{dist_info}/METADATA": metadata, f"{dist_info}/WHEEL": wheel}
    record = []
    for path, content in entries.items():
        data = content.encode() if isinstance(content, str) else content
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    entries[f"{dist_info}/RECORD"] = "\n".join(record) + "\n"
    executable = set(executables)
    path = directory / f"{distribution}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in entries.items():
            info = zipfile.ZipInfo(member, date_time=(2024, 5, 17, 12, 30, 0))
            info.external_attr = (0o100755 if member in executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return path


def make_function(root: Path, key: str, files: Mapping[str, str | bytes], *, requirements: str = "",
                  runtime: str = "python3.12", architecture: str = "x86_64",
                  common: Mapping[str, str] | None = None) -> FunctionSource:
    """lambdas/<key>/ with the files (and requirements.txt), plus lambdas/common/, under root."""
    lambdas = root / "lambdas"
    source = lambdas / key
    all_files = {**files, **({"requirements.txt": requirements} if requirements else {})}
    for relative, content in all_files.items():
        path = source / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    for relative, content in (common if common is not None else {"__init__.py": ""}).items():
        path = lambdas / "common" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return FunctionSource(key=key, name=key, source_dir=source, common_dir=lambdas / "common",
                          handler="handler.lambda_handler", runtime=runtime, architecture=architecture,
                          folder=f"lambdas/{key}")


# One consumer `fn` with its folder and lambdas/common/: what the packaging galleries attack.
ONE_FUNCTION_SPEC = """\
[project]
name = "gallery"

[alarms]
topic_name = "gallery-alarms"

[queues.jobs]
visibility_timeout_seconds = 60
max_receive_count = 5
{extra_queues}
[functions.fn]
timeout = 10
runtime = "{runtime}"
sends_to = {sends_to}
trigger = {{ queue = "jobs", batch_size = 10, maximum_concurrency = 2 }}
"""
GALLERY_HANDLER = "def lambda_handler(event, context):\n    return {'batchItemFailures': []}\n"


def make_project(root: Path, *, runtime: str = "python3.12", sends_to: Iterable[str] = (),
                 extra_queues: str = "") -> Path:
    """queues.toml, lambdas/fn/handler.py and lambdas/common/__init__.py under root; returns queues.toml."""
    (root / "lambdas" / "fn").mkdir(parents=True)
    (root / "lambdas" / "common").mkdir()
    (root / "lambdas" / "fn" / "handler.py").write_text(GALLERY_HANDLER)
    (root / "lambdas" / "common" / "__init__.py").write_text("")
    sends = "[" + ", ".join(f'"{key}"' for key in sends_to) + "]"
    spec = root / "queues.toml"
    spec.write_text(ONE_FUNCTION_SPEC.format(runtime=runtime, sends_to=sends, extra_queues=extra_queues))
    return spec


Members = list[tuple[str, bytes]]


def read_members(wheel: Path) -> Members:
    with zipfile.ZipFile(wheel) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def write_members(wheel: Path, members: Members, *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip of exactly these members (names as given, duplicates kept): for wheels that break the rules."""
    with zipfile.ZipFile(wheel, "w", compression) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 17, 12, 30, 0))
            info.compress_type = compression
            info.external_attr = 0o100644 << 16
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": on purpose
                archive.writestr(info, content)
    return wheel
