"""A copy of this project for a local stack of its own (the end-to-end test and bench/up.py): queues.toml,
lambdas/, terraform/, requirements/ and examples/, with the caches under build/ shared (wheels, the runtime's
virtualenv, the provider cache), so the copy builds its zips but downloads nothing twice, and the user's own stack
(.local/ of the repository) is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_CACHES = ("wheels", "lambda-runtime", "terraform-plugin-cache")


def copy_project(destination: Path) -> Path:
    destination.mkdir(parents=True)
    shutil.copy2(ROOT / "queues.toml", destination / "queues.toml")
    shutil.copytree(ROOT / "lambdas", destination / "lambdas", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "terraform", destination / "terraform",
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "*.tfplan"))
    shutil.copytree(ROOT / "requirements", destination / "requirements")
    shutil.copytree(ROOT / "examples", destination / "examples",
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
    build = destination / "build"
    build.mkdir()
    for cache in SHARED_CACHES:
        (ROOT / "build" / cache).mkdir(parents=True, exist_ok=True)
        (build / cache).symlink_to(ROOT / "build" / cache, target_is_directory=True)
    return destination


def cli(project: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """`python -m generator ARGS` in the copy, with this repository's generator."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=timeout)


def run(project: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m generator ARGS` in the copy, stdin not a terminal (as in a script or CI)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
