"""The builder: byte-identical zips, rebuilt only when their inputs change, never half-written, and every
failure reported (naming the function) before anything is written."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from generator.package import build as build_module
from generator.package.build import package_functions
from generator.package.inputs import FunctionSource
from generator.problems import GeneratorError
from tests.package.wheelmaker import make_function, make_wheel

HANDLER = "from common.util import greet\n\n\ndef lambda_handler(event, context):\n    return greet()\n"
COMMON = {"__init__.py": "", "util.py": "def greet():\n    return 'hi'\n"}


@pytest.fixture
def wheels(local_index: Path) -> Path:
    make_wheel(local_index, "tinylib", "1.0", {
        "tinylib/__init__.py": "from helper import HELP\n",
        "tinylib/tool": "#!/bin/sh\necho tool\n",
        "tinylib/__pycache__/__init__.cpython-311.pyc": b"\x00host bytecode",
        "tinylib/tests/test_tinylib.py": "def test(): pass\n",
    }, requires=["helper==2.0", "boto3>=1.20", "colorama; sys_platform == 'win32'"],
        executables=["tinylib/tool"])
    make_wheel(local_index, "helper", "2.0", {
        "helper.py": "HELP = 'help'\n",
        "helper-2.0.data/purelib/helper_extra.py": "EXTRA = 1\n",
        "helper-2.0.data/scripts/helper-cli": "#!/usr/bin/python3.11\n",
        "helper-2.0.data/headers/helper.h": "int help(void);\n",
    })
    return local_index


def _project(root: Path, alpha_requirements: str = "tinylib==1.0\nhelper==2.0\n") -> list[FunctionSource]:
    alpha = make_function(root, "alpha", {
        "handler.py": HANDLER,
        "run.sh": "#!/bin/sh\n",
        "README.md": "not shipped\n",
        "test_handler.py": "def test(): pass\n",
        "__pycache__/handler.cpython-311.pyc": b"\x00",
        "tests/test_more.py": "",
    }, requirements=alpha_requirements, common=COMMON)
    (alpha.source_dir / "run.sh").chmod(0o755)
    beta = make_function(root, "beta", {"handler.py": HANDLER}, common=COMMON)
    return [alpha, beta]


def _build(root: Path, sources: list[FunctionSource]):
    return package_functions(sources, root / "build" / "lambda")


def _statuses(results) -> dict[str, str]:
    return {key: result.status for key, result in results.items()}


def test_the_zip_holds_exactly_the_function_common_code_and_pinned_wheels(tmp_path: Path, wheels) -> None:
    results = _build(tmp_path, _project(tmp_path))

    with zipfile.ZipFile(results["alpha"].zip_path) as archive:
        names = archive.namelist()
    assert names == [
        "common/__init__.py",
        "common/util.py",
        "handler.py",
        "helper-2.0.dist-info/METADATA",
        "helper-2.0.dist-info/RECORD",
        "helper-2.0.dist-info/WHEEL",
        "helper.py",
        "helper_extra.py",
        "run.sh",
        "tinylib-1.0.dist-info/METADATA",
        "tinylib-1.0.dist-info/RECORD",
        "tinylib-1.0.dist-info/WHEEL",
        "tinylib/__init__.py",
        "tinylib/tool",
    ]
    with zipfile.ZipFile(results["alpha"].zip_path) as archive:
        assert results["alpha"].unzipped_size == sum(info.file_size for info in archive.infolist())
    assert results["alpha"].zip_size == results["alpha"].zip_path.stat().st_size


def test_timestamps_are_fixed_and_only_executables_keep_their_bit(tmp_path: Path, wheels) -> None:
    results = _build(tmp_path, _project(tmp_path))

    with zipfile.ZipFile(results["alpha"].zip_path) as archive:
        infos = archive.infolist()
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.create_system for info in infos} == {3}
    modes = {info.filename: info.external_attr >> 16 for info in infos}
    assert {name for name, mode in modes.items() if mode == 0o100755} == {"run.sh", "tinylib/tool"}
    assert set(modes.values()) == {0o100644, 0o100755}


def test_two_clean_builds_in_different_places_are_byte_identical(tmp_path: Path, wheels: Path) -> None:
    first, second = tmp_path / "clone-a", tmp_path / "somewhere" / "clone-b"
    sources_a, sources_b = _project(first), _project(second)
    for path in (second / "lambdas").rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))

    a, b = _build(first, sources_a), _build(second, sources_b)

    for key in ("alpha", "beta"):
        assert a[key].zip_path.read_bytes() == b[key].zip_path.read_bytes()
        assert a[key].input_hash == b[key].input_hash
        assert a[key].status == b[key].status == "built"


def test_touching_files_changes_nothing(tmp_path: Path, wheels: Path) -> None:
    sources = _project(tmp_path)
    before = {key: r.zip_path.read_bytes() for key, r in _build(tmp_path, sources).items()}
    for path in (tmp_path / "lambdas").rglob("*"):
        os.utime(path, (2_000_000_000, 2_000_000_000))

    results = _build(tmp_path, sources)

    assert _statuses(results) == {"alpha": "reused", "beta": "reused"}
    assert {key: r.zip_path.read_bytes() for key, r in results.items()} == before


def test_editing_a_source_file_rebuilds_only_that_function(tmp_path: Path, wheels: Path) -> None:
    sources = _project(tmp_path)
    first = _build(tmp_path, sources)
    (tmp_path / "lambdas" / "beta" / "handler.py").write_text(HANDLER + "# changed\n")

    second = _build(tmp_path, sources)

    assert _statuses(second) == {"alpha": "reused", "beta": "built"}
    assert second["beta"].input_hash != first["beta"].input_hash
    assert second["alpha"].input_hash == first["alpha"].input_hash
    with zipfile.ZipFile(second["beta"].zip_path) as archive:
        assert archive.read("handler.py").endswith(b"# changed\n")


def test_editing_common_code_rebuilds_every_function(tmp_path: Path, wheels: Path) -> None:
    sources = _project(tmp_path)
    _build(tmp_path, sources)
    (tmp_path / "lambdas" / "common" / "util.py").write_text("def greet():\n    return 'hello'\n")
    assert _statuses(_build(tmp_path, sources)) == {"alpha": "built", "beta": "built"}


def test_a_cached_build_needs_no_package_index(tmp_path: Path, wheels: Path, monkeypatch) -> None:
    sources = _project(tmp_path)
    first = {key: r.zip_path.read_bytes() for key, r in _build(tmp_path, sources).items()}
    for wheel in wheels.glob("*.whl"):
        wheel.unlink()  # the index is gone ...
    for built in (tmp_path / "build" / "lambda").iterdir():
        built.unlink()  # ... and so are the zips, but not the wheel cache

    def no_pip(*args, **kwargs):
        raise AssertionError(f"pip was run: {args}")

    monkeypatch.setattr("generator.package.wheels.subprocess.run", no_pip)
    results = _build(tmp_path, sources)

    assert _statuses(results) == {"alpha": "built", "beta": "built"}
    assert {key: r.zip_path.read_bytes() for key, r in results.items()} == first


def _assert_nothing_built(root: Path) -> None:
    build_dir = root / "build" / "lambda"
    assert not build_dir.exists() or not any(build_dir.iterdir()), sorted(build_dir.iterdir())


def test_a_requirement_pip_cannot_find_fails_before_any_zip_is_written(tmp_path: Path, wheels: Path) -> None:
    sources = _project(tmp_path, alpha_requirements="tinylib==1.0\nhelper==2.0\nno-such-package==9.9\n")

    with pytest.raises(GeneratorError) as failure:
        _build(tmp_path, sources)

    (problem,) = failure.value.problems
    assert problem.path == ("functions", "alpha")
    assert "pip cannot download no-such-package==9.9 for python3.12 x86_64" in problem.message
    assert "sdists are never built" in problem.hint
    _assert_nothing_built(tmp_path)  # not even beta's zip, which had nothing wrong


def test_an_unpinned_dependency_fails_naming_the_function(tmp_path: Path, wheels: Path) -> None:
    sources = _project(tmp_path, alpha_requirements="tinylib==1.0\n")
    with pytest.raises(GeneratorError) as failure:
        _build(tmp_path, sources)
    (problem,) = failure.value.problems
    assert problem.path == ("functions", "alpha")
    assert problem.message == ("tinylib 1.0 requires helper==2.0, which lambdas/alpha/requirements.txt "
                               "does not pin")
    _assert_nothing_built(tmp_path)


def test_a_file_both_the_function_and_a_wheel_provide_is_an_error(tmp_path: Path, wheels: Path) -> None:
    sources = _project(tmp_path)
    (tmp_path / "lambdas" / "alpha" / "helper.py").write_text("HELP = 'mine'\n")
    with pytest.raises(GeneratorError) as failure:
        _build(tmp_path, sources)
    assert [p.message for p in failure.value.problems] == [
        "helper.py comes from both lambdas/alpha/helper.py and helper-2.0-py3-none-any.whl"]


def test_more_than_250_mb_unzipped_fails_naming_the_function(tmp_path: Path, wheels: Path) -> None:
    sources = _project(tmp_path)
    with (tmp_path / "lambdas" / "beta" / "model.bin").open("wb") as sparse:
        sparse.truncate(250 * 1024 * 1024 + 1)  # one byte over; sparse, so it costs no disk

    with pytest.raises(GeneratorError) as failure:
        _build(tmp_path, sources)

    (problem,) = failure.value.problems
    assert problem.path == ("functions", "beta")
    assert problem.message == "the package is 250.0 MB unzipped, over Lambda's 250.0 MB limit"
    _assert_nothing_built(tmp_path)


def test_an_interrupted_write_leaves_nothing_a_later_run_would_reuse(tmp_path: Path, wheels: Path,
                                                                     monkeypatch) -> None:
    sources = _project(tmp_path)
    first = _build(tmp_path, sources)
    handler = tmp_path / "lambdas" / "beta" / "handler.py"
    handler.write_text(HANDLER + "# edit\n")
    real_write_zip = build_module.write_zip

    def write_half_then_fail(path: Path, members):
        real_write_zip(path, members)
        path.write_bytes(path.read_bytes()[:100])
        raise OSError("disk full")

    monkeypatch.setattr(build_module, "write_zip", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        _build(tmp_path, sources)
    monkeypatch.undo()

    build_dir = tmp_path / "build" / "lambda"
    # No half-written zip under any name, and no manifest vouches for beta's old zip any more.
    assert sorted(p.name for p in build_dir.iterdir() if not p.name.startswith(".")) == sorted(
        ["alpha.json", first["alpha"].zip_path.name, first["beta"].zip_path.name])
    # Even back at the inputs of the old zip it is rebuilt, and the manifest names the zip it describes.
    handler.write_text(HANDLER)
    results = _build(tmp_path, sources)
    assert _statuses(results) == {"alpha": "reused", "beta": "built"}
    manifest = json.loads((build_dir / "beta.json").read_text())
    assert manifest["input_hash"] == results["beta"].input_hash
    assert manifest["zip"] == results["beta"].zip_path.name
    assert manifest["zip_size"] == results["beta"].zip_path.stat().st_size


def test_a_zip_that_does_not_match_its_manifest_is_rebuilt(tmp_path: Path, wheels: Path) -> None:
    sources = _project(tmp_path)
    first = _build(tmp_path, sources)
    first["beta"].zip_path.write_bytes(b"truncated")
    results = _build(tmp_path, sources)
    assert _statuses(results) == {"alpha": "reused", "beta": "built"}
    assert zipfile.ZipFile(results["beta"].zip_path).testzip() is None


def test_each_architecture_gets_its_own_platform_wheel(tmp_path: Path, local_index: Path) -> None:
    for tag, machine in (("cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64", "x86_64"),
                         ("cp312-cp312-manylinux_2_28_aarch64", "aarch64"),
                         ("cp312-cp312-macosx_11_0_arm64", "macos"),
                         ("cp311-cp311-manylinux_2_28_x86_64", "cp311")):
        make_wheel(local_index, "fastext", "1.0", {"fastext/_built_for.txt": machine}, tag=tag)
    sources = [
        make_function(tmp_path, "on-x86", {"handler.py": ""}, requirements="fastext==1.0\n"),
        make_function(tmp_path, "on-arm", {"handler.py": ""}, requirements="fastext==1.0\n",
                      architecture="arm64"),
    ]

    results = _build(tmp_path, sources)

    built_for = {key: zipfile.ZipFile(r.zip_path).read("fastext/_built_for.txt").decode()
                 for key, r in results.items()}
    assert built_for == {"on-x86": "x86_64", "on-arm": "aarch64"}


def test_a_pin_with_no_wheel_for_the_lambda_platform_is_refused(tmp_path: Path, local_index: Path) -> None:
    make_wheel(local_index, "maconly", "1.0", {"maconly/__init__.py": ""},
               tag="cp312-cp312-macosx_11_0_arm64")
    sources = [make_function(tmp_path, "fn", {"handler.py": ""}, requirements="maconly==1.0\n")]
    with pytest.raises(GeneratorError) as failure:
        _build(tmp_path, sources)
    assert "pip cannot download maconly==1.0 for python3.12 x86_64" in failure.value.problems[0].message
