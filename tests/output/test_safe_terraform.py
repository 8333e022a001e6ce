"""moved.tf checked with Terraform itself: a tree with moved blocks is canonically formatted and valid, and an
offline plan from a state that still has the old addresses moves the queues instead of destroying them. The
same plans show, on the hashicorp/aws provider installed here, that a changed name or fifo_queue alone makes
Terraform replace a queue (ForceNew), which is what the generator refuses without --allow-destroy.

The plans run with -refresh=false from a crafted state, so the provider calls no AWS API for the queues."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.pipeline import generate
from tests.conftest import on_one_worker
from tests.output.safe_support import MODULE, shop_project
from tests.output.test_safe_moves import rename_email_key, rename_mailer_key
from tests.terraform.sts_stub import StsStub
from tests.terraform.tf import Workdir

pytestmark = [pytest.mark.terraform, on_one_worker(__name__)]

QUEUES_ONLY = """\
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

[queues.jobs]
visibility_timeout_seconds = 180
max_receive_count = 5
"""
# One plan, three changes: email's key renamed with its AWS names kept; orders renamed in AWS; jobs turned FIFO
# (the state's queue differs from the configuration in that one ForceNew argument only).
CHANGED = (rename_email_key(QUEUES_ONLY)
           .replace("[queues.orders]\n", '[queues.orders]\nname = "orders-v2-queue"\n')
           .replace("[queues.jobs]\n", '[queues.jobs]\nfifo_queue = true\nname = "jobs-queue.fifo"\n'))
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'


def _queue_state(label: str, name: str, fifo: bool = False) -> dict:
    """A queue as the state holds it after an apply (attributes of hashicorp/aws 5.x, schema version 0)."""
    url = f"https://sqs.us-east-1.amazonaws.com/123456789012/{name}"
    attributes = {
        "arn": f"arn:aws:sqs:us-east-1:123456789012:{name}", "content_based_deduplication": False,
        "deduplication_scope": "", "delay_seconds": 0, "fifo_queue": fifo, "fifo_throughput_limit": "", "id": url,
        "kms_data_key_reuse_period_seconds": 300, "kms_master_key_id": "arn:aws:kms:us-east-1:123456789012:key/k",
        "max_message_size": 262144, "message_retention_seconds": 345600, "name": name, "name_prefix": "",
        "policy": "", "receive_wait_time_seconds": 0, "redrive_allow_policy": "", "redrive_policy": "",
        "sqs_managed_sse_enabled": False, "tags": {}, "tags_all": {}, "url": url, "visibility_timeout_seconds": 180,
    }
    return {"module": "module.pipeline", "mode": "managed", "type": "aws_sqs_queue", "name": label,
            "provider": PROVIDER, "instances": [{"schema_version": 0, "attributes": attributes}]}


def _plan(tree: Path, root: Path, queues: list[dict]) -> dict[str, dict]:
    """Queue address (inside the module) → its resource change, planned offline from a state holding `queues`."""
    work = Workdir(tree, root)
    work.init()
    state = {"version": 4, "terraform_version": "1.11.4", "serial": 1,
             "lineage": "00000000-0000-4000-8000-000000000000", "outputs": {}, "resources": queues}
    work.write("terraform.tfstate", json.dumps(state))
    with StsStub() as sts:
        work.offline_provider_override(sts.url)
        work.run("plan", "-refresh=false", "-input=false", "-lock=false", "-out=offline.tfplan")
        plan = json.loads(work.run("show", "-json", "offline.tfplan").stdout)
    return {c["address"].removeprefix("module.pipeline."): c for c in plan["resource_changes"]
            if c["type"] == "aws_sqs_queue"}


@pytest.fixture(scope="module")
def changed_tree(tmp_path_factory) -> Path:
    """The queues-only topology generated, then changed as CHANGED says (allowing the two replacements)."""
    root = tmp_path_factory.mktemp("changed")
    spec = root / "queues.toml"
    spec.write_text(QUEUES_ONLY)
    generate(spec, root / "terraform")
    spec.write_text(CHANGED)
    generate(spec, root / "terraform", allow_destroy={"orders-queue", "jobs-queue", "jobs-dlq"})
    assert (root / "terraform" / MODULE / "moved.tf").exists()
    return root / "terraform"


STATE = [_queue_state("email", "email-queue"), _queue_state("email_dlq", "email-dlq"),
         _queue_state("orders", "orders-queue"), _queue_state("jobs", "jobs-queue.fifo", fifo=False)]


def test_a_tree_with_moved_blocks_is_formatted_and_valid(terraform_bin, tmp_path: Path) -> None:
    project = shop_project(tmp_path)  # with functions: a queue key and a function key renamed at once
    spec = project / "queues.toml"
    generate(spec, project / "terraform")
    spec.write_text(rename_mailer_key(rename_email_key(spec.read_text())))
    generate(spec, project / "terraform")
    assert "aws_lambda_function.postman" in (project / "terraform" / MODULE / "moved.tf").read_text()
    work = Workdir(project / "terraform", tmp_path / "work")

    assert work.run("fmt", "-check", "-diff", check=False).returncode == 0
    work.init()
    report = json.loads(work.run("validate", "-json", check=False).stdout)
    assert report["valid"] and report["warning_count"] == 0, json.dumps(report["diagnostics"], indent=2)


def test_the_plan_moves_renamed_queues_and_replaces_those_whose_name_or_fifo_flag_changes(
        terraform_bin, changed_tree: Path, tmp_path: Path) -> None:
    changes = _plan(changed_tree, tmp_path, STATE)

    for label in ("mail", "mail_dlq"):  # moved, updated in place
        change = changes[f"aws_sqs_queue.{label}"]
        assert change["previous_address"] == f"module.pipeline.aws_sqs_queue.{label.replace('mail', 'email')}"
        assert change["change"]["actions"] == ["update"]
    for address, argument in (("aws_sqs_queue.orders", "name"), ("aws_sqs_queue.jobs", "fifo_queue")):
        change = changes[address]  # what the generator refused without --allow-destroy
        assert change["change"]["actions"] == ["delete", "create"], address
        assert [argument] in change["change"]["replace_paths"]
    assert "aws_sqs_queue.email" not in changes


def test_without_moved_tf_the_same_plan_destroys_the_renamed_queues(terraform_bin, changed_tree: Path,
                                                                    tmp_path: Path) -> None:
    copy = Workdir(changed_tree, tmp_path / "copy")  # a copy of the tree without its moved blocks
    (copy.dir / MODULE / "moved.tf").unlink()

    changes = _plan(copy.dir, tmp_path / "plan", STATE)

    assert changes["aws_sqs_queue.email"]["change"]["actions"] == ["delete"]
    assert changes["aws_sqs_queue.mail"]["change"]["actions"] == ["create"]
