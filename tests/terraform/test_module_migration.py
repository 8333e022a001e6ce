"""A state applied with the root-only layout of earlier generators (every resource declared in the root) moves
into the module without loss: `generate` over such a tree writes a moved block for every resource into the root's
moved.tf, and an offline plan from that state (root_layout/seed-state.json, captured by applying the old files to
the emulator: root_layout/capture_state.py) destroys nothing — every resource moves, and is left alone or
updated in place. Without moved.tf, the same plan would destroy them all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.pipeline import generate
from tests.conftest import TOPOLOGIES, on_one_worker
from tests.terraform.sts_stub import StsStub
from tests.terraform.tf import Workdir

pytestmark = [pytest.mark.terraform, on_one_worker(__name__)]

ROOT_LAYOUT = Path(__file__).resolve().parent / "root_layout"
# Resources the generator added after the captured state's layout: created, never moved (the alarm topic's
# policy, issue #20 item 4).
NEW_SINCE_THE_ROOT_LAYOUT = ["module.pipeline.aws_sns_topic_policy.alarms", *(  # and each function's live alias
    f"module.pipeline.aws_lambda_alias.{fn}_live" for fn in ("analytics", "downloader", "email", "router", "thumbnail")
)]
# Lambda cannot move a function URL to an alias in place: the router's URL is replaced (a new address; the
# terraform.md guide says so under "Rollback"). Nothing else is replaced or destroyed.
REPLACED_SINCE_THE_ROOT_LAYOUT = ["module.pipeline.aws_lambda_function_url.router: ['delete', 'create']"]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed project as an earlier generator left it (its files in terraform/ itself), then generated again."""
    project = tmp_path_factory.mktemp("migrated") / "project"
    shutil.copytree(TOPOLOGIES / "seed", project)
    shutil.copytree(ROOT_LAYOUT / "seed", project / "terraform")
    generate(project / "queues.toml", project / "terraform")
    return project / "terraform"


def _plan(tree: Path, root: Path) -> dict:
    work = Workdir(tree, root)
    work.init()
    work.write("terraform.tfstate", (ROOT_LAYOUT / "seed-state.json").read_text(encoding="utf-8"))
    with StsStub() as sts:
        work.offline_provider_override(sts.url)
        work.run("plan", "-refresh=false", "-input=false", "-lock=false", "-out=offline.tfplan")
        return json.loads(work.run("show", "-json", "offline.tfplan").stdout)


def test_generate_moves_every_resource_of_the_old_layout_into_the_module(migrated: Path) -> None:
    state = json.loads((ROOT_LAYOUT / "seed-state.json").read_text(encoding="utf-8"))
    applied = {f"{r['type']}.{r['name']}" for r in state["resources"] if r["mode"] == "managed"}
    moved = (migrated / "moved.tf").read_text(encoding="utf-8")
    for address in applied:
        assert f"  from = {address}\n  to   = module.pipeline.{address}\n" in moved, address
    assert sorted(p.name for p in migrated.glob("*.tf")) == [
        "main.tf", "moved.tf", "outputs.tf", "providers.tf", "variables.tf", "versions.tf"]


def test_the_plan_from_the_old_state_destroys_nothing(terraform_bin: str, migrated: Path, tmp_path: Path) -> None:
    plan = _plan(migrated, tmp_path)

    managed = [c for c in plan["resource_changes"] if c["mode"] == "managed"]
    destroyed = [f"{c['address']}: {c['change']['actions']}" for c in managed if "delete" in c["change"]["actions"]]
    assert destroyed == REPLACED_SINCE_THE_ROOT_LAYOUT
    created = [c["address"] for c in managed if c["change"]["actions"] == ["create"]]
    assert sorted(created) == sorted(NEW_SINCE_THE_ROOT_LAYOUT)
    moved = [c for c in managed if c.get("previous_address")]
    assert len(moved) == len(managed) - len(created) > 90  # the replaced URL too: moved, then replaced
    assert all(c["address"] == f"module.pipeline.{c['previous_address']}" for c in moved)


def test_without_the_moved_blocks_the_same_plan_destroys_every_resource(terraform_bin: str, migrated: Path,
                                                                         tmp_path: Path) -> None:
    copy = Workdir(migrated, tmp_path / "copy")
    (copy.dir / "moved.tf").unlink()

    plan = _plan(copy.dir, tmp_path / "plan")

    deleted = [c for c in plan["resource_changes"] if c["mode"] == "managed" and c["change"]["actions"] == ["delete"]]
    assert len(deleted) > 90
