"""The gallery of invalid specs: each tests/gallery/NN-<slug>.toml holds one mistake a user would make, and
the .expected file beside it the exact stderr of `python -m generator check tests/gallery/<file>` run from the
repository root. tests/gallery/warnings/ holds specs whose only problems are warnings: `check` passes (exit 0)
and their .expected file is stderr followed by stdout, as a terminal shows them.

Read a changed .expected file as a user would: does it name the place, say what is wrong and how to fix it?
After an intended change to a message, `make goldens` (UPDATE_GOLDENS=1) rewrites them; review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import ROOT

GALLERY = ROOT / "tests" / "gallery"
WARNINGS = GALLERY / "warnings"

ERROR_CASES = sorted(GALLERY.glob("*.toml"), key=lambda path: int(path.name.split("-", 1)[0]))  # 99 before 100
WARNING_CASES = sorted(WARNINGS.glob("*.toml"))


def _run_check(spec: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """`python -m generator check <spec>` from the repository root, so messages say tests/gallery/..."""
    monkeypatch.chdir(ROOT)
    code = main(["check", spec.relative_to(ROOT).as_posix()])
    out, err = capsys.readouterr()
    return code, out, err


def _compare_or_update(expected_file: Path, actual: str) -> None:
    if os.environ.get("UPDATE_GOLDENS") == "1":
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"{expected_file.relative_to(ROOT)} is missing (run `make goldens`)"
    expected = expected_file.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{expected_file.relative_to(ROOT)} differs (run `make goldens` if intended)\n"
        f"--- expected\n{expected}--- actual\n{actual}")


@pytest.mark.parametrize("spec", ERROR_CASES, ids=[p.stem for p in ERROR_CASES])
def test_invalid_spec_is_reported_exactly(spec: Path, monkeypatch, capsys) -> None:
    # GIVEN a spec with one kind of mistake WHEN it is checked
    code, out, err = _run_check(spec, monkeypatch, capsys)

    # THEN it fails with the recorded messages, on stderr only, and never with a traceback
    assert code == 1
    assert "Traceback" not in out + err
    assert out == ""
    # every case fails on its own mistake, before the (absent) function sources are looked at
    assert "no source folder" not in err
    assert err.splitlines()[-1].endswith("; nothing was written")
    _compare_or_update(spec.with_suffix(".expected"), err)


@pytest.mark.parametrize("spec", WARNING_CASES, ids=[p.stem for p in WARNING_CASES])
def test_warnings_alone_pass_the_check(spec: Path, monkeypatch, capsys) -> None:
    code, out, err = _run_check(spec, monkeypatch, capsys)

    assert code == 0, err
    assert "Traceback" not in out + err
    assert ": warning: " in err and ": error: " not in err
    assert out.startswith(f"{spec.relative_to(ROOT).as_posix()}: ok (")
    _compare_or_update(spec.with_suffix(".expected"), err + out)


def test_every_case_has_its_expected_output_and_no_expected_output_is_orphaned() -> None:
    for folder in (GALLERY, WARNINGS):
        specs = {p.stem for p in folder.glob("*.toml")}
        expected = {p.stem for p in folder.glob("*.expected")}
        assert expected == specs, f"{folder.relative_to(ROOT)}: unpaired {sorted(expected ^ specs)}"


def test_the_gallery_is_numbered_and_large_enough() -> None:
    numbers = [int(p.name.split("-", 1)[0]) for p in ERROR_CASES]
    assert numbers == list(range(1, len(numbers) + 1)), "cases are numbered 01, 02, ... without gaps"
    assert len(ERROR_CASES) >= 35 and len(WARNING_CASES) >= 5
