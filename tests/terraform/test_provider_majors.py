"""The check CI runs on each major of hashicorp/aws (tests/terraform/provider_major.py, job provider-majors): here,
on the major installed (5.100.0 from the provider mirror, or the newest 5.x from the registry), it passes; 6.x is
run by CI only (docs/guide/terraform.md, "Provider versions", says what was checked on paper)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.terraform.provider_major import check, major_of

pytestmark = pytest.mark.terraform


def test_the_majors_are_read_from_pessimistic_constraints() -> None:
    assert (major_of("~> 5.100"), major_of("~> 6.0"), major_of("~>6.2.1")) == (5, 6, 6)
    with pytest.raises(ValueError):
        major_of(">= 6.0")  # open-ended: could pick any later major


def test_the_ci_check_passes_on_provider_5(terraform_bin, tmp_path: Path) -> None:
    lines: list[str] = []
    assert check("~> 5.100", tmp_path, report=lines.append) == []
    assert lines[0].startswith("hashicorp/aws 5.")
    validate, plan, tested = lines[1:]
    assert validate == "validate: valid=True, 0 errors, 0 warnings"
    assert plan.startswith("offline plan: ") and plan.endswith(", 0 not created")
    assert tested == "terraform test: pass, 3 passed, 0 failed"
