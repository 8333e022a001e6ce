"""checkov (offline) finds nothing to fail in the generated Terraform of the fixed topologies (the user's own
terraform/ is scanned by test_live_topology.py); every suppression sits inside its block, comes from the
generator's one table, and is counted in the run's summary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.pipeline import GENERATED_MARKER
from generator.plan.skips import SUPPRESSIONS
from tests.conftest import ROOT, SUMMARY
from tests.terraform import topology as checks
from tests.terraform.test_seed_terraform import GOLDENS

_checkov = checks.checkov_report  # tests/package/test_generate.py scans its own tree with it

# The fixed topologies' figures are exact: passed checks, and suppressions per check. A change here is a
# change of what the generator emits; update the figures deliberately.
EXPECTED = {
    # code signing on, reserved concurrency on every function: no CKV_AWS_272, no CKV_AWS_115; the signed zips
    # bring the artifacts bucket (its 3 suppressions beside the media bucket's)
    "seed": (267, {"CKV2_AWS_62": 2, "CKV_AWS_109": 1, "CKV_AWS_111": 1, "CKV_AWS_116": 5, "CKV_AWS_117": 5,
                   "CKV_AWS_144": 2, "CKV_AWS_18": 2, "CKV_AWS_356": 1}),
    "marketplace": (433, {"CKV_AWS_109": 1, "CKV_AWS_111": 1, "CKV_AWS_115": 11, "CKV_AWS_116": 12,
                          "CKV_AWS_117": 12, "CKV_AWS_272": 12, "CKV_AWS_356": 1}),
    "tenants": (114, {"CKV_AWS_109": 1, "CKV_AWS_111": 1, "CKV_AWS_115": 1, "CKV_AWS_116": 2, "CKV_AWS_117": 2,
                      "CKV_AWS_272": 2, "CKV_AWS_356": 1}),
}


@pytest.mark.parametrize("case", sorted(GOLDENS))
def test_checkov_reports_no_failed_checks(checkov_bin: str, case: str, tmp_path: Path) -> None:
    report = checks.checkov_report(checkov_bin, GOLDENS[case].workdir(tmp_path).dir)
    SUMMARY.append(checks.checkov_summary(f"{case} (golden)", report))
    assert checks.failed_checks(report) == []
    suppressed: dict[str, int] = {}
    for check in report["results"]["skipped_checks"]:
        suppressed[check["check_id"]] = suppressed.get(check["check_id"], 0) + 1
    assert (report["summary"]["passed"], suppressed) == EXPECTED[case]


def _generated_files() -> list[Path]:
    directories = [ROOT / "terraform", *(topology.out_dir for topology in GOLDENS.values())]
    return [path for directory in directories
            for path in sorted([*directory.glob("*.tf"), *directory.glob("modules/*/*.tf")])
            if path.read_text(encoding="utf-8").startswith(GENERATED_MARKER)]


def test_every_suppression_comes_from_the_generator_table_and_has_a_reason() -> None:
    allowed = {key.split(".")[0] for key in SUPPRESSIONS}
    pattern = re.compile(r"^  #checkov:skip=(?P<id>CKV2?_AWS_\d+):(?P<reason>.+)$")
    found = 0
    for path in _generated_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "checkov:skip" in line:
                match = pattern.match(line)
                assert match, f"{path.name}: malformed or misplaced suppression: {line!r}"
                assert match["id"] in allowed
                assert len(match["reason"].split()) >= 6, f"reason too thin: {line!r}"
                found += 1
    assert found > 0
