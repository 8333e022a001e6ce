"""Shared by the test_safe_* files: a small two-queue project, a way to run the real CLI in a subprocess,
snapshots of a tree, and the tried/handled figures of each family (printed through conftest's SUMMARY)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, TOPOLOGIES
from tests.figures import Families

SHOP = """\
[project]
name = "shop"

[alarms]
topic_name = "shop-alarms"

[queues.email]
visibility_timeout_seconds = 180
max_receive_count = 5

[queues.orders]
visibility_timeout_seconds = 180
max_receive_count = 5

[functions.mailer]
source = "worker"
timeout = 30
trigger = { queue = "email", batch_size = 10, maximum_concurrency = 5 }

[functions.shop]
source = "worker"
timeout = 30
sends_to = ["email"]
trigger = { queue = "orders", batch_size = 10, maximum_concurrency = 5 }
"""


MODULE = "modules/pipeline"  # where the generated resources are, inside terraform/


def shop_project(root: Path, spec: str = SHOP) -> Path:
    """A project folder with queues.toml and the marketplace's stub function sources."""
    project = root / "shop"
    shutil.copytree(TOPOLOGIES / "marketplace" / "lambdas", project / "lambdas")
    (project / "queues.toml").write_text(spec, encoding="utf-8")
    return project


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m generator ARGS` in a fresh interpreter, as a user runs it."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def snapshot(directory: Path) -> dict[str, bytes]:
    if not directory.exists():
        return {}
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


case = Families(lambda family, tried, handled: f"safe writes: {family}: {tried} tried, {handled} handled").case
