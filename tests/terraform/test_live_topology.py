"""The repository's own queues.toml is the user's: whatever topology it holds (queues added, triggers
disabled, FIFO conversions, another region, a backend.tf or tfvars beside the generated files), these checks
must pass. None of them names a queue: exact values are checked on the fixed seed copy
(test_seed_terraform.py)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, SUMMARY, on_one_worker
from tests.terraform import topology as checks
from tests.terraform.topology import Topology

pytestmark = [pytest.mark.terraform, on_one_worker(__name__)]

LIVE = Topology(ROOT / "queues.toml", ROOT / "terraform")


@pytest.fixture(scope="module")
def live_workdir(terraform_bin, tmp_path_factory):
    work = LIVE.workdir(tmp_path_factory.mktemp("live"))
    work.init()
    return work


@pytest.fixture(scope="module")
def live_plan(live_workdir) -> dict:
    return checks.offline_plan(live_workdir)


def test_committed_terraform_is_what_queues_toml_produces() -> None:
    assert checks.drift(LIVE) == [], "terraform/ is out of date with queues.toml: run `make generate` and commit"


def test_generated_files_are_canonically_formatted(live_workdir) -> None:
    assert checks.fmt_problems(live_workdir) == ""


def test_configuration_is_valid(live_workdir) -> None:
    report = checks.validate_report(live_workdir)
    assert report["valid"], json.dumps(report["diagnostics"], indent=2)
    assert report["warning_count"] == 0, json.dumps(report["diagnostics"], indent=2)


def test_offline_plan_creates_every_resource(live_plan: dict) -> None:
    assert live_plan["errored"] is False
    assert checks.unplanned_resources(live_plan) == []


def test_every_taggable_resource_gets_the_default_tags(live_plan: dict) -> None:
    assert checks.untagged_resources(live_plan) == []


def test_checkov_finds_nothing_to_fail(checkov_bin, tmp_path) -> None:
    report = checks.checkov_report(checkov_bin, LIVE.workdir(tmp_path).dir)
    assert checks.failed_checks(report) == []
    assert report["summary"]["passed"] > 0
    SUMMARY.append(checks.checkov_summary("live queues.toml", report))
