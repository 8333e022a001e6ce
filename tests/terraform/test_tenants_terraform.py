"""The tenants topology planned offline: one function consuming three queues (one mapping and one IAM grant
each), a high-throughput FIFO queue, SQS's shortest retention without an age alarm, a derived age alarm."""

from __future__ import annotations

import pytest

from tests.conftest import on_one_worker
from tests.terraform import topology as checks
from tests.terraform.test_seed_terraform import TENANTS, _config, _created, _statements

pytestmark = [pytest.mark.terraform, on_one_worker(__name__)]


@pytest.fixture(scope="module")
def plan(terraform_bin, tmp_path_factory) -> dict:
    work = TENANTS.workdir(tmp_path_factory.mktemp("tenants"))
    work.init()
    return checks.offline_plan(work)


def test_every_resource_is_planned_with_the_default_tags(plan: dict) -> None:
    assert checks.unplanned_resources(plan) == []
    assert checks.untagged_resources(plan) == []


def test_one_function_gets_one_mapping_per_queue(plan: dict) -> None:
    mappings = _created(plan, "aws_lambda_event_source_mapping")
    assert sorted(mappings) == [f"aws_lambda_event_source_mapping.{label}" for label in
                                ("clicks", "tenant_worker", "tenant_worker_tenant_b", "tenant_worker_tenant_c")]
    sources = {address.split(".")[1]: _config(plan, address)["event_source_arn"]["references"][0]
               for address in mappings}
    assert sources == {"clicks": "aws_sqs_queue.clicks.arn", "tenant_worker": "aws_sqs_queue.tenant_a.arn",
                       "tenant_worker_tenant_b": "aws_sqs_queue.tenant_b.arn",
                       "tenant_worker_tenant_c": "aws_sqs_queue.tenant_c.arn"}
    for label in ("tenant_worker", "tenant_worker_tenant_b", "tenant_worker_tenant_c"):
        function = _config(plan, f"aws_lambda_event_source_mapping.{label}")["function_name"]
        assert function["references"][0] == "aws_lambda_alias.tenant_worker_live.arn"  # the function's live alias
    b = mappings["aws_lambda_event_source_mapping.tenant_worker_tenant_b"]["after"]
    assert (b["batch_size"], b["maximum_batching_window_in_seconds"]) == (50, 5)
    c = mappings["aws_lambda_event_source_mapping.tenant_worker_tenant_c"]["after"]
    assert c["filter_criteria"][0]["filter"][0]["pattern"] == '{"body":{"kind":["job"]}}'


def test_the_role_may_receive_from_exactly_its_three_queues(plan: dict) -> None:
    actions, refs = _statements(plan, "tenant_worker")["ConsumeTriggerQueues"]
    assert actions == ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    assert sorted(r for r in refs if r.endswith(".arn")) == [
        "aws_sqs_queue.tenant_a.arn", "aws_sqs_queue.tenant_b.arn", "aws_sqs_queue.tenant_c.arn"]


def test_the_high_throughput_fifo_queue(plan: dict) -> None:
    queues = {v["after"]["name"]: v["after"] for v in _created(plan, "aws_sqs_queue").values()}
    high = queues["tenant-c-queue.fifo"]
    assert (high["fifo_queue"], high["deduplication_scope"], high["fifo_throughput_limit"]) == (
        True, "messageGroup", "perMessageGroupId")
    assert high["content_based_deduplication"] is True


def test_age_alarms_follow_short_retentions(plan: dict) -> None:
    alarms = {v["after"]["alarm_name"]: v["after"] for v in _created(plan, "aws_cloudwatch_metric_alarm").values()}
    queues = {v["after"]["name"]: v["after"] for v in _created(plan, "aws_sqs_queue").values()}
    assert queues["clicks-queue"]["message_retention_seconds"] == 60
    assert "clicks-queue-oldest-message-age" not in alarms  # turned off
    assert "clicks-dlq-alarm" in alarms  # dead letters still alarm
    assert alarms["tenant-c-queue-oldest-message-age"]["threshold"] == 900  # half of its 1800 s retention
    assert alarms["tenant-a-queue-oldest-message-age"]["threshold"] == 3600
