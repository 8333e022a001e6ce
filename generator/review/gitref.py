"""queues.toml as it is at a git ref, read with `git show REF:PATH`: nothing is checked out, the working tree
and the index are never touched."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from generator.problems import GeneratorError, error


def _git(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(folder), *arguments], capture_output=True, timeout=60,
                              text=True, encoding="utf-8", errors="replace",
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    except FileNotFoundError:
        raise GeneratorError([error((), "git is not installed", "install git: the diff reads the base from it")
                              .at(str(folder), 0, 0)]) from None


def spec_at(ref: str, spec_path: Path) -> str | None:
    """The spec's text at ref; None when the file does not exist there (a topology that is new)."""
    folder = spec_path.resolve().parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise GeneratorError([error((), "is not inside a git repository, so there is no base to compare with",
                                    "run the diff in the repository that holds queues.toml")
                              .at(str(spec_path), 0, 0)])
    if ref.startswith("-") or _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode:
        raise GeneratorError([error((), f"{ref!r} is not a commit, branch or tag of this repository",
                                    "name the base, e.g. `origin/main` (in CI, fetch it first: "
                                    "`git fetch origin main`)").at(str(spec_path), 0, 0)])
    relative = spec_path.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    shown = _git(folder, "show", f"{ref}:{relative}")
    if shown.returncode != 0:
        if _git(folder, "cat-file", "-e", f"{ref}:{relative}").returncode != 0:
            return None
        raise GeneratorError([error((), f"cannot read {relative} at {ref}: {shown.stderr.strip()}")
                              .at(str(spec_path), 0, 0)])
    return shown.stdout
