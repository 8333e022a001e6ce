"""Shared fixtures. Tools the tests drive (terraform, checkov) are found here, and a missing one skips its
tests with a loud reason - or fails them when REQUIRE_TOOLS=1 (CI sets it, so CI never skips silently)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The repository's own queues.toml and terraform/ are the user's: tests check them only for what holds for
# any topology. Fixed topologies (a copy of the seed among them) live under tests/topologies/, their goldens
# under tests/golden/.
SEED = ROOT / "queues.toml"
TOPOLOGIES = ROOT / "tests" / "topologies"
GOLDEN = ROOT / "tests" / "golden"

# The session's one local stack (tests/local/stack.py): its fixtures, for tests/local/ and tests/ops/.
pytest_plugins = ["tests.local.stack"]

# Figures tests want printed at the end of the run (e.g. how many checkov suppressions there are).
SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:
    if SUMMARY:
        terminalreporter.section("figures")
        for line in SUMMARY:
            terminalreporter.write_line(line)


def on_one_worker(module_name: str) -> pytest.MarkDecorator:
    """For a module whose module-scoped fixtures cost seconds (terraform plans, moto probes): every test of it on one
    pytest-xdist worker, so they are built once rather than once per worker (`pytestmark = on_one_worker(__name__)`)."""
    return pytest.mark.xdist_group(name=module_name.rsplit(".", 1)[-1])


def require_tool(name: str, path: str | None, how: str) -> str:
    """The tool's path, or a loud skip (a failure under REQUIRE_TOOLS=1)."""
    if path and Path(path).exists():
        return path
    message = f"{name} is not available ({how}); its tests did NOT run"
    if os.environ.get("REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    return require_tool("terraform", shutil.which("terraform"), "install Terraform >= 1.5 and put it on PATH")


@pytest.fixture(scope="session")
def checkov_bin() -> str:
    path = str(ROOT / ".venv-checkov" / "bin" / "checkov")
    return require_tool("checkov", path, "run `make test`, which installs it")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `stack_last` (stopping the session's local stack) run after every other test."""
    items.sort(key=lambda item: item.get_closest_marker("stack_last") is not None)
