"""What is never packaged: the one list, for a function's own folder, `lambdas/common/` and the wheels.

Source folders hold more than code: secrets (`.env`), version control (`.git/`), virtualenvs (`.venv/`), editor
and OS debris, bytecode for the build host, tests. None of it belongs in a Lambda zip, and some of it must never
leave the machine. The rule is by name, so it is the same on every machine and a user can predict it:

- every hidden name (starting with `.`): `.env`, `.env.local`, `.git/`, `.venv/`, `.idea/`, `.vscode/`,
  `.DS_Store`, vim's `.handler.py.swp`, emacs's `.#handler.py`, `.pytest_cache/` …
- the names and patterns in `_SOURCE_DIRS` / `_SOURCE_FILES` below (virtualenvs without a dot, bytecode,
  tests, editor backups, OS thumbnails, the function's own requirements.txt and README.md).

Wheels keep their hidden names (auditwheel's `.libs/` folders hold the shared libraries a wheel needs); only
bytecode and test suites are dropped from them. `python -m generator zip-list FUNCTION` prints what a zip
holds and what was left out, with the rule that left it out.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

# Folders left out of a function's folder and lambdas/common/ (with everything inside them).
_SOURCE_DIRS = {
    "__pycache__": "bytecode cache",
    "tests": "tests",
    "test": "tests",
    "venv": "virtualenv",
    "node_modules": "node modules",
    "*.egg-info": "build metadata",
    "*.dist-info": "build metadata",
}
# Files left out of a function's folder and lambdas/common/.
_SOURCE_FILES = {
    "*.pyc": "bytecode",
    "*.pyo": "bytecode",
    "test_*": "tests",
    "*~": "editor backup",
    "#*#": "editor autosave",
    "*.swp": "editor swap file",
    "*.swo": "editor swap file",
    "*.orig": "merge leftover",
    "*.rej": "patch leftover",
    "Thumbs.db": "OS thumbnail cache",
    "desktop.ini": "OS folder settings",
    "requirements.txt": "pins (installed as wheels instead)",
    "README.md": "documentation",
}
_WHEEL_DIRS = frozenset({"__pycache__", "tests", "test"})
_WHEEL_SUFFIXES = (".pyc", ".pyo")


def source_exclusion(name: str, is_dir: bool) -> str | None:
    """Why a file or folder of a function's sources is left out of its zip, or None when it is packaged."""
    if name.startswith("."):
        return "hidden (secrets, version control, editor and OS files)"
    for pattern, reason in (_SOURCE_DIRS if is_dir else _SOURCE_FILES).items():
        if fnmatchcase(name, pattern):
            return reason
    return None


def wheel_debris(parts: tuple[str, ...]) -> bool:
    """True for a wheel member that is bytecode for the build host or part of a test suite."""
    return bool(_WHEEL_DIRS.intersection(parts[:-1])) or parts[-1].endswith(_WHEEL_SUFFIXES)


def rules() -> list[tuple[str, str]]:
    """(pattern, reason) for every source rule, folders marked with a trailing '/': for documentation."""
    return ([(".*", "hidden")] + [(f"{pattern}/", reason) for pattern, reason in _SOURCE_DIRS.items()]
            + list(_SOURCE_FILES.items()))
