"""`python -m generator zip-list FUNCTION [SPEC]`: what the zip holds (and where each entry comes from), what was
left out and why, and whether that zip is built; the manifest beside the zip records the same entries."""

from __future__ import annotations

import json
import os
from pathlib import Path

from generator.cli import main
from tests.package.wheelmaker import make_project, make_wheel


def _project(tmp_path: Path, local_index: Path) -> Path:
    spec = make_project(tmp_path / "project")
    fn = spec.parent / "lambdas" / "fn"
    (fn / "requirements.txt").write_text("tinylib==1.0\n")
    (fn / ".env").write_text("API_KEY=secret\n")
    (fn / "__pycache__").mkdir()
    (fn / "__pycache__" / "handler.cpython-312.pyc").write_bytes(b"\x00")
    make_wheel(local_index, "tinylib", "1.0", {"tinylib/__init__.py": ""})
    return spec


def test_zip_list_shows_entries_origins_and_what_was_left_out(tmp_path: Path, local_index: Path, capsys) -> None:
    spec = _project(tmp_path, local_index)

    assert main(["zip-list", "fn", str(spec)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"fn: {spec.parent}/build/lambda/fn-")
    assert lines[0].endswith("(not built yet: run `make generate`), 6 files, 0.0 MB unzipped")
    rows = [line.split() for line in lines[1:]]
    assert ["handler.py", "lambdas/fn/handler.py"] in rows
    assert ["common/__init__.py", "lambdas/common/__init__.py"] in rows
    assert ["tinylib/__init__.py", "tinylib-1.0-py3-none-any.whl"] in rows
    left_out = lines.index('left out (see docs/guide/packaging.md, "The zips"):')
    assert [line.split()[0] for line in lines[left_out + 1:]] == [
        "lambdas/fn/.env", "lambdas/fn/__pycache__/", "lambdas/fn/requirements.txt"]
    assert not any(".env" in " ".join(row) for row in rows[:left_out - 1])


def test_after_generate_it_says_built_and_the_manifest_agrees(tmp_path: Path, local_index: Path, capsys) -> None:
    spec = _project(tmp_path, local_index)
    assert main(["generate", str(spec)]) == 0
    capsys.readouterr()

    assert main(["zip-list", "fn", str(spec)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert "(built), 6 files" in lines[0]
    entries = [line.split() for line in lines[1:7]]
    manifest = json.loads((spec.parent / "build" / "lambda" / "fn.json").read_text())
    assert manifest["files"] == dict(entries)
    assert lines[0].split()[1] == str(spec.parent / "build" / "lambda" / manifest["zip"])


def test_an_unknown_function_names_the_known_ones(tmp_path: Path, local_index: Path, capsys) -> None:
    spec = _project(tmp_path, local_index)
    assert main(["zip-list", "nope", str(spec)]) == 1
    err = capsys.readouterr().err
    assert "error: functions: no function 'nope'\n  hint: name one of: fn\n" in err


def test_a_source_problem_is_reported_not_listed(tmp_path: Path, local_index: Path, capsys) -> None:
    spec = _project(tmp_path, local_index)
    os.symlink("/etc/hostname", spec.parent / "lambdas" / "fn" / "host.txt")
    assert main(["zip-list", "fn", str(spec)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "lambdas/fn/host.txt is a symbolic link to /etc/hostname" in err
