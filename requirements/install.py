"""Build a virtualenv from pinned locks with uv, or with pip when uv cannot be had; one line per step.

    python3 requirements/install.py [--new] [--compile] [--editable] VENV LOCK [LOCK ...]
    python3 requirements/install.py --tools          # only make sure .venv-tools/bin/uv is the pinned uv

--new starts from an empty virtualenv; without it VENV is synced in place to exactly the locks' packages.
--compile compiles the bytecode of what gets installed: pip always does, uv only when asked, and Python
may run with PYTHONDONTWRITEBYTECODE, where every `generate` would otherwise compile pydantic again.
--editable installs the project itself too, editable (its `generator` package imports from this checkout in
any folder: the stack's processes run from the spec's folder, which may be anywhere).

uv (pinned in requirements/tools.lock) lives in .venv-tools/: pip installs its one wheel there, then uv
creates and syncs the virtualenvs (`uv pip sync`: exactly the pinned packages, nothing else). uv reads its
own configuration (UV_INDEX_URL, uv.toml), not pip.conf. If uv cannot be installed or fails, this says so
and installs with pip instead (slower, and pip reads pip.conf). Stdlib only: it runs before any venv exists.
"""

from __future__ import annotations

import argparse
import fcntl
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".venv-tools"
TOOLS_LOCK = ROOT / "requirements" / "tools.lock"
UV = TOOLS / "bin" / "uv"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)


def say(line: str) -> None:
    print(line, flush=True)


def run_step(title: str, commands: list[list[str]], *, env: dict[str, str] | None = None,
             show_output: bool = False) -> bool:
    """One line before, one after with the time taken; a failing command's output is shown, not hidden."""
    say(f"==> {title}")
    started = time.monotonic()
    for command in commands:
        result = subprocess.run(command, env=env, text=True, stdout=None if show_output else subprocess.PIPE,
                                stderr=None if show_output else subprocess.STDOUT, check=False)
        if result.returncode != 0:
            if result.stdout:
                sys.stdout.write(result.stdout)
            say(f"    failed after {time.monotonic() - started:.1f} s: {' '.join(command)}")
            return False
    say(f"    done in {time.monotonic() - started:.1f} s")
    return True


def pins(lock: Path) -> dict[str, str]:
    return dict(_PIN.findall(lock.read_text(encoding="utf-8")))


def uv_version(binary: Path) -> str | None:
    try:
        result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    words = result.stdout.split()
    return words[1] if result.returncode == 0 and len(words) >= 2 else None


def ensure_uv() -> Path | None:
    """.venv-tools/bin/uv at the version pinned in tools.lock, installed by pip if it is not there yet."""
    wanted = pins(TOOLS_LOCK).get("uv")
    if wanted is None:
        say(f"{TOOLS_LOCK.relative_to(ROOT)} pins no uv")
        return None
    if uv_version(UV) == wanted:
        return UV
    shutil.rmtree(TOOLS, ignore_errors=True)
    if run_step(f".venv-tools: uv {wanted} from requirements/tools.lock (pip installs its one wheel)",
                bootstrap_commands(TOOLS)):
        if uv_version(UV) == wanted:
            return UV
        say(f"    .venv-tools/bin/uv is not uv {wanted}")
    return None


def bootstrap_commands(target: Path) -> list[list[str]]:
    """pip puts the uv wheel into target/ (bin/uv); uv has no dependencies, so no resolving, nothing to compile."""
    options = ["--quiet", "--disable-pip-version-check", "--no-warn-script-location", "--no-deps", "--no-compile",
               "-r", str(TOOLS_LOCK)]
    if importlib.util.find_spec("pip") is not None:  # one wheel into a plain folder: no venv, no ensurepip
        return [[sys.executable, "-m", "pip", "install", "--target", str(target), *options]]
    return [[sys.executable, "-m", "venv", str(target)],
            [str(target / "bin" / "python"), "-m", "pip", "install", *options]]


def describe(locks: list[Path]) -> str:
    pinned = [lock for lock in locks if lock.suffix == ".lock"]
    count = len({name.lower() for lock in pinned for name in pins(lock)})
    return f"{count} packages from {', '.join(str(lock.relative_to(ROOT)) for lock in pinned)}"


EDITABLE = "editable-checkout.txt"
# setuptools' "compat" editable mode: one path line in a .pth file. Its default (a meta path finder loaded by a .pth
# at every interpreter start) imports pathlib and more before any program runs, which the no-change generate's
# fast path cannot afford.
EDITABLE_MODE = "editable_mode=compat"


def editable_requirement(folder: Path) -> Path:
    """A requirements file naming this checkout, editable (uv and pip read `-e PATH` lines from one)."""
    path = folder / EDITABLE
    path.write_text(f"-e {ROOT}\n", encoding="utf-8")
    return path


def install_with_uv(uv: Path, venv: Path, locks: list[Path], *, new: bool, compile_bytecode: bool) -> bool:
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}  # the interpreter is this one, never a download
    python = venv / "bin" / "python"
    commands = []
    if new or not python.exists():
        commands.append([str(uv), "venv", "--quiet", "--clear", "--no-project", "--python", sys.executable,
                         str(venv)])
    commands.append([str(uv), "pip", "sync", "--quiet", "--python", str(python),
                     *(["--compile-bytecode"] if compile_bytecode else []),
                     *(["--config-setting", EDITABLE_MODE] if _and_the_project(locks) else []), *map(str, locks)])
    compiled = ", bytecode compiled" if compile_bytecode else ""
    title = f"{venv.name}: {describe(locks)}{_and_the_project(locks)} (uv {uv_version(uv)}{compiled})"
    return run_step(title, commands, env=env)


def _and_the_project(locks: list[Path]) -> str:
    return ", and this checkout editable" if any(lock.name == EDITABLE for lock in locks) else ""


def install_with_pip(venv: Path, locks: list[Path], *, new: bool) -> bool:
    python = venv / "bin" / "python"
    commands = []
    if new or not python.exists():
        commands.append([sys.executable, "-m", "venv", "--clear", str(venv)])
    requirements = [argument for lock in locks for argument in ("-r", str(lock))]
    commands.append([str(python), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off",
                     *(["--config-settings", EDITABLE_MODE] if _and_the_project(locks) else []), *requirements])
    title = (f"{venv.name}: {describe(locks)}{_and_the_project(locks)} with pip (uv could not be used; pip is "
             "several times slower)")
    return run_step(title, commands, show_output=True)


def main(argv: list[str] | None = None) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script is what tells a user their python3 is too old
        sys.exit(f"Python >= 3.11 is required, found {sys.version.split()[0]} ({sys.executable})")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", action="store_true", help="only install the pinned uv into .venv-tools/")
    parser.add_argument("--new", action="store_true", help="start from an empty virtualenv")
    parser.add_argument("--compile", action="store_true", help="compile the installed packages' bytecode")
    parser.add_argument("--editable", action="store_true", help="install this checkout too, editable")
    parser.add_argument("venv", nargs="?", type=Path)
    parser.add_argument("locks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.tools:
        with open(TOOLS_LOCK, "rb") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            return 0 if ensure_uv() else 1
    if args.venv is None or not args.locks:
        parser.error("VENV and at least one LOCK are required")
    venv, locks = args.venv.resolve(), [lock.resolve() for lock in args.locks]
    with open(TOOLS_LOCK, "rb") as held, tempfile.TemporaryDirectory() as scratch:
        fcntl.flock(held, fcntl.LOCK_EX)  # `make -j test` builds two venvs at once: one install at a time
        if args.editable:
            locks.append(editable_requirement(Path(scratch)))
        return install(venv, locks, new=args.new, compile_bytecode=args.compile)


def install(venv: Path, locks: list[Path], *, new: bool, compile_bytecode: bool) -> int:
    uv = ensure_uv()
    if uv is not None:
        if install_with_uv(uv, venv, locks, new=new, compile_bytecode=compile_bytecode):
            return 0
        say(f"uv could not build {venv.name} (see above): trying pip instead")
    else:
        say("uv could not be installed (see above): installing with pip instead")
    return 0 if install_with_pip(venv, locks, new=True) else 1


if __name__ == "__main__":
    sys.exit(main())
