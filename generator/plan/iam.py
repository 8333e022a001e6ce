"""Least-privilege statements for one function, derived only from what queues.toml says it does, through the
least-privilege table (generator/plan/privileges.py): each statement is one row of it, applied to exactly the
resources queues.toml names, and the pipeline key is granted per service, only for what that service does with
it on the function's behalf."""

from __future__ import annotations

from collections.abc import Sequence

from generator import hcl
from generator.naming import camel, label, queue_label
from generator.plan.model import Condition, Statement
from generator.plan.privileges import KEY_SERVICES, TABLE_DATA_ACTIONS, USES, Use
from generator.spec.model import BucketAccess, Function, Spec

KMS_KEY_ARN = "aws_kms_key.pipeline.arn"


def statements_for(key: str, fn: Function, spec: Spec, consumed: list[str]) -> tuple[Statement, ...]:
    """consumed: the keys of the queues that trigger the function."""
    granted: list[tuple[Use, Statement]] = [
        _grant("write_logs", "WriteOwnLogs", (f'"${{aws_cloudwatch_log_group.{label(key)}.arn}}:*"',))
    ]
    if consumed:
        granted.append(_grant(
            "consume_queue", "ConsumeTriggerQueue" if len(consumed) == 1 else "ConsumeTriggerQueues",
            tuple(sorted(f"aws_sqs_queue.{queue_label(queue)}.arn" for queue in consumed)),
        ))
    if fn.sends_to:
        granted.append(_grant("send_message", "SendToQueues",
                              tuple(sorted({f"aws_sqs_queue.{queue_label(target)}.arn" for target in fn.sends_to}))))
    for table, actions in sorted(fn.tables.items()):
        granted.append(_table_grant(table, actions))
    for bucket, access in sorted(fn.buckets.items()):
        granted.extend(_bucket_grants(bucket, access))
    if fn.sends_email and spec.email is not None:
        granted.append(_email_grant(spec))
    statements = [statement for _use, statement in granted]
    statements.extend(_key_statements([use for use, statement in granted if statement.actions]))
    statements.append(_grant("write_traces", "WriteTraces", ('"*"',))[1])
    return tuple(statements)


def _grant(use_name: str, sid: str, resources: tuple[str, ...], conditions: tuple[Condition, ...] = (),
           actions: tuple[str, ...] | None = None) -> tuple[Use, Statement]:
    use = USES[use_name]
    return use, Statement(sid=sid, actions=use.actions if actions is None else actions, resources=resources,
                          conditions=conditions, why=use.why)


def _table_grant(table: str, actions: Sequence[str]) -> tuple[Use, Statement]:
    use, statement = _grant("use_table", f"Use{camel(table)}Table", (f"aws_dynamodb_table.{label(table)}.arn",),
                            actions=tuple(sorted({f"dynamodb:{action}" for action in actions})))
    if not TABLE_DATA_ACTIONS.intersection(actions):  # DescribeTable only: DynamoDB reads no item data
        use = Use(calls=use.calls, actions=use.actions, why=use.why)
    return use, statement


def _objects(bucket: str, prefixes: list[str]) -> tuple[str, ...]:
    return tuple(f'"${{aws_s3_bucket.{label(bucket)}.arn}}/{prefix}*"' for prefix in sorted(set(prefixes)))


def _bucket_grants(bucket: str, access: BucketAccess) -> list[tuple[Use, Statement]]:
    name = camel(bucket)
    granted = []
    listed = sorted(set(access.list) | set(access.read))  # readers list their own prefixes: 404, not 403
    if listed:
        granted.append(_grant(
            "list_objects", f"List{name}Prefixes", (f"aws_s3_bucket.{label(bucket)}.arn",),
            (Condition("StringLike", "s3:prefix", tuple(hcl.quote(f"{prefix}*") for prefix in listed)),),
        ))
    if access.read:
        granted.append(_grant("read_objects", f"Read{name}Objects", _objects(bucket, access.read)))
    if access.write:
        granted.append(_grant("write_objects", f"Write{name}Objects", _objects(bucket, access.write)))
    if access.upload:
        granted.append(_grant("upload_objects", f"Upload{name}Objects", _objects(bucket, access.upload)))
    return granted


def _email_grant(spec: Spec) -> tuple[Use, Statement]:
    assert spec.email is not None
    if spec.email.sandbox:
        # In the sandbox SES also authorizes the (verified) recipient identities.
        identities = ('"arn:${local.partition}:ses:${local.region}:'
                      '${local.account_id}:identity/*"',)
    else:
        identities = ("local.sender_arn",)
    return _grant("send_email", "SendEmailFromSender", identities,
                  (Condition("StringEquals", "ses:FromAddress", ("local.sender_email",)),))


def _key_statements(uses: list[Use]) -> list[Statement]:
    """One statement per service that uses the pipeline key as the function: the union of what its rows need,
    usable only through that service in this region (kms:ViaService)."""
    by_service: dict[str, set[str]] = {}
    for use in uses:
        if use.key_actions:
            by_service.setdefault(use.key_service, set()).update(use.key_actions)
    statements = []
    for service, actions in sorted(by_service.items()):
        name, why = KEY_SERVICES[service]
        endpoint = f'"{service}.${{local.region}}.amazonaws.com"'
        statements.append(Statement(
            sid=f"UsePipelineKeyThrough{name}",
            actions=tuple(sorted(actions)),
            resources=(KMS_KEY_ARN,),
            conditions=(Condition("StringEquals", "kms:ViaService", (endpoint,)),),
            why=why,
        ))
    return statements
