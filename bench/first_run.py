"""The first command on a fresh clone and the no-change run, side by side in one run.

    .venv/bin/python bench/first_run.py [--runs N] [--skip-pip] [--skip-clone]

1. requirements/dev.lock into a new virtualenv: pip with no cache (what the Makefile did before uv), uv with
   an empty cache, uv with a warm one; and the .venv-tools bootstrap (pip installs the uv wheel).
2. A fresh clone of this repository's HEAD to `make generate` done, with empty uv and pip caches and with the
   warm caches of this machine; then `make test`'s extra installs (dev.lock on top, checkov's venv).
3. No-change generate, whole process, median of N runs (default 15): a bare `python -c pass`,
   `python -m generator generate` (the fast path), `make generate`, and `... generate --full` (every stage).
Goals (issue 14): fresh clone to `make generate` <= 15 s, `make test`'s extra install <= 10 s, no-change
`make generate` <= 0.1 s. The machine is shared: compare figures within one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "requirements"))

import install  # noqa: E402  (requirements/install.py: the Makefile's installer)

UV = ROOT / ".venv-tools" / "bin" / "uv"
DEV_LOCK = ROOT / "requirements" / "dev.lock"
GENERATOR_LOCK = ROOT / "requirements" / "generator.lock"


def seconds(command: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def median_ms(command: list[str], runs: int) -> float:
    return statistics.median(seconds(command) for _ in range(runs)) * 1000


def row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<66} {value:>9}  {note}".rstrip(), flush=True)


def installs(temporary: Path, skip_pip: bool) -> None:
    print(f"install {DEV_LOCK.relative_to(ROOT)} into a new virtualenv (python {sys.version.split()[0]})")
    cache = temporary / "uv-cache"
    env = {**os.environ, "UV_CACHE_DIR": str(cache), "UV_PYTHON_DOWNLOADS": "never"}
    python = sys._base_executable  # the interpreter the Makefile's venvs are made from

    def uv_install(venv: Path, *steps: list[str]) -> float:
        shutil.rmtree(venv, ignore_errors=True)
        total = seconds([str(UV), "venv", "-q", "--no-project", "--python", python, str(venv)], env=env)
        for step in steps:
            total += seconds([str(UV), "pip", "sync", "-q", "--python", str(venv / "bin" / "python"), *step],
                             env=env)
        return total

    if not skip_pip:
        venv = temporary / "venv-pip"
        total = seconds([python, "-m", "venv", str(venv)])
        total += seconds([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                          "--no-cache-dir", "-r", str(DEV_LOCK)])
        row("pip, no cache (python -m venv + pip install -r)", f"{total:.1f} s", "the Makefile before uv")
    row("uv, empty cache (uv venv + uv pip sync)", f"{uv_install(temporary / 'venv-uv', [str(DEV_LOCK)]):.1f} s")
    row("uv, warm cache", f"{uv_install(temporary / 'venv-uv', [str(DEV_LOCK)]):.1f} s")
    made = uv_install(temporary / "venv-uv", ["--compile-bytecode", str(GENERATOR_LOCK)], [str(DEV_LOCK)])
    row("uv, warm cache, as make does (generator.lock compiled + dev.lock)", f"{made:.1f} s")
    bootstrap = sum(seconds(command) for command in install.bootstrap_commands(temporary / "tools"))
    row(".venv-tools bootstrap (pip installs the uv wheel; pip's cache)", f"{bootstrap:.1f} s")


def fresh_clone(temporary: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    print(f"fresh clone of {head} → `make generate` (git clone {ROOT} …)")
    cold = {**os.environ, "UV_CACHE_DIR": str(temporary / "empty-uv-cache"), "PIP_NO_CACHE_DIR": "1"}
    for number, (label, env) in enumerate((("empty uv and pip caches", cold), ("warm caches", dict(os.environ)))):
        clone = temporary / f"clone-{number}"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {key: value for key, value in env.items() if not key.startswith(("VIRTUAL_ENV", "MAKE"))}
        generate = seconds(["make", "generate"], cwd=clone, env=env)
        row(f"make generate, {label}", f"{generate:.1f} s", "goal <= 15 s")
        extra = seconds(["make", ".venv/.installed", ".venv-checkov/.installed"], cwd=clone, env=env)
        row(f"make test's extra installs (dev.lock, checkov venv), {label}", f"{extra:.1f} s", "goal <= 10 s")
        shutil.rmtree(clone, ignore_errors=True)


def no_change(runs: int) -> None:
    print(f"no-change generate of {ROOT.name}/queues.toml, whole process, median of {runs}")
    generate = [sys.executable, "-m", "generator", "generate"]
    for _ in range(3):  # the first may be a full run (something changed); then the stamp is current
        output = subprocess.run(generate, cwd=ROOT, capture_output=True, text=True, check=True).stdout
        if output.startswith("nothing changed"):
            break
    else:
        raise SystemExit(f"the fast path never answered:\n{output}")
    bare = median_ms([sys.executable, "-c", "pass"], runs)
    row("python -c pass (interpreter start-up)", f"{bare:.0f} ms")
    row("python -m generator generate (fast path)", f"{median_ms(generate, runs):.0f} ms")
    row("make generate (fast path)", f"{median_ms(['make', 'generate'], runs):.0f} ms", "goal <= 100 ms")
    row("python -m generator generate --full (every stage, nothing to do)",
        f"{median_ms([*generate, '--full'], runs):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per no-change median (default 15)")
    parser.add_argument("--skip-pip", action="store_true", help="leave out the pip install (about a minute)")
    parser.add_argument("--skip-clone", action="store_true", help="leave out the two fresh clones")
    args = parser.parse_args()
    if subprocess.run([sys.executable, str(ROOT / "requirements" / "install.py"), "--tools"]).returncode != 0:
        raise SystemExit("uv could not be installed into .venv-tools/")
    with tempfile.TemporaryDirectory(prefix="bench-first-run-") as temporary:
        installs(Path(temporary), args.skip_pip)
        if not args.skip_clone:
            fresh_clone(Path(temporary))
    no_change(args.runs)


if __name__ == "__main__":
    main()
