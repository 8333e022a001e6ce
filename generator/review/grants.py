"""Each role's grants as (action, resource, condition): as the plan writes them (HCL references, which stay the
same when only an AWS name changes, and which moved blocks translate when a key is renamed), and in the words
a reviewer reads (the AWS names the references stand for)."""

from __future__ import annotations

import re

from generator.plan.model import Plan, Statement

Grant = tuple[str, str, str]  # action, resource, condition ("" when none)

_REFERENCE = re.compile(r"\$\{([^}]+)\}|\b((?:aws_[a-z0-9_]+|local)\.[A-Za-z0-9_]+(?:\.[a-z_]+)?)")
_ADDRESS = re.compile(r"\b(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)(?=\.)")


def _names(plan: Plan) -> dict[str, str]:
    """HCL reference → what it stands for."""
    names = {"aws_kms_key.pipeline.arn": "the pipeline KMS key", "local.sender_email": "the [email] sender",
             "local.sender_arn": "the [email] sender's SES identity", "local.partition": "aws",
             "local.region": "<region>", "local.account_id": "<account>", "local.name_prefix": ""}
    for queue in plan.queues:
        names[f"aws_sqs_queue.{queue.label}.arn"] = queue.name
        names[f"aws_sqs_queue.{queue.dlq_label}.arn"] = queue.dlq_name
    for table in plan.tables:
        names[f"aws_dynamodb_table.{table.label}.arn"] = f"table {table.name}"
    for bucket in plan.buckets:
        names[f"aws_s3_bucket.{bucket.label}.arn"] = f"bucket {bucket.label.replace('_', '-')}"
    for fn in plan.functions:
        names[f"aws_cloudwatch_log_group.{fn.label}.arn"] = f"log group /aws/lambda/{fn.name}"
    return names


def readable(expression: str, names: dict[str, str]) -> str:
    """`"${aws_s3_bucket.media.arn}/videos/*"` → `bucket media/videos/*`; unknown references stay as written."""
    text = expression[1:-1] if expression.startswith('"') and expression.endswith('"') else expression

    def name(match: re.Match[str]) -> str:
        reference = match.group(1) or match.group(2)
        return names.get(reference, match.group(0))

    return _REFERENCE.sub(name, text)


def _condition(statement: Statement, names: dict[str, str]) -> str:
    return "; ".join(f"{c.variable} {c.test} {', '.join(readable(v, names) for v in c.values)}"
                     for c in statement.conditions)


def grants_of(plan: Plan) -> dict[str, dict[Grant, Grant]]:
    """Function name → every (action, resource, condition) its role allows: as written → as read."""
    names = _names(plan)
    found: dict[str, dict[Grant, Grant]] = {}
    for fn in plan.functions:
        grants = found.setdefault(fn.name, {})
        for statement in fn.statements:
            raw_condition = "; ".join(f"{c.variable} {c.test} {', '.join(c.values)}" for c in statement.conditions)
            condition = _condition(statement, names)
            for action in statement.actions:
                for resource in statement.resources:
                    grants[(action, resource, raw_condition)] = (action, readable(resource, names), condition)
    return found


def moved(grant: Grant, moves: dict[str, str]) -> Grant:
    """The grant with every resource address the moves change written at its new address."""
    def at(text: str) -> str:
        return _ADDRESS.sub(lambda match: moves.get(match.group(1), match.group(1)), text)

    return (grant[0], at(grant[1]), at(grant[2]))
