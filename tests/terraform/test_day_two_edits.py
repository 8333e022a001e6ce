"""Day two, on a copy of the repository's own project: each edit a user makes (a queue and its consumer, the
rollback switch of docs/guide/operations.md, a FIFO conversion, another region in terraform.tfvars, a backend.tf,
more tags), then `generate`, then the checks every topology gets (drift, fmt, validate, an offline plan creating
every resource with the default tags, checkov 0 failed). The user's own files survive the generate untouched."""

from __future__ import annotations

import json
import shutil

import pytest

from generator.pipeline import generate
from generator.problems import GeneratorError
from tests.conftest import ROOT, SUMMARY, on_one_worker
from tests.terraform import topology as checks
from tests.terraform.day_two import EDITS, copy_project
from tests.terraform.topology import Topology

pytestmark = [pytest.mark.terraform, pytest.mark.slow, on_one_worker(__name__)]

SPEC_EDITS = {"add-a-queue-and-consumer", "disable-a-trigger", "convert-a-queue-to-fifo"}
USER_FILES = ("backend.tf", "terraform.tfvars")
# Edits that only add files of the user's: the tests' work dir leaves those out, so it is the unedited
# project's exactly, which test_live_topology.py plans already (checked here, then not planned again).
USER_FILE_EDITS = {"change-the-region-in-tfvars", "add-a-backend"}


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> dict[str, tuple[Topology, list[str], dict[str, bytes]]]:
    """edit → (the edited project, what generate changed, the user's files before generate)."""
    root = tmp_path_factory.mktemp("day-two")
    projects = {}
    for name, edit in EDITS.items():
        project = copy_project(ROOT, root / name)
        replaced = edit(project) or []
        topology = Topology(project / "queues.toml", project / "terraform")
        mine = {f: (topology.out_dir / f).read_bytes() for f in USER_FILES if (topology.out_dir / f).exists()}
        if replaced:  # a queue is replaced (its messages lost): generate refuses until the user names it
            with pytest.raises(GeneratorError) as refused:
                generate(topology.spec, topology.out_dir)
            assert all(f"{queue} would be" in str(refused.value) for queue in replaced), str(refused.value)
        try:
            result = generate(topology.spec, topology.out_dir, allow_destroy=set(replaced))
        except GeneratorError as exc:
            pytest.fail(f"{name}: generate refused the edited queues.toml:\n{exc}")
        changed = [f"{status} {path.name}" for status, path in result.files if status in ("created", "updated")]
        projects[name] = (topology, changed, mine)
    return projects


@pytest.mark.parametrize("name", sorted(EDITS))
def test_generate_applies_the_edit_and_leaves_the_users_files_alone(edited, name: str) -> None:
    topology, changed, mine = edited[name]
    if name in SPEC_EDITS:
        assert changed, f"{name}: the edit changed nothing generate writes"
    for file, content in mine.items():
        assert (topology.out_dir / file).read_bytes() == content, f"generate changed the user's {file}"
    assert checks.drift(topology) == []


@pytest.mark.parametrize("name", sorted(USER_FILE_EDITS))
def test_the_users_own_files_stay_out_of_the_tests_work_dir(edited, name: str, tmp_path) -> None:
    topology, _, mine = edited[name]
    assert mine, f"{name} added no file of the user's"
    work = topology.workdir(tmp_path / "edited")
    unedited = Topology(ROOT / "queues.toml", ROOT / "terraform").workdir(tmp_path / "unedited")
    assert not any((work.dir / file).exists() for file in mine)
    assert _files(work.dir) == _files(unedited.dir)


def _files(directory) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file()}


@pytest.mark.parametrize("name", sorted(set(EDITS) - USER_FILE_EDITS))
def test_terraform_accepts_and_plans_the_edited_project(edited, name: str, tmp_path, terraform_bin) -> None:
    topology, _, _ = edited[name]
    work = topology.workdir(tmp_path)
    work.init()
    assert checks.fmt_problems(work) == ""
    report = checks.validate_report(work)
    assert report["valid"] and report["warning_count"] == 0, json.dumps(report["diagnostics"], indent=2)
    plan = checks.offline_plan(work)
    assert plan["errored"] is False
    assert checks.unplanned_resources(plan) == []
    assert checks.untagged_resources(plan) == []
    if name == "add-tags":
        assert plan["variables"]["tags"]["value"]["team"] == "video"


def test_checkov_finds_nothing_to_fail_in_any_edited_project(edited, checkov_bin, tmp_path) -> None:
    # one scan over every project (checkov's start-up is most of its time), each in a folder of its own
    scan = tmp_path / "scan"
    scan.mkdir()
    for name, (topology, _, _) in edited.items():
        shutil.move(topology.workdir(tmp_path / "work" / name).dir, scan / name)
    report = checks.checkov_report(checkov_bin, scan)
    assert checks.failed_checks(report) == []
    assert report["summary"]["passed"] > 0
    SUMMARY.append(checks.checkov_summary(f"day-two edits ({len(edited)} projects)", report))
