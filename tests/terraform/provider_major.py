"""One major of hashicorp/aws against the seed golden: `terraform init -upgrade` with the provider held to that major,
then `validate` (no errors, no warnings: a deprecation fails too), an offline plan that creates every resource, and
the module's generated `terraform test`. CI runs it for `~> 5.100` and `~> 6.0` (.github/workflows/ci.yml, job
provider-majors); here only 5.100.0 is installed, so `make test` runs it for `~> 5.100` only
(tests/terraform/test_provider_majors.py).

    python -m tests.terraform.provider_major "~> 6.0"    # exit 0 when every check passes

It needs only the generator's virtualenv (make .venv/.generator) and terraform; the registry (or, on a machine
without one, the provider mirror) provides the provider.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

from generator import tfcli
from generator.pipeline import module_dir_of
from tests.terraform import topology as checks
from tests.terraform.tf import Workdir
from tests.terraform.topology import Topology

ROOT = Path(__file__).resolve().parents[2]
SEED = Topology(ROOT / "tests" / "topologies" / "seed" / "queues.toml", ROOT / "tests" / "golden" / "seed")
OVERRIDE = "versions_override.tf"  # Terraform merges *_override.tf over versions.tf: this major, within its range


def major_of(constraint: str) -> int:
    """`~> 6.0` → 6, `~> 5.100` → 5."""
    match = re.fullmatch(r"~>\s*(\d+)\.\d+(?:\.\d+)?", constraint.strip())
    if match is None:
        raise ValueError(f"expected a pessimistic constraint on one major (~> 6.0), not {constraint!r}")
    return int(match.group(1))


def override(constraint: str) -> str:
    return f"""terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{constraint}"
    }}
  }}
}}
"""


def selected_version(work: Workdir, directory: Path) -> str:
    shown = json.loads(tfcli.run(["version", "-json"], cwd=directory, env=work.env).stdout)
    return str(shown["provider_selections"]["registry.terraform.io/hashicorp/aws"])


def check(constraint: str, root: Path, report=print) -> list[str]:
    """Every problem found with this major, as lines (none: it passed)."""
    major = major_of(constraint)
    work = SEED.workdir(root)
    module = module_dir_of(work.dir)
    for directory in (work.dir, module):  # the root plans it, the module tests it: both held to this major
        (directory / OVERRIDE).write_text(override(constraint), encoding="utf-8")
    problems: list[str] = []

    init = work.run("init", "-upgrade", "-backend=false", "-input=false", check=False)
    if init.returncode != 0:  # e.g. a provider mirror without this major
        return [f"terraform init found no hashicorp/aws {constraint}:\n{init.stderr.strip()[-2000:]}"]
    version = selected_version(work, work.dir)
    report(f"hashicorp/aws {version} ({constraint})")
    if not version.startswith(f"{major}."):
        return [f"terraform chose hashicorp/aws {version} for {constraint}"]

    validated = checks.validate_report(work)
    report(f"validate: valid={validated['valid']}, {validated['error_count']} errors, "
           f"{validated['warning_count']} warnings")
    problems += [f"validate: {d['severity']}: {d['summary']}: {d.get('detail', '')}"
                 for d in validated["diagnostics"]]

    plan = checks.offline_plan(work)
    unplanned = checks.unplanned_resources(plan)
    report(f"offline plan: {len(plan['resource_changes'])} resource changes, {len(unplanned)} not created")
    problems += [f"plan: not created: {address}" for address in unplanned]

    tested = checks.module_test(work)
    report(f"terraform test: {tested.status}, {tested.passed} passed, {tested.failed} failed")
    problems += [f"terraform test: {message}" for message in tested.failed_assertions + tested.errors]
    if tested.status != "pass":
        problems.append(f"terraform test: {tested.status}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="provider-major-") as scratch:
        problems = check(argv[0], Path(scratch))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
