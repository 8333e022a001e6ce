"""A wheel is checked before any of its members is copied into a zip: it must be a sound zip whose member names
stay inside the root, with exactly one .dist-info naming the same distribution as the file name, and whose every
member matches its RECORD hash (PEP 376/427: sha256 or stronger) and size.

A wheel in build/wheels/ may have been truncated by a full disk, corrupted, or edited; pip does not look at it
again once it is cached, so this is the only check it gets. A wheel that passed is remembered by the sha256 of
its whole file (build/wheels/.verified/<sha256>): the same bytes are never checked twice, different bytes
always are.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import tempfile
import zipfile
import zlib
from email.parser import HeaderParser
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from generator.package.names import entry_name_problem

_STRONG_HASHES = frozenset({"sha256", "sha384", "sha512"})
_UNRECORDED = ("RECORD", "RECORD.jws", "RECORD.p7s")  # RECORD cannot hash itself; signatures sit beside it
_CHUNK = 1 << 20


def wheel_problem(wheel: Path, verified_dir: Path | None = None) -> str | None:
    """What is wrong with the wheel, or None when it is sound."""
    try:
        fingerprint = _file_sha256(wheel)
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if verified_dir is not None and (verified_dir / fingerprint).exists():
        return None
    try:
        with zipfile.ZipFile(wheel) as archive:
            problem = _archive_problem(wheel, archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        return f"is not a valid wheel (a corrupt or truncated zip: {exc})"
    if problem is None and verified_dir is not None:
        _remember(verified_dir, fingerprint)
    return problem


def _archive_problem(wheel: Path, archive: zipfile.ZipFile) -> str | None:
    infos = archive.infolist()
    seen: set[str] = set()
    for info in infos:
        name = info.filename.removesuffix("/") if info.is_dir() else info.filename
        if (unsafe := entry_name_problem(name)) is not None:
            return f"has a member named {info.filename!r}: {unsafe}"
        if info.filename in seen:
            return f"has two members named {info.filename!r}"
        seen.add(info.filename)

    dist_infos = sorted({info.filename.split("/", 1)[0] for info in infos
                         if info.filename.count("/") >= 1 and info.filename.split("/", 1)[0].endswith(".dist-info")})
    if len(dist_infos) != 1:
        return f"has {len(dist_infos) or 'no'} .dist-info folders; a wheel has exactly one"
    dist_info = dist_infos[0]
    if (problem := _metadata_problem(wheel, archive, dist_info)) is not None:
        return problem
    try:
        record_text = archive.read(f"{dist_info}/RECORD").decode("utf-8")
    except KeyError:
        return f"has no {dist_info}/RECORD, so its members cannot be checked"
    except UnicodeDecodeError:
        return f"has a {dist_info}/RECORD that is not UTF-8"
    record = {}
    for row in csv.reader(io.StringIO(record_text)):
        if row:
            if len(row) != 3:
                return f"has a malformed RECORD line: {','.join(row)!r}"
            record[row[0]] = (row[1], row[2])

    for info in infos:
        if info.is_dir() or info.filename in {f"{dist_info}/{name}" for name in _UNRECORDED}:
            continue
        if info.filename not in record:
            return f"has a member {info.filename} that its RECORD does not list"
        if (problem := _hash_problem(archive, info, *record[info.filename])) is not None:
            return problem
    return None


def _metadata_problem(wheel: Path, archive: zipfile.ZipFile, dist_info: str) -> str | None:
    try:
        metadata = archive.read(f"{dist_info}/METADATA").decode("utf-8")
    except KeyError:
        return f"has no {dist_info}/METADATA"
    except UnicodeDecodeError:
        return f"has a {dist_info}/METADATA that is not UTF-8"
    headers = HeaderParser().parsestr(metadata)
    if not headers["Name"] or not headers["Version"]:
        return f"has a {dist_info}/METADATA without Name or Version"
    try:
        name, version, _build, _tags = parse_wheel_filename(wheel.name)
    except InvalidWheelFilename:
        return "is not named like a wheel (name-version-python-abi-platform.whl)"
    if canonicalize_name(headers["Name"]) != name or str(headers["Version"]).strip() != str(version):
        return (f"says it is {headers['Name']} {headers['Version']} in its METADATA, but its file name says "
                f"{name} {version}")
    return None


def _hash_problem(archive: zipfile.ZipFile, info: zipfile.ZipInfo, recorded: str, size: str) -> str | None:
    algorithm, _, expected = recorded.partition("=")
    if algorithm not in _STRONG_HASHES or not expected:
        return f"records {info.filename} with {algorithm or 'no'} hash; sha256 or stronger is required"
    digest = hashlib.new(algorithm)
    with archive.open(info) as member:  # zipfile checks the CRC at the end of the stream
        while chunk := member.read(_CHUNK):
            digest.update(chunk)
    actual = base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")
    if actual != expected:
        return f"has a member {info.filename} whose content does not match its RECORD hash (tampered or corrupt)"
    if size and size != str(info.file_size):
        return f"has a member {info.filename} of {info.file_size} bytes; its RECORD says {size}"
    return None


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _remember(verified_dir: Path, fingerprint: str) -> None:
    """A marker named by the wheel's sha256; written under a unique temporary name, so concurrent runs never
    see a half-written one."""
    try:
        verified_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".", dir=verified_dir)
        os.close(handle)
        os.replace(temporary, verified_dir / fingerprint)
    except OSError:
        pass  # only a cache: the wheel is checked again next time
