"""The real thing, from PyPI: Pillow's compiled extensions in the zip are built for the function's Lambda
architecture and CPython 3.12, whatever machine runs the build."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from generator.package.build import package_functions
from tests.package.wheelmaker import make_function

pytestmark = pytest.mark.network

ELF_MACHINE = {"x86_64": 62, "arm64": 183}  # EM_X86_64, EM_AARCH64
WHEEL_MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}


@pytest.mark.parametrize("architecture", ["x86_64", "arm64"])
def test_pillow_extensions_are_for_the_function_architecture(tmp_path: Path, architecture: str) -> None:
    fn = make_function(tmp_path, "thumbs", {"handler.py": "import PIL.Image\n"},
                       requirements="pillow==13.0.0\n", architecture=architecture)

    (result,) = package_functions([fn], tmp_path / "build" / "lambda").values()

    with zipfile.ZipFile(result.zip_path) as archive:
        names = archive.namelist()
        extensions = [name for name in names if name.startswith("PIL/") and name.endswith(".so")]
        assert "PIL/_imaging.cpython-312-" + WHEEL_MACHINE[architecture] + "-linux-gnu.so" in extensions
        for name in extensions:
            header = archive.open(name).read(20)
            assert header[:4] == b"\x7fELF", name
            assert struct.unpack("<H", header[18:20])[0] == ELF_MACHINE[architecture], name
        wheel_file = next(name for name in names if name.endswith(".dist-info/WHEEL"))
        tags = [line.removeprefix("Tag: ") for line in archive.read(wheel_file).decode().splitlines()
                if line.startswith("Tag: ")]
    assert tags and all(tag.startswith("cp312-cp312-manylinux") for tag in tags), tags
    assert all(tag.endswith(WHEEL_MACHINE[architecture]) for tag in tags), tags
    assert not any(name.endswith(".pyc") or "__pycache__" in name for name in names)
