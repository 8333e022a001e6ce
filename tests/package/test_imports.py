"""`check` fails when a function's code imports what neither the runtime nor its zip provides, naming the module,
the file and line, and the pin to add; and stays quiet for everything that is provided. One line a case."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.package.runtime import stdlib_modules
from tests.package.wheelmaker import make_project, make_wheel

HANDLER = "handler.py"
_NOT_PROVIDED = ("which is neither in the {runtime} standard library nor in the Lambda runtime, nor in lambdas/fn/ "
                 "or a wheel its requirements.txt pins")


def _missing(place: str, module: str, runtime: str = "python3.12", note: str = "") -> str:
    return f"{place} imports {module}, {_NOT_PROVIDED.format(runtime=runtime)}{note}"


# (files to write under lambdas/, requirements.txt of fn, runtime, expected message or None for "passes")
MISSING = {
    "powertools with no requirements.txt": (
        {"fn/handler.py": "from aws_lambda_powertools import Logger\n"}, "", "python3.12",
        _missing("lambdas/fn/handler.py:1", "aws_lambda_powertools"),
        "add `aws-lambda-powertools==3.37.0` (the version installed here) to lambdas/fn/requirements.txt"),
    "yt_dlp not pinned": ({"fn/handler.py": "import os\nfrom yt_dlp import YoutubeDL\n"}, "", "python3.12",
                          _missing("lambdas/fn/handler.py:2", "yt_dlp"), "add `yt-dlp=="),
    "import inside a function": ({"fn/handler.py": "def lambda_handler(e, c):\n    import requests\n"}, "",
                                 "python3.12", _missing("lambdas/fn/handler.py:2", "requests"), "requirements.txt"),
    "dotted import": ({"fn/handler.py": "import numpy.linalg\n"}, "", "python3.12",
                      _missing("lambdas/fn/handler.py:1", "numpy"), "requirements.txt"),
    "import in common/": ({"common/shared.py": "import aws_lambda_powertools.logging\n"}, "", "python3.12",
                          _missing("lambdas/common/shared.py:1", "aws_lambda_powertools"), "aws-lambda-powertools"),
    "imported from two files": ({"fn/handler.py": "import attrs\n", "fn/util.py": "\n\nimport attrs\n"}, "",
                                "python3.12", _missing("lambdas/fn/handler.py:1 (and 1 more)", "attrs"), "attrs"),
    "imp on python3.12": ({"fn/handler.py": "import imp\n"}, "", "python3.12",
                          _missing("lambdas/fn/handler.py:1", "imp", note=" (it left the standard library after "
                                   "Python 3.11)"), "drop the import"),
    "distutils on python3.12": ({"fn/handler.py": "from distutils.util import strtobool\n"}, "", "python3.12",
                                _missing("lambdas/fn/handler.py:1", "distutils", note=" (it left the standard "
                                         "library after Python 3.11)"), "requirements.txt"),
    "cgi on python3.13": ({"fn/handler.py": "import cgi\n"}, "", "python3.13",
                          _missing("lambdas/fn/handler.py:1", "cgi", "python3.13", " (it left the standard library "
                                   "after Python 3.12)"), "requirements.txt"),
    "tomli is not tomllib": ({"fn/handler.py": "import tomli\n"}, "", "python3.12",
                             _missing("lambdas/fn/handler.py:1", "tomli"), "requirements.txt"),
    "a pin that installs another name": ({"fn/handler.py": "import fancyimaging\n"}, "fancy-imaging==1.0\n",
                                         "python3.12", _missing("lambdas/fn/handler.py:1", "fancyimaging"),
                                         "requirements.txt"),
    "syntax error": ({"fn/handler.py": "def lambda_handler(e, c)\n    pass\n"}, "", "python3.11",
                     "lambdas/fn/handler.py cannot be parsed (line 1: expected ':')", "would fail to import it"),
}

PROVIDED = {
    "standard library": ({"fn/handler.py": "import json, os.path, tomllib, zoneinfo\nfrom asyncio import run\n"},
                         "", "python3.12"),
    "__future__": ({"fn/handler.py": "from __future__ import annotations\n"}, "", "python3.12"),
    "the runtime's SDK": ({"fn/handler.py": "import boto3, botocore, s3transfer, jmespath, urllib3, six\n"
                                            "from dateutil import parser\n"}, "", "python3.12"),
    "own module": ({"fn/handler.py": "import helpers\n", "fn/helpers.py": ""}, "", "python3.12"),
    "own package": ({"fn/handler.py": "from pkg.sub import x\n", "fn/pkg/__init__.py": "",
                     "fn/pkg/sub.py": "x = 1\n"}, "", "python3.12"),
    "own namespace package": ({"fn/handler.py": "import nspkg.mod\n", "fn/nspkg/mod.py": ""}, "", "python3.12"),
    "common": ({"fn/handler.py": "from common import aws\nimport common.aws\n", "common/aws.py": ""}, "",
               "python3.12"),
    "relative imports": ({"fn/pkg/__init__.py": "from . import mod\nfrom .mod import y\nfrom ..x import z\n",
                          "fn/pkg/mod.py": "y = 1\n"}, "", "python3.12"),
    "try/except ImportError": ({"fn/handler.py": "try:\n    import ujson as json\nexcept ImportError:\n"
                                                 "    import json\n"}, "", "python3.12"),
    "try/except ModuleNotFoundError in a tuple": ({"fn/handler.py": "try:\n    import orjson\nexcept (ValueError, "
                                                                    "ModuleNotFoundError):\n    orjson = None\n"},
                                                  "", "python3.12"),
    "TYPE_CHECKING": ({"fn/handler.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                        "    from mypy_boto3_sqs import SQSClient\n"}, "", "python3.12"),
    "typing.TYPE_CHECKING": ({"fn/handler.py": "import typing\nif typing.TYPE_CHECKING:\n    import pandas\n"},
                             "", "python3.12"),
    "pin of the same name": ({"fn/handler.py": "import tinylib\n"}, "tinylib==1.0\n", "python3.12"),
    "pin that installs another name": ({"fn/handler.py": "import imaging\n"}, "fancy-imaging==1.0\n", "python3.12"),
    "single-module wheel": ({"fn/handler.py": "import single_mod\n"}, "single-mod-dist==1.0\n", "python3.12"),
    "extension module wheel": ({"fn/handler.py": "import _speedups\n"}, "speedups==1.0\n", "python3.12"),
    "cgi on python3.12": ({"fn/handler.py": "import cgi\n"}, "", "python3.12"),
    "asyncore on python3.11": ({"fn/handler.py": "import asyncore\n"}, "", "python3.11"),
}


@pytest.fixture
def wheels(local_index: Path) -> Path:
    make_wheel(local_index, "tinylib", "1.0", {"tinylib/__init__.py": ""})
    make_wheel(local_index, "fancy-imaging", "1.0", {"imaging/__init__.py": "", "imaging/core.py": ""})
    make_wheel(local_index, "single-mod-dist", "1.0", {"single_mod.py": ""})
    make_wheel(local_index, "speedups", "1.0", {"_speedups.cpython-312-x86_64-linux-gnu.so": b"\x7fELF"},
               tag="cp312-cp312-manylinux_2_17_x86_64")
    return local_index


def _project(tmp_path: Path, files: dict[str, str], requirements: str, runtime: str) -> Path:
    spec = make_project(tmp_path / "project", runtime=runtime)
    for relative, text in files.items():
        path = spec.parent / "lambdas" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if requirements:
        (spec.parent / "lambdas" / "fn" / "requirements.txt").write_text(requirements)
    return spec


@pytest.mark.parametrize(("files", "requirements", "runtime", "message", "hint"),
                         [pytest.param(*case, id=name, marks=pytest.mark.family("imports: missing"))
                          for name, case in MISSING.items()])
def test_check_names_what_the_zip_would_lack(tmp_path: Path, wheels, capsys, files, requirements, runtime,
                                             message, hint) -> None:
    spec = _project(tmp_path, files, requirements, runtime)

    assert main(["check", str(spec)]) == 1

    err = capsys.readouterr().err
    assert f"error: functions.fn: {message}\n  hint: " in err, err
    assert hint in err.split(message, 1)[1].split("\n")[1], err


@pytest.mark.parametrize(("files", "requirements", "runtime"),
                         [pytest.param(*case, id=name, marks=pytest.mark.family("imports: provided"))
                          for name, case in PROVIDED.items()])
def test_check_accepts_what_is_provided(tmp_path: Path, wheels, capsys, files, requirements, runtime) -> None:
    spec = _project(tmp_path, files, requirements, runtime)
    code = main(["check", str(spec)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "imports" not in err


def test_generate_checks_the_exact_names_a_cached_wheel_installs(tmp_path: Path, local_index: Path, capsys) -> None:
    """`check` takes a pin to provide its own name until it has to look; generate always looks."""
    make_wheel(local_index, "looks-right", "1.0", {"something_else/__init__.py": ""})
    spec = _project(tmp_path, {"fn/handler.py": "import looks_right\n"}, "looks-right==1.0\n", "python3.12")
    assert main(["check", str(spec)]) == 0
    capsys.readouterr()

    assert main(["generate", str(spec)]) == 1

    err = capsys.readouterr().err
    assert _missing("lambdas/fn/handler.py:1", "looks_right") in err, err
    assert not (spec.parent / "terraform").exists()


def test_a_file_the_generator_cannot_parse_for_a_newer_runtime_is_a_warning(tmp_path: Path, capsys) -> None:
    if sys.version_info >= (3, 12):
        pytest.skip("needs a generator Python older than 3.12 (it reads 3.12 syntax): NOT run")
    spec = _project(tmp_path, {"fn/handler.py": "type Point = tuple[int, int]\n"}, "", "python3.12")
    assert main(["check", str(spec)]) == 0
    err = capsys.readouterr().err
    assert ("warning: functions.fn: lambdas/fn/handler.py cannot be parsed (line 1: invalid syntax) by Python "
            "3.11, so its imports are not checked") in err, err


def _interpreter(version: str) -> Path | None:
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    found = sorted(Path(root, "versions").glob(f"{version}.*/bin/python{version}"))
    return found[-1] if found else None


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_the_stdlib_table_matches_the_real_interpreter(version: str) -> None:
    python = _interpreter(version)
    if python is None:
        pytest.skip(f"no Python {version} interpreter (pyenv) on this machine: the table was NOT compared")
    names = subprocess.run([str(python), "-c", "import sys; print('\\n'.join(sys.stdlib_module_names))"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert stdlib_modules(version) == frozenset(names)
