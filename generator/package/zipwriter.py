"""A deterministic zip writer that can copy already-compressed members straight out of a wheel.

Python's zipfile cannot add a member whose data is already compressed, and recompressing a wheel's 170 MB
ffmpeg binary costs seconds on every rebuild. Copying the wheel's own deflate stream is I/O only, and it keeps
zlib (whose output may differ between builds of it) out of the dependency part of the zip.

Every member gets the same timestamp (1980-01-01 00:00:00), unix mode 0644 or 0755, no extra fields and no
comment; no directory entries are written; members are written in the order given. Sizes stay far below
zip64's thresholds because Lambda's 250 MB limit is checked first.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from generator.package.names import entry_name_problem

STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest date a zip can hold
_DOS_TIME = 0
_MADE_BY = (3 << 8) | 20  # unix, zip 2.0
_UTF8 = 0x800
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class Member:
    name: str
    executable: bool
    method: int
    crc: int
    size: int
    compressed_size: int
    data: bytes | None = None  # compressed here ...
    wheel: Path | None = None  # ... or copied raw from this wheel's member at header_offset
    header_offset: int = 0

    @property
    def encoded_name(self) -> bytes:
        return self.name.encode("ascii" if self.name.isascii() else "utf-8")

    @property
    def flags(self) -> int:
        return 0 if self.name.isascii() else _UTF8

    @property
    def external_attr(self) -> int:
        return (0o100755 if self.executable else 0o100644) << 16


def compressed_member(name: str, content: bytes, executable: bool) -> Member:
    """Deflated, or stored when deflating does not make it smaller."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = compressor.compress(content) + compressor.flush()
    method, data = (DEFLATED, deflated) if len(deflated) < len(content) else (STORED, content)
    return Member(name, executable, method, zlib.crc32(content), len(content), len(data), data=data)


def wheel_member(name: str, wheel: Path, info: zipfile.ZipInfo, executable: bool) -> Member:
    """A member copied as is from the wheel; one in an unusual compression is recompressed."""
    if info.compress_type in (STORED, DEFLATED):
        return Member(name, executable, info.compress_type, info.CRC, info.file_size, info.compress_size,
                      wheel=wheel, header_offset=info.header_offset)
    with zipfile.ZipFile(wheel) as archive:
        return compressed_member(name, archive.read(info), executable)


def zip_size(members: Sequence[Member]) -> int:
    """The exact size write_zip produces, known before anything is written."""
    local = sum(_LOCAL.size + len(m.encoded_name) + m.compressed_size for m in members)
    central = sum(_CENTRAL.size + len(m.encoded_name) for m in members)
    return local + central + _END.size


def write_zip(path: Path, members: Sequence[Member]) -> int:
    """Write the members to path (the caller makes that a temporary file); returns the bytes written."""
    if len(members) > 0xFFFF or zip_size(members) > 0xFFFFFFFF:
        raise ValueError("too many or too large members for a zip without zip64")
    for member in members:  # the last line of defence: every source of names is checked before this
        if (unsafe := entry_name_problem(member.name)) is not None:
            raise ValueError(f"refusing zip entry {member.name!r}: {unsafe}")
    sources: dict[Path, BinaryIO] = {}
    offsets = []
    try:
        with path.open("wb") as out:
            for member in members:
                offsets.append(out.tell())
                name = member.encoded_name
                out.write(_LOCAL.pack(b"PK\x03\x04", _version_needed(member), member.flags, member.method,
                                      _DOS_TIME, _DOS_DATE, member.crc, member.compressed_size, member.size,
                                      len(name), 0))
                out.write(name)
                if member.data is not None:
                    out.write(member.data)
                else:
                    assert member.wheel is not None
                    if member.wheel not in sources:
                        sources[member.wheel] = member.wheel.open("rb")
                    _copy_raw(sources[member.wheel], member, out)
            central_start = out.tell()
            for member, offset in zip(members, offsets, strict=True):
                name = member.encoded_name
                out.write(_CENTRAL.pack(b"PK\x01\x02", _MADE_BY, _version_needed(member), member.flags,
                                        member.method, _DOS_TIME, _DOS_DATE, member.crc,
                                        member.compressed_size, member.size, len(name), 0, 0, 0, 0,
                                        member.external_attr, offset))
                out.write(name)
            central_size = out.tell() - central_start
            count = len(members)
            out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, central_size, central_start, 0))
            return out.tell()
    finally:
        for source in sources.values():
            source.close()


def _version_needed(member: Member) -> int:
    return 20 if member.method == DEFLATED else 10


def _copy_raw(source: BinaryIO, member: Member, out: BinaryIO) -> None:
    """Copy the member's compressed bytes from the wheel: they follow its local header."""
    source.seek(member.header_offset)
    header = source.read(_LOCAL.size)
    if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
        raise ValueError(f"{member.wheel}: no local header for {member.name}")
    name_length, extra_length = struct.unpack("<2H", header[26:30])
    source.seek(member.header_offset + _LOCAL.size + name_length + extra_length)
    remaining = member.compressed_size
    while remaining:
        chunk = source.read(min(_COPY_CHUNK, remaining))
        if not chunk:
            raise ValueError(f"{member.wheel}: {member.name} is truncated")
        out.write(chunk)
        remaining -= len(chunk)
