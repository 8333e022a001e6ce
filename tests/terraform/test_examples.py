"""examples/for-each/: a root of a user's own that instantiates the generated module for_each over two environments
and once more through an aliased provider in another region. It validates offline against this repository's
module, and plans against the session's local stack (tests/local/stack.py): three instances, every resource of
each created, none colliding with the stack's own default environment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator import tfcli
from generator.local.apply import SERVICES
from generator.local.state import EmulatorRecord, LocalState
from tests.conftest import ROOT
from tests.local.stack import GROUP, Stack
from tests.terraform.tf import Workdir

EXAMPLE = Path("examples") / "for-each"
INSTANCES = ('module.pipeline["prod"]', 'module.pipeline["staging"]', "module.pipeline_disaster_recovery")


def _example_tree(project: Path, destination: Path) -> Path:
    """The example with the module it calls, at the same relative places (and the zips the module finds)."""
    shutil.copytree(project / EXAMPLE, destination / EXAMPLE,
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
    shutil.copytree(project / "terraform" / "modules", destination / "terraform" / "modules")
    (destination / "build").symlink_to((project / "build").resolve(), target_is_directory=True)
    return destination / EXAMPLE


@pytest.mark.terraform
def test_the_example_validates_against_this_repositorys_module(terraform_bin: str, tmp_path: Path) -> None:
    example = _example_tree(ROOT, tmp_path)
    env = Workdir(example, tmp_path / "cli").env
    assert tfcli.run(["init", "-backend=false", "-input=false", "-no-color"], cwd=example, env=env).returncode == 0
    report = json.loads(tfcli.run(["validate", "-json", "-no-color"], cwd=example, env=env).stdout)
    assert report["valid"] and report["warning_count"] == 0, json.dumps(report["diagnostics"], indent=2)
    assert tfcli.run(["fmt", "-check", "-diff", "-no-color"], cwd=example, env=env).returncode == 0


def _emulator_override(endpoint: str) -> str:
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    settings = f"""  access_key                  = "local"
  secret_key                  = "local"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {{
{endpoints}
  }}
"""
    return (f'provider "aws" {{\n{settings}}}\n\nprovider "aws" {{\n  alias = "disaster_recovery"\n{settings}}}\n')


@pytest.mark.slow
@pytest.mark.terraform
@GROUP
def test_the_example_plans_three_instances_against_the_local_emulator(local_stack: Stack, tmp_path: Path) -> None:
    example = _example_tree(local_stack.project, tmp_path)
    emulator = EmulatorRecord.read(LocalState(local_stack.project))
    assert emulator is not None
    (example / "zz_emulator_override.tf").write_text(_emulator_override(emulator.endpoint), encoding="utf-8")
    env = Workdir(example, tmp_path / "cli").env
    env.update(AWS_REGION="us-east-1")
    assert tfcli.run(["init", "-input=false", "-no-color"], cwd=example, env=env).returncode == 0

    result = tfcli.run(["plan", "-input=false", "-out=example.tfplan", "-no-color"], cwd=example, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    plan = json.loads(tfcli.run(["show", "-json", "example.tfplan"], cwd=example, env=env).stdout)

    managed = [c for c in plan["resource_changes"] if c["mode"] == "managed"]
    assert {c["change"]["actions"][0] for c in managed} == {"create"}
    per_instance = {instance: [c for c in managed if c["address"].startswith(instance + ".")]
                    for instance in INSTANCES}
    counts = {instance: len(changes) for instance, changes in per_instance.items()}
    assert counts['module.pipeline["prod"]'] == counts["module.pipeline_disaster_recovery"] > 50, counts
    # staging sends from the sender identity prod manages in this account and region
    assert counts['module.pipeline["staging"]'] == counts['module.pipeline["prod"]'] - 1, counts
    names = [c["change"]["after"].get("name") for c in managed if c["type"] == "aws_sqs_queue"]
    assert len(names) == len(set(names)) and all(n.startswith(("staging-", "prod-", "dr-")) for n in names)
