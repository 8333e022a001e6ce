"""Least-privilege statements for one function, derived only from what queues.toml says it does."""

from __future__ import annotations

from generator import hcl
from generator.naming import camel, label, queue_label
from generator.plan.model import Condition, Statement
from generator.spec.model import Function, Spec

KMS_KEY_ARN = "aws_kms_key.pipeline.arn"
_TABLE_WRITES = {"BatchWriteItem", "DeleteItem", "PutItem", "UpdateItem"}


def statements_for(key: str, fn: Function, spec: Spec, consumed: list[str]) -> tuple[Statement, ...]:
    """consumed: the keys of the queues that trigger the function."""
    statements = [
        Statement(
            sid="WriteOwnLogs",
            actions=("logs:CreateLogStream", "logs:PutLogEvents"),
            resources=(f'"${{aws_cloudwatch_log_group.{label(key)}.arn}}:*"',),
        )
    ]
    if consumed:
        statements.append(Statement(
            sid="ConsumeTriggerQueue" if len(consumed) == 1 else "ConsumeTriggerQueues",
            actions=("sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                     "sqs:ReceiveMessage"),
            resources=tuple(sorted(f"aws_sqs_queue.{queue_label(queue)}.arn" for queue in consumed)),
        ))
    if fn.sends_to:
        statements.append(Statement(
            sid="SendToQueues",
            actions=("sqs:SendMessage",),
            resources=tuple(sorted({f"aws_sqs_queue.{queue_label(target)}.arn" for target in fn.sends_to})),
        ))
    for table, actions in sorted(fn.tables.items()):
        statements.append(Statement(
            sid=f"Use{camel(table)}Table",
            actions=tuple(sorted(f"dynamodb:{action}" for action in actions)),
            resources=(f"aws_dynamodb_table.{label(table)}.arn",),
        ))
    for bucket, access in sorted(fn.buckets.items()):
        statements.extend(_bucket_statements(bucket, access.read, access.write, access.list))
    if fn.sends_email and spec.email is not None:
        statements.append(_email_statement(spec))
    statements.append(_key_statement(fn))
    # X-Ray's write actions support no resource-level permissions: "*" is the only valid resource.
    statements.append(
        Statement(sid="WriteTraces", actions=("xray:PutTelemetryRecords", "xray:PutTraceSegments"), resources=('"*"',))
    )
    return tuple(statements)


def _objects(bucket: str, prefixes: list[str]) -> tuple[str, ...]:
    return tuple(f'"${{aws_s3_bucket.{label(bucket)}.arn}}/{prefix}*"' for prefix in sorted(set(prefixes)))


def _bucket_statements(bucket: str, read: list[str], write: list[str], listed: list[str]) -> list[Statement]:
    name = camel(bucket)
    statements = []
    if listed:
        statements.append(Statement(
            sid=f"List{name}Prefixes",
            actions=("s3:ListBucket",),
            resources=(f"aws_s3_bucket.{label(bucket)}.arn",),
            conditions=(Condition("StringLike", "s3:prefix", tuple(hcl.quote(f"{p}*") for p in sorted(set(listed)))),),
        ))
    if read:
        statements.append(Statement(sid=f"Read{name}Objects", actions=("s3:GetObject",),
                                    resources=_objects(bucket, read)))
    if write:
        statements.append(Statement(sid=f"Write{name}Objects", actions=("s3:AbortMultipartUpload", "s3:PutObject"),
                                    resources=_objects(bucket, write)))
    return statements


def _email_statement(spec: Spec) -> Statement:
    assert spec.email is not None
    if spec.email.sandbox:
        # In the sandbox SES also authorizes the (verified) recipient identities.
        identities = ('"arn:${local.partition}:ses:${local.region}:'
                      '${local.account_id}:identity/*"',)
    else:
        identities = ("local.sender_arn",)
    return Statement(
        sid="SendEmailFromSender",
        actions=("ses:SendEmail",),
        resources=identities,
        conditions=(Condition("StringEquals", "ses:FromAddress", ("local.sender_email",)),),
    )


def _writes(fn: Function) -> bool:
    return bool(
        fn.sends_to
        or any(access.write for access in fn.buckets.values())
        or any(_TABLE_WRITES.intersection(actions) for actions in fn.tables.values())
    )


def _key_statement(fn: Function) -> Statement:
    """Queues, buckets, tables and the environment are encrypted with the pipeline key: whatever the
    function reads it must decrypt (a consumer that cannot stops polling silently); whatever it writes needs
    a data key."""
    actions = ("kms:Decrypt", "kms:GenerateDataKey") if _writes(fn) else ("kms:Decrypt",)
    return Statement(sid="UsePipelineKey", actions=actions, resources=(KMS_KEY_ARN,))
