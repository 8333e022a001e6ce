"""A topology under test: its queues.toml and the Terraform directory generated from it, and the checks that
hold for ANY valid topology (the user's own queues.toml gets only these; the fixed seed copy and the
marketplace topology get exact checks too)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from generator import tfcli
from generator.pipeline import SCAFFOLD_FILES, generate, module_dir_of, render_tree
from tests.terraform.sts_stub import StsStub
from tests.terraform.tf import Workdir


@dataclass(frozen=True)
class Topology:
    spec: Path
    out_dir: Path

    @property
    def build_dir(self) -> Path:
        return self.spec.parent / "build"

    def owned_files(self) -> list[str]:
        """The files of out_dir the generator owns: what it generates and the scaffold files it created.
        (Packages the zips as a side effect, so the work dir finds them.)"""
        rendering = render_tree(self.spec, self.out_dir)
        return sorted({path.relative_to(self.out_dir).as_posix() for path in [*rendering.files, *rendering.kept]})

    def workdir(self, root: Path) -> Workdir:
        owned = self.owned_files()
        work = Workdir(self.out_dir, root, files=owned, build_dir=self.build_dir)
        # fmt looks at what the generator writes on every run, not at the scaffold files, which are the user's
        work.generated = [name for name in owned if name not in SCAFFOLD_FILES]
        return work


def drift(topology: Topology) -> list[str]:
    """What `generate --check` would report: files that differ from what the spec produces."""
    result = generate(topology.spec, topology.out_dir, check_only=True)
    return [f"{status} {path.name}" for status, path in result.drift]


def fmt_problems(work: Workdir) -> str:
    """What `terraform fmt` would change in the generated files (how a user formats theirs is up to them)."""
    result = work.run("fmt", "-check", "-diff", *(work.generated or ["-recursive"]), check=False)
    return "" if result.returncode == 0 else result.stdout


def validate_report(work: Workdir) -> dict:
    """`terraform validate -json` of an initialised work dir."""
    return json.loads(work.run("validate", "-json", check=False).stdout)


def offline_plan(work: Workdir, *args: str) -> dict:
    """The plan JSON of an offline plan (an initialised work dir, fake credentials, STS stubbed)."""
    with StsStub() as sts:
        work.offline_provider_override(sts.url)
        return work.plan_json(*args)


MODULE = "module.pipeline."  # the generated module's resources, as the root's plan names them


def configured_resources(plan: dict) -> dict[str, dict]:
    """Address (from the root: module.pipeline.…) → configuration of every resource, the modules' included."""
    found: dict[str, dict] = {}

    def walk(module: dict, prefix: str) -> None:
        for resource in module.get("resources", []):
            found[prefix + resource["address"]] = resource
        for name, call in module.get("module_calls", {}).items():
            walk(call["module"], f"{prefix}module.{name}.")

    walk(plan["configuration"]["root_module"], "")
    return found


def in_module(address: str) -> str:
    """A resource's address inside the generated module (as its own configuration refers to it)."""
    return address.removeprefix(MODULE)


def unplanned_resources(plan: dict) -> list[str]:
    """Resources of the configuration the plan does not create (a plan from empty state creates them all;
    one with `count` or `for_each` may have no instance: a shared SES identity in a second environment)."""
    configured = {address for address, r in configured_resources(plan).items()
                  if r["mode"] == "managed" and "count_expression" not in r and "for_each_expression" not in r}
    created = {change["address"].split("[")[0] for change in plan["resource_changes"]
               if change["mode"] == "managed" and change["change"]["actions"] == ["create"]}
    others = [f"{c['address']}: {c['change']['actions']}" for c in plan["resource_changes"]
              if c["mode"] == "managed" and c["change"]["actions"] != ["create"]]
    return sorted(configured - created) + others


def untagged_resources(plan: dict) -> list[str]:
    """Planned resources that support tags but do not carry every default tag (provider default_tags)."""
    expected = plan["variables"]["tags"]["value"]
    missing = []
    for change in plan["resource_changes"]:
        after = change["change"]["after"] or {}
        if change["mode"] != "managed" or "tags_all" not in after:
            continue
        tags = after["tags_all"] or {}
        if any(tags.get(key) != value for key, value in expected.items()):
            missing.append(f"{change['address']}: {tags}")
    return missing


@dataclass(frozen=True)
class ModuleTest:
    """What `terraform test` reported for the generated module (its contract.tftest.hcl)."""

    status: str  # pass | fail | error
    passed: int  # run blocks
    failed: int
    failed_assertions: list[str]  # the error messages of the assertions that failed
    errors: list[str]  # any other error (a test that cannot even run)


def module_test(work: Workdir) -> ModuleTest:
    """`terraform init` and `terraform test` in the work dir's generated module, as a user runs them there: the
    provider mocked, no credentials (the work dir's environment has none)."""
    module = module_dir_of(work.dir)
    init = tfcli.run(["init", "-backend=false", "-input=false", "-no-color"], cwd=module, env=work.env)
    assert init.returncode == 0, init.stdout[-3000:] + init.stderr[-3000:]
    result = tfcli.run(["test", "-json", "-no-color"], cwd=module, env=work.env)
    summary: dict = {"status": "error", "passed": 0, "failed": 0}
    assertions, errors = [], []
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message.get("type") == "test_summary":
            summary = message["test_summary"]
        elif message.get("type") == "diagnostic" and message["diagnostic"]["severity"] == "error":
            diagnostic = message["diagnostic"]
            if diagnostic["summary"] == "Test assertion failed":
                assertions.append(diagnostic["detail"])
            else:
                errors.append(f"{diagnostic['summary']}: {diagnostic.get('detail', '')}")
    if result.stderr.strip():
        errors.append(result.stderr.strip())
    return ModuleTest(summary["status"], summary["passed"], summary["failed"], assertions, errors)


def checkov_report(checkov_bin: str, directory: Path) -> dict:
    env = dict(os.environ, CKV_SKIP_PACKAGE_UPDATE_CHECK="true", BC_SKIP_MAPPING="TRUE", LOG_LEVEL="WARNING")
    result = subprocess.run(
        [checkov_bin, "-d", str(directory), "--framework", "terraform", "--skip-download",
         "--output", "json"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


def checkov_summary(name: str, report: dict) -> str:
    summary = report["summary"]
    skipped = report["results"]["skipped_checks"]
    by_check: dict[str, int] = {}
    for check in skipped:
        by_check[check["check_id"]] = by_check.get(check["check_id"], 0) + 1
    counts = ", ".join(f"{k}×{v}" for k, v in sorted(by_check.items()))
    return (f"checkov {name}: {summary['passed']} passed, {summary['failed']} failed, "
            f"{len(skipped)} suppressed in blocks ({counts})")


def failed_checks(report: dict) -> list[str]:
    return [f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in report["results"]["failed_checks"]]
