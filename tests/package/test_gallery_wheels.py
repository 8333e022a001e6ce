"""A cached wheel is checked before any member is copied (generator/package/wheel_integrity.py): unsafe member
names, RECORD mismatches and corrupt zips fail `generate`, naming the file and how to fix it. One line a case."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cli import main
from tests.package.gallery import deadline
from tests.package.wheelmaker import make_project, make_wheel, read_members, write_members

DIST_INFO = "evil-1.0.dist-info"
ORIGINAL = b"MARKER = 'original'\n"
Tamper = Callable[[Path], None]


def _members(transform: Callable[[list], list], *, stored: bool = False) -> Tamper:
    def tamper(wheel: Path) -> None:
        compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        write_members(wheel, transform(read_members(wheel)), compression=compression)
    return tamper


def _add(name: str, content: bytes = b"x = 1\n") -> Tamper:
    return _members(lambda members: [*members, (name, content)])


def _without(predicate: Callable[[str], bool]) -> Tamper:
    return _members(lambda members: [(n, c) for n, c in members if not predicate(n)])


def _replace(name: str, content: bytes) -> Tamper:
    return _members(lambda members: [(n, content if n == name else c) for n, c in members])


def _record(edit: Callable[[str], str]) -> Tamper:
    record = f"{DIST_INFO}/RECORD"
    return _members(lambda members: [(n, edit(c.decode()).encode() if n == record else c) for n, c in members])


def _raw(edit: Callable[[bytes], bytes], *, stored: bool = False) -> Tamper:
    def tamper(wheel: Path) -> None:
        if stored:
            _members(lambda members: members, stored=True)(wheel)
        wheel.write_bytes(edit(wheel.read_bytes()))
    return tamper


_NOT_A_ZIP = "is not a valid wheel (a corrupt or truncated zip: File is not a zip file)"
WHEELS = {
    "absolute member name": (_add("/etc/cron.d/evil"), "has a member named '/etc/cron.d/evil': an absolute path"),
    "member name with ..": (_add("../evil.py"), "has a member named '../evil.py': a '..' component"),
    "member name with .. inside": (_add("evil/../../evil.py"),
                                   "has a member named 'evil/../../evil.py': a '..' component"),
    "member name with backslashes": (_add("evil\\..\\..\\evil.py"), "has a member named 'evil\\\\..\\\\..\\\\evil.py': "
                                     "a backslash (a folder separator on Windows)"),
    "member name with a drive": (_add("C:/evil.py"), "has a member named 'C:/evil.py': a drive letter"),
    "member name with a bare drive": (_add("C:evil.py"), "has a member named 'C:evil.py': a drive letter"),
    "member name with an empty part": (_add("evil//x.py"), "has a member named 'evil//x.py': an empty or '.' "
                                       "component"),
    "member name starting with ./": (_add("./evil.py"), "has a member named './evil.py': an empty or '.' component"),
    "two members of one name": (_add("evil/__init__.py", b"MARKER = 'evil'\n"),
                                "has two members named 'evil/__init__.py'"),
    "member content tampered": (_replace("evil/__init__.py", b"MARKER = 'evil!!'\n"),
                                "has a member evil/__init__.py whose content does not match its RECORD hash "
                                "(tampered or corrupt)"),
    "member RECORD does not list": (_add("evil/backdoor.py"), "has a member evil/backdoor.py that its RECORD does "
                                    "not list"),
    "RECORD missing": (_without(lambda name: name.endswith("/RECORD")),
                       f"has no {DIST_INFO}/RECORD, so its members cannot be checked"),
    "RECORD with md5": (_record(lambda text: text.replace("sha256=", "md5=")),
                        "records evil/__init__.py with md5 hash; sha256 or stronger is required"),
    "RECORD without a hash": (_record(lambda text: "\n".join(
        line.split(",")[0] + ",," if line.startswith("evil/") else line for line in text.splitlines())),
        "records evil/__init__.py with no hash; sha256 or stronger is required"),
    "RECORD with a wrong size": (_record(lambda text: text.replace(f",{len(ORIGINAL)}\n", ",99\n", 1)),
                                 f"has a member evil/__init__.py of {len(ORIGINAL)} bytes; its RECORD says 99"),
    "RECORD line malformed": (_record(lambda text: "evil/__init__.py\n" + text),
                              "has a malformed RECORD line: 'evil/__init__.py'"),
    "no .dist-info": (_without(lambda name: name.startswith(DIST_INFO)),
                      "has no .dist-info folders; a wheel has exactly one"),
    "two .dist-info": (_add("other-2.0.dist-info/METADATA", b"Name: other\nVersion: 2.0\n"),
                       "has 2 .dist-info folders; a wheel has exactly one"),
    "METADATA missing": (_without(lambda name: name.endswith("/METADATA")), f"has no {DIST_INFO}/METADATA"),
    "METADATA names another distribution": (
        _replace(f"{DIST_INFO}/METADATA", b"Metadata-Version: 2.1\nName: other\nVersion: 1.0\n"),
        "says it is other 1.0 in its METADATA, but its file name says evil 1.0"),
    "truncated download": (_raw(lambda data: data[: len(data) // 2]), _NOT_A_ZIP),
    "random bytes": (_raw(lambda data: bytes(range(256)) * 8), _NOT_A_ZIP),
    "empty file": (_raw(lambda data: b""), _NOT_A_ZIP),
    "flipped byte in member data": (_raw(lambda data: data.replace(b"'original'", b"'originaL'"), stored=True),
                                    "is not a valid wheel (a corrupt or truncated zip: Bad CRC-32 for file "
                                    "'evil/__init__.py')"),
}


def _project(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "project"
    spec = make_project(root)
    (root / "lambdas" / "fn" / "requirements.txt").write_text("evil==1.0\n")
    wheel = make_wheel(root / "build" / "wheels", "evil", "1.0", {"evil/__init__.py": ORIGINAL})
    return spec, wheel


def _assert_refused(spec: Path, wheel: Path, what: str, capsys) -> None:
    with deadline():
        assert main(["generate", str(spec)]) == 1
    err = capsys.readouterr().err
    assert f"error: functions.fn: {wheel}: {what}\n  hint: delete {wheel} and run again" in err, err
    assert "nothing was written" in err
    assert not (spec.parent / "build" / "lambda").exists() or not list((spec.parent / "build" / "lambda").glob("*.zip"))


@pytest.mark.parametrize(("tamper", "what"), [pytest.param(*case, id=name, marks=pytest.mark.family("wheels"))
                                              for name, case in WHEELS.items()])
def test_a_broken_cached_wheel_fails_naming_it(tmp_path: Path, local_index, capsys, tamper: Tamper,
                                               what: str) -> None:
    spec, wheel = _project(tmp_path)
    tamper(wheel)
    _assert_refused(spec, wheel, what, capsys)


@pytest.mark.family("wheels")
def test_a_wheel_tampered_after_it_was_checked_is_checked_again(tmp_path: Path, local_index, capsys) -> None:
    spec, wheel = _project(tmp_path)
    assert main(["generate", str(spec)]) == 0  # checked once: remembered by the wheel's sha256
    capsys.readouterr()
    _replace("evil/__init__.py", b"MARKER = 'evil!!'\n")(wheel)
    (spec.parent / "lambdas" / "fn" / "handler.py").write_text("def lambda_handler(e, c):\n    return 1\n")
    with deadline():
        assert main(["generate", str(spec)]) == 1
    err = capsys.readouterr().err
    assert f"{wheel}: has a member evil/__init__.py whose content does not match its RECORD hash" in err, err


def test_a_sound_wheel_is_packaged_and_remembered(tmp_path: Path, local_index, capsys) -> None:
    spec, _wheel = _project(tmp_path)
    assert main(["generate", str(spec)]) == 0, capsys.readouterr().err
    built = sorted((spec.parent / "build" / "lambda").glob("fn-*.zip"))
    with zipfile.ZipFile(built[0]) as archive:
        assert archive.read("evil/__init__.py") == ORIGINAL
    assert len(list((spec.parent / "build" / "wheels" / ".verified").iterdir())) == 1
