"""The zip writer: readable by zipfile and unzip alike, with fixed metadata, and raw copies out of wheels."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from generator.package.zipwriter import DEFLATED, STORED, compressed_member, wheel_member, write_zip, zip_size
from tests.package.wheelmaker import make_wheel


def test_members_read_back_with_fixed_metadata(tmp_path: Path) -> None:
    members = [
        compressed_member("bin/tool", b"#!/bin/sh\necho hi\n", executable=True),
        compressed_member("handler.py", b"def lambda_handler(event, context):\n    return 1\n" * 20, False),
        compressed_member("données/é.txt", b"non-ascii name", False),
    ]
    path = tmp_path / "out.zip"

    written = write_zip(path, members)

    assert written == zip_size(members) == path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["bin/tool", "handler.py", "données/é.txt"]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.create_system for i in infos} == {3}
        assert [i.external_attr >> 16 for i in infos] == [0o100755, 0o100644, 0o100644]
        assert archive.read("handler.py").startswith(b"def lambda_handler")
        assert archive.read("données/é.txt") == b"non-ascii name"


def test_incompressible_content_is_stored(tmp_path: Path) -> None:
    noise = compressed_member("noise.bin", os.urandom(4096), False)
    text = compressed_member("text.txt", b"a" * 4096, False)
    assert (noise.method, noise.compressed_size) == (STORED, 4096)
    assert text.method == DEFLATED and text.compressed_size < 100


def test_wheel_members_are_copied_without_recompressing(tmp_path: Path) -> None:
    payload = os.urandom(2048) + b"x" * 50_000
    wheel = make_wheel(tmp_path, "blob", "1.0", {"blob/data.bin": payload, "blob/run": "#!/bin/sh\n"},
                       executables=["blob/run"])
    with zipfile.ZipFile(wheel) as source:
        infos = {info.filename: info for info in source.infolist()}
    members = [wheel_member(name, wheel, infos[name], executable=name == "blob/run")
               for name in ("blob/data.bin", "blob/run")]
    path = tmp_path / "copy.zip"

    write_zip(path, members)

    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.read("blob/data.bin") == payload
        copied = archive.getinfo("blob/data.bin")
        assert copied.compress_size == infos["blob/data.bin"].compress_size
        assert archive.getinfo("blob/run").external_attr >> 16 == 0o100755


def test_unzip_accepts_the_archive(tmp_path: Path) -> None:
    if shutil.which("unzip") is None:
        pytest.skip("unzip is not installed")
    path = tmp_path / "out.zip"
    write_zip(path, [compressed_member("a.py", b"print(1)\n" * 100, False)])
    result = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", [
    pytest.param(name, id=name, marks=pytest.mark.family("names"))
    for name in ("../escape.py", "pkg/../../escape.py", "/etc/cron.d/x", "C:/x.py", "C:x.py", "pkg\\..\\x.py",
                 "pkg//x.py", "./x.py", "")
])
def test_the_writer_refuses_an_entry_that_could_leave_the_root(tmp_path: Path, name: str) -> None:
    """The last guard: the walk and the wheel checks never hand it such a name, but it would not write one."""
    path = tmp_path / "out.zip"
    with pytest.raises(ValueError, match="refusing zip entry"):
        write_zip(path, [compressed_member("ok.py", b"", False), compressed_member(name, b"x", False)])
    assert not path.exists()
