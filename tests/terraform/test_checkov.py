"""checkov (offline) finds nothing to fail in the generated Terraform; every suppression sits inside its
block, comes from the generator's one table, and is counted in the run's summary."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from generator.plan.skips import SUPPRESSIONS
from tests.conftest import GOLDEN, SUMMARY, TERRAFORM_DIR

DIRECTORIES = {"seed": TERRAFORM_DIR, "marketplace": GOLDEN / "marketplace"}


def _checkov(checkov_bin: str, directory: Path) -> dict:
    env = dict(os.environ, CKV_SKIP_PACKAGE_UPDATE_CHECK="true", BC_SKIP_MAPPING="TRUE", LOG_LEVEL="WARNING")
    result = subprocess.run(
        [checkov_bin, "-d", str(directory), "--framework", "terraform", "--skip-download",
         "--output", "json"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


@pytest.mark.parametrize("case", sorted(DIRECTORIES))
def test_checkov_reports_no_failed_checks(checkov_bin: str, case: str) -> None:
    report = _checkov(checkov_bin, DIRECTORIES[case])
    failed = report["results"]["failed_checks"]
    assert not failed, "\n".join(f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in failed)
    summary = report["summary"]
    assert summary["passed"] > 0
    skipped = report["results"]["skipped_checks"]
    by_check: dict[str, int] = {}
    for check in skipped:
        by_check[check["check_id"]] = by_check.get(check["check_id"], 0) + 1
    counts = ", ".join(f"{k}×{v}" for k, v in sorted(by_check.items()))
    SUMMARY.append(f"checkov {case}: {summary['passed']} passed, {summary['failed']} failed, "
                   f"{len(skipped)} suppressed in blocks ({counts})")


def test_every_suppression_comes_from_the_generator_table_and_has_a_reason() -> None:
    allowed = {key.split(".")[0] for key in SUPPRESSIONS}
    pattern = re.compile(r"^  #checkov:skip=(?P<id>CKV2?_AWS_\d+):(?P<reason>.+)$")
    found = 0
    for path in sorted(TERRAFORM_DIR.glob("*.tf")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "checkov:skip" in line:
                match = pattern.match(line)
                assert match, f"{path.name}: malformed or misplaced suppression: {line!r}"
                assert match["id"] in allowed
                assert len(match["reason"].split()) >= 6, f"reason too thin: {line!r}"
                found += 1
    assert found > 0
