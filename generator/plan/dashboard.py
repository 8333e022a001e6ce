"""The CloudWatch dashboard: the week-1 plan's five metrics for every queue and its DLQ, and the functions'
Errors, Throttles and Duration. Python lays out every widget; the template prints the body in jsonencode(...).

Metrics name their queue and function through the resources (`aws_sqs_queue.<label>.name`), so the names
carry the environment prefix and the dashboard is created after what it shows.
"""

from __future__ import annotations

from typing import Any

from generator.plan.hcl_layout import Ref, lines
from generator.plan.model import DashboardPlan, FunctionPlan, QueuePlan

# The week-1 plan's "CloudWatch Metrics to Watch", in its order, with the statistic that reads right for each.
SEED_METRICS = (
    ("NumberOfMessagesSent", "Sum"),
    ("NumberOfMessagesReceived", "Sum"),
    ("ApproximateAgeOfOldestMessage", "Maximum"),
    ("NumberOfMessagesDeleted", "Sum"),
    ("ApproximateNumberOfMessagesVisible", "Maximum"),
)
FUNCTION_METRICS = (("Errors", "Sum"), ("Throttles", "Sum"), ("Duration", "Average"))
PERIOD = 300
GRID, HEIGHT = 24, 6  # CloudWatch's grid is 24 units wide: a queue and its DLQ side by side, then the functions


def _metric(namespace: str, metric: str, dimension: str, value: str, stat: str, **options: str) -> list[Any]:
    return [namespace, metric, dimension, Ref(value), {"stat": stat, **options}]


def _graph(title: str, metrics: list[list[Any]], x: int, y: int, width: int) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": width,
        "height": HEIGHT,
        "properties": {
            "title": title,
            "view": "timeSeries",
            "stacked": False,
            "region": Ref("local.region"),
            "period": PERIOD,
            "metrics": metrics,
        },
    }


def _queue_metrics(label: str, name: str) -> list[list[Any]]:
    return [_metric("AWS/SQS", metric, "QueueName", f"aws_sqs_queue.{label}.name", stat,
                    **({"yAxis": "right"} if metric == "ApproximateAgeOfOldestMessage" else {}))
            for metric, stat in SEED_METRICS]


def dashboard_plan(project: str, source: str, queues: tuple[QueuePlan, ...],
                   functions: tuple[FunctionPlan, ...]) -> DashboardPlan:
    intro = (f"# {project}\nGenerated from {source}: every queue and its dead-letter queue (messages sent, "
             "received, deleted, visible; age of the oldest on the right axis), then the functions. What to do "
             "when an alarm fires: docs/runbook.md.")
    rows: list[list[tuple[str, list[list[Any]]]]] = [
        [(f"{queue.name} ({queue.key})", _queue_metrics(queue.label, queue.name)),
         (f"{queue.dlq_name} (dead letters of {queue.key})", _queue_metrics(queue.dlq_label, queue.dlq_name))]
        for queue in queues
    ]
    if functions:
        rows.append([(f"Lambda {metric} ({stat.lower()})",
                      [_metric("AWS/Lambda", metric, "FunctionName", f"aws_lambda_function.{fn.label}.function_name",
                               stat, label=fn.name) for fn in functions])
                     for metric, stat in FUNCTION_METRICS])
    widgets: list[dict[str, Any]] = [
        {"type": "text", "x": 0, "y": 0, "width": GRID, "height": 2, "properties": {"markdown": intro}},
    ]
    for number, row in enumerate(rows):
        width = GRID // len(row)
        widgets += [_graph(title, metrics, column * width, 2 + number * HEIGHT, width)
                    for column, (title, metrics) in enumerate(row)]
    metric_count = sum(len(metrics) for row in rows for _, metrics in row)
    return DashboardPlan("pipeline", project, tuple(lines({"widgets": widgets})), metric_count)
