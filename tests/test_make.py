"""The Makefile's own steps: `make help` lists every target, and requirements/install.py builds a venv from a
lock with uv (exactly the lock's packages, one line per step) or, when uv cannot be had, with pip and says so.
Offline: the packages come from a folder of wheels made here."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.package.wheelmaker import make_wheel

REAL_UV = ROOT / ".venv-tools" / "bin" / "uv"


def test_make_help_lists_every_target_with_its_description() -> None:
    makefile = (ROOT / "Makefile").read_text()
    phony = set(re.search(r"^\.PHONY:(.*?)(?<!\\)$", makefile, re.M | re.S).group(1).replace("\\", " ").split())
    result = subprocess.run(["make", "--no-print-directory", "-s", "help"], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    listed = {line.split()[0]: line for line in result.stdout.splitlines() if not line.startswith("   ")}
    assert phony <= set(listed), f"targets without a `## target: text` line: {phony - set(listed)}"
    assert "validate queues.toml, package the Lambda zips" in listed["generate"]
    assert all(len(line.split()) >= 2 for line in listed.values()), "every target has a description"


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """requirements/install.py as a module, its .venv-tools/ moved under tmp_path; wheels only from tmp_path."""
    spec = importlib.util.spec_from_file_location("install", ROOT / "requirements" / "install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tools = tmp_path / "tools"
    monkeypatch.setattr(module, "TOOLS", tools)
    monkeypatch.setattr(module, "UV", tools / "bin" / "uv")
    monkeypatch.setattr(module, "TOOLS_LOCK", tmp_path / "tools.lock")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    (tmp_path / "tools.lock").write_text("uv==0.13.9\n")
    wheels = tmp_path / "wheels"
    for name, version in (("tinylib", "1.0"), ("otherlib", "2.0")):
        make_wheel(wheels, name, version, {f"{name}/__init__.py": f"V = '{version}'\n"})
    for variable, value in {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels),
                            "UV_NO_INDEX": "1", "UV_FIND_LINKS": str(wheels),
                            "UV_CACHE_DIR": str(tmp_path / "uv-cache")}.items():
        monkeypatch.setenv(variable, value)
    for variable in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_INDEX"):
        monkeypatch.delenv(variable, raising=False)
    return module


def _lock(tmp_path: Path, name: str, *pins: str) -> Path:
    path = tmp_path / name
    path.write_text("# a lock\n" + "".join(f"{pin}\n    # via -r x.in\n" for pin in pins))
    return path


def _imports(venv: Path, module: str) -> str:
    result = subprocess.run([str(venv / "bin" / "python"), "-c", f"import {module}; print({module}.V)"],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else "not installed"


def test_uv_builds_the_venv_with_exactly_the_lock_and_says_each_step(install, tmp_path: Path, capsys) -> None:
    if not REAL_UV.exists():
        pytest.skip("no .venv-tools/bin/uv (make installs it); the pip fallback test still runs")
    version = subprocess.run([str(REAL_UV), "--version"], capture_output=True, text=True).stdout.split()[1]
    (install.TOOLS / "bin").mkdir(parents=True)
    shutil.copy(REAL_UV, install.UV)
    install.TOOLS_LOCK.write_text(f"uv=={version}\n")
    venv = tmp_path / "venv"

    assert install.main(["--new", "--compile", str(venv), str(_lock(tmp_path, "a.lock", "tinylib==1.0"))]) == 0

    out = capsys.readouterr().out
    assert re.search(rf"^==> venv: 1 packages from a\.lock \(uv {re.escape(version)}, bytecode compiled\)\n"
                     r"    done in \d+\.\d s\n", out, re.M), out
    assert _imports(venv, "tinylib") == "1.0"
    assert list((venv / "lib").glob("python3*/site-packages/tinylib/__pycache__/*.pyc"))
    assert "pip" not in out

    assert install.main([str(venv), str(_lock(tmp_path, "b.lock", "otherlib==2.0"))]) == 0
    assert (_imports(venv, "tinylib"), _imports(venv, "otherlib")) == ("not installed", "2.0")  # a sync, exact


@pytest.mark.slow
def test_without_uv_it_installs_with_pip_and_says_so(install, tmp_path: Path, capsys) -> None:
    """No uv wheel can be found (no index here): the bootstrap fails, pip builds the venv."""
    venv = tmp_path / "venv"

    assert install.main(["--new", str(venv), str(_lock(tmp_path, "a.lock", "tinylib==1.0"))]) == 0

    out = capsys.readouterr().out
    assert "==> .venv-tools: uv 0.13.9 from requirements/tools.lock" in out
    assert "uv could not be installed (see above): installing with pip instead" in out
    assert re.search(r"^==> venv: 1 packages from a\.lock with pip \(uv could not be used", out, re.M), out
    assert _imports(venv, "tinylib") == "1.0"


@pytest.mark.slow
def test_a_failing_uv_falls_back_to_pip(install, tmp_path: Path, capsys) -> None:
    """uv is there (the pinned version) but cannot install: pip takes over and says so."""
    (install.TOOLS / "bin").mkdir(parents=True)
    install.UV.write_text('#!/bin/sh\n[ "$1" = --version ] && { echo "uv 0.13.9"; exit 0; }\n'
                          'echo "error: no network" >&2; exit 2\n')
    install.UV.chmod(0o755)
    venv = tmp_path / "venv"

    assert install.main(["--new", str(venv), str(_lock(tmp_path, "a.lock", "tinylib==1.0"))]) == 0

    out = capsys.readouterr().out
    assert "error: no network" in out and "uv could not build venv (see above): trying pip instead" in out
    assert _imports(venv, "tinylib") == "1.0"


@pytest.mark.parametrize(("setting", "flag"), [(None, "--retry-delay 2"), ("5", "--retry-delay 5"), ("off", None),
                                               ("", None), (" off ", None)])
def test_make_up_passes_a_retry_delay_only_when_one_is_set(setting: str | None, flag: str | None) -> None:
    # GIVEN `make up` with LOCAL_RETRY_DELAY unset (2 s), a number, `off` or empty WHEN make prints its recipe
    override = [] if setting is None else [f"LOCAL_RETRY_DELAY={setting}"]
    result = subprocess.run(["make", "--no-print-directory", "-n", "-W", "generate", "up", *override], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    command = next(line for line in result.stdout.splitlines() if " -m generator up " in line)
    # THEN `off` and empty leave the runner at each queue's visibility timeout (AWS's timing): no --retry-delay
    if flag is None:
        assert "--retry-delay" not in command, command
    else:
        assert command.split("generator up ", 1)[1].split()[1:] == flag.split(), command
