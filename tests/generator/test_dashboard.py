"""The CloudWatch dashboard: the week-1 plan's five metrics for every queue and every dead-letter queue, and
each function's Errors, Throttles and Duration, named through the resources (so in every environment the
dashboard shows that environment's queues); the body laid out as `terraform fmt` leaves it."""

from __future__ import annotations

import pytest

from generator.plan.dashboard import FUNCTION_METRICS, SEED_METRICS
from generator.plan.hcl_layout import Ref, lines
from generator.plan.without_code import plan_without_code
from generator.render import render
from generator.spec.load import load_spec
from tests.conftest import TOPOLOGIES


@pytest.mark.parametrize("case", ["seed", "marketplace", "tenants"])
def test_every_queue_dlq_and_function_has_its_metrics(case: str) -> None:
    spec = load_spec(TOPOLOGIES / case / "queues.toml").spec
    plan = plan_without_code(spec, "queues.toml")
    body = render(plan)["dashboard.tf"]
    for queue in plan.queues:
        for label in (queue.label, queue.dlq_label):
            for metric, stat in SEED_METRICS:
                assert f'["AWS/SQS", "{metric}", "QueueName", aws_sqs_queue.{label}.name, {{ stat = "{stat}"' in body
    for fn in plan.functions:
        for metric, stat in FUNCTION_METRICS:
            assert (f'["AWS/Lambda", "{metric}", "FunctionName", aws_lambda_function.{fn.label}.function_name, '
                    f'{{ stat = "{stat}", label = "{fn.name}" }}]') in body
    assert plan.dashboard.metric_count == 10 * len(plan.queues) + 3 * len(plan.functions)
    assert 'dashboard_name = "${local.name_prefix}' + spec.project.name + '"' in body


def test_the_layout_is_what_terraform_fmt_writes() -> None:
    value = {"widgets": [{"type": "metric", "x": 0, "properties": {
        "title": "t", "metrics": [["AWS/SQS", "A", "QueueName", Ref("aws_sqs_queue.a.name"), {"stat": "Sum"}]],
        "region": Ref("local.region"), "stacked": False}}]}
    assert "\n".join(lines(value)) == """{
  widgets = [
    {
      type = "metric"
      x    = 0
      properties = {
        title = "t"
        metrics = [
          ["AWS/SQS", "A", "QueueName", aws_sqs_queue.a.name, { stat = "Sum" }],
        ]
        region  = local.region
        stacked = false
      }
    },
  ]
}"""
