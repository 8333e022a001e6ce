"""Spec → Plan: resolve names and labels, derive least-privilege statements, alarms and outputs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from generator import hcl
from generator.naming import (
    LIVE_ALIAS,
    NAME_PREFIX,
    SERVICE_NAME_VARIABLE,
    BoundTrigger,
    alias_label,
    dlq_label,
    dlq_name,
    environment_room,
    function_environment,
    function_name,
    function_triggers,
    label,
    queue_label,
    queue_name,
    table_name,
)
from generator.plan.buckets import artifacts_bucket, declared_bucket
from generator.plan.dashboard import dashboard_plan
from generator.plan.iam import KMS_KEY_ARN, statements_for
from generator.plan.key_policy import key_policy_plan
from generator.plan.model import (
    AlarmPlan,
    CodePlan,
    FunctionPlan,
    MappingPlan,
    OutputPlan,
    Plan,
    QueuePlan,
    TablePlan,
    ZipDirs,
)
from generator.plan.signing import code_note, code_signing_plan, signed_prefix
from generator.plan.skips import function_skips, function_url_skips, key_policy_skips
from generator.spec.model import Function, Spec

TOPIC_LABEL = "alarms"
MODULE_NAME = "pipeline"  # modules/pipeline/ beside the root's files, and the root's `module "pipeline"`


def build_plan(spec: Spec, source: str, code: Mapping[str, CodePlan], zip_dirs: ZipDirs) -> Plan:
    if spec.code_signing.enabled:  # AWS Signer signs S3 objects: every zip goes through the artifacts bucket
        code = {key: dataclasses.replace(plan, via_s3=True) for key, plan in code.items()}
    triggers = {key: function_triggers(key, spec.functions[key]) for key in sorted(spec.functions)}
    consumers = {t.queue: key for key, found in triggers.items() for t in found}
    queues = tuple(_queue_plan(key, spec, consumers.get(key)) for key in sorted(spec.queues))
    functions = tuple(_function_plan(key, spec, code[key], triggers[key]) for key in sorted(spec.functions))
    # `trigger` first, then triggers.<queue> in key order, function by function
    mappings = tuple(_mapping_plan(key, t, spec) for key, found in triggers.items()
                     for t in found[:1] + sorted(found[1:], key=lambda t: t.queue))
    return Plan(
        source=source,
        project=spec.project.name,
        environment_room=environment_room(spec),
        encrypted=_encrypted(spec, code),
        key_policy_skips=key_policy_skips(),
        key_policy=key_policy_plan(),
        log_group_arns=tuple(
            "arn:${local.partition}:logs:${local.region}:"
            f"${{local.account_id}}:log-group:/aws/lambda/${{{NAME_PREFIX}}}{fn.name}"
            for fn in functions
        ),
        queues=queues,
        functions=functions,
        mappings=mappings,
        topic_label=TOPIC_LABEL,
        topic_name=spec.alarms.topic_name,
        subscribers=tuple(spec.alarms.email_subscribers),
        queue_alarms=tuple((q, _queue_alarms(q)) for q in queues),
        function_alarms=tuple((fn, _function_alarms(fn, spec)) for fn in functions),
        outputs=_outputs(queues, functions, mappings),
        module_name=MODULE_NAME,
        module_arguments=tuple(hcl.aligned(_module_inputs(spec, zip_dirs))),
        zip_dirs=zip_dirs,
        tables=tuple(_table_plan(key, spec) for key in sorted(spec.tables)),
        buckets=tuple(declared_bucket(spec.project.name, key, spec.buckets[key], KMS_KEY_ARN)
                      for key in sorted(spec.buckets)),
        email_sender=spec.email.sender if spec.email is not None else None,
        email_sender_arn=_identity_arn(spec.email.sender) if spec.email is not None else None,
        artifacts_bucket=(
            artifacts_bucket(spec.project.name, KMS_KEY_ARN, signed=spec.code_signing.enabled)
            if any(c.via_s3 for c in code.values()) else None
        ),
        code_signing=code_signing_plan(spec) if spec.code_signing.enabled else None,
        dashboard=dashboard_plan(spec.project.name, source, queues, functions),
    )


def _identity_arn(sender: str) -> str:
    """The SES identity's ARN as an HCL string; known even where another environment manages the identity."""
    return '"arn:${local.partition}:ses:${local.region}:${local.account_id}:identity/' + hcl.quote(sender)[1:]


def _encrypted(spec: Spec, code: Mapping[str, CodePlan]) -> tuple[str, ...]:
    kinds = ["queues"]
    if spec.tables:
        kinds.append("tables")
    if spec.buckets or any(c.via_s3 for c in code.values()):
        kinds.append("buckets")
    if spec.functions:
        kinds += ["function logs and environments"]
    return (*kinds, "the alarm topic")


def _queue_plan(key: str, spec: Spec, consumer: str | None) -> QueuePlan:
    queue = spec.queues[key]
    return QueuePlan(
        key=key,
        label=queue_label(key),
        name=queue_name(key, queue),
        description=queue.description,
        fifo=queue.fifo_queue,
        content_based_deduplication=queue.content_based_deduplication,
        deduplication_scope=queue.deduplication_scope,
        fifo_throughput_limit=queue.fifo_throughput_limit,
        visibility_timeout_seconds=queue.visibility_timeout_seconds,
        message_retention_seconds=queue.message_retention_seconds,
        delay_seconds=queue.delay_seconds,
        receive_wait_time_seconds=queue.receive_wait_time_seconds,
        max_message_size=queue.max_message_size,
        max_receive_count=queue.max_receive_count,
        dlq_label=dlq_label(key),
        dlq_name=dlq_name(key, queue),
        dlq_visibility_timeout_seconds=(
            queue.dlq.visibility_timeout_seconds
            if queue.dlq.visibility_timeout_seconds is not None
            else queue.visibility_timeout_seconds
        ),
        dlq_message_retention_seconds=queue.dlq.message_retention_seconds,
        oldest_message_alarm_seconds=queue.age_alarm_threshold,
        consumer=consumer,
    )


def _environment(fn: Function, spec: Spec, name: str) -> tuple[str, ...]:
    expressions: dict[str, Callable[[str], str]] = {
        "queue": lambda key: f"aws_sqs_queue.{queue_label(key)}.url",
        "table": lambda key: f"aws_dynamodb_table.{label(key)}.name",
        "bucket": lambda key: f"aws_s3_bucket.{label(key)}.id",
        "email": lambda _key: "local.sender_email",
        "setting": lambda var: hcl.quote(fn.environment[var]),
    }
    variables = {SERVICE_NAME_VARIABLE: hcl.quote(name)}
    for var, sources in function_environment(spec, fn).items():
        source = sources[0]
        variables[var] = expressions[source.kind](source.key)
    return tuple(hcl.aligned(sorted(variables.items())))


def _table_plan(key: str, spec: Spec) -> TablePlan:
    table = spec.tables[key]
    return TablePlan(
        key=key,
        label=label(key),
        name=table_name(spec.project.name, key, table),
        description=table.description,
        hash_key=table.hash_key,
        range_key=table.range_key,
        ttl_attribute=table.ttl_attribute,
    )


def _function_plan(key: str, spec: Spec, code: CodePlan, triggers: list[BoundTrigger]) -> FunctionPlan:
    fn = spec.functions[key]
    name = function_name(key, fn)
    dlqs = [dlq_name(t.queue, spec.queues[t.queue]) for t in triggers]
    return FunctionPlan(
        key=key,
        label=label(key),
        name=name,
        alias_label=alias_label(key),
        alias=LIVE_ALIAS,
        description=fn.description,
        role_name=f"{name}-role",
        handler=fn.handler,
        runtime=fn.runtime,
        architecture=fn.architecture,
        timeout=fn.timeout,
        memory_size=fn.memory_size,
        ephemeral_storage_size=fn.ephemeral_storage_size,
        reserved_concurrent_executions=fn.reserved_concurrent_executions,
        log_retention_days=fn.log_retention_days,
        environment=_environment(fn, spec, name),
        statements=statements_for(key, fn, spec, [t.queue for t in triggers]),
        code=code,
        code_note=code_note(key, code, spec),
        signed_prefix=signed_prefix(key) if spec.code_signing.enabled else None,
        skips=function_skips(fn, triggers, dlqs, code_signing=spec.code_signing.enabled),
        http_auth={"aws_iam": "AWS_IAM", "none": "NONE"}.get(fn.http or ""),
        url_skips=function_url_skips(fn),
    )


def _mapping_plan(key: str, trigger: BoundTrigger, spec: Spec) -> MappingPlan:
    settings = trigger.settings
    return MappingPlan(
        function_key=key,
        label=trigger.label,
        output_key=trigger.output_key,
        path=".".join(trigger.path),
        function_label=label(key),
        alias_label=alias_label(key),
        queue_label=queue_label(trigger.queue),
        queue_name=queue_name(trigger.queue, spec.queues[trigger.queue]),
        enabled=settings.enabled,
        batch_size=settings.batch_size,
        # FIFO sources take no batching window at all (not even 0).
        maximum_batching_window_seconds=(
            None if spec.queues[trigger.queue].fifo_queue else settings.maximum_batching_window_seconds
        ),
        maximum_concurrency=settings.maximum_concurrency,
        filter_patterns=tuple(hcl.expression(pattern) for pattern in settings.filter_patterns),
    )


def _alarm_base(name: str) -> str:
    return name.removesuffix(".fifo")


def _queue_alarms(queue: QueuePlan) -> tuple[AlarmPlan, ...]:
    dead_letters = AlarmPlan(
        label=f"{queue.dlq_label}_not_empty",
        # The week-1 plan names this alarm "<dlq>-alarm"; unlike its GreaterThanThreshold 1, this one
        # fires on the first failed message.
        name=f"{_alarm_base(queue.dlq_name)}-alarm",
        description=f"{queue.dlq_name} holds at least one message that failed "
        f"{queue.max_receive_count} receives from {queue.name}",
        namespace="AWS/SQS",
        metric_name="ApproximateNumberOfMessagesVisible",
        dimension_name="QueueName",
        dimension_value=f"aws_sqs_queue.{queue.dlq_label}.name",
        statistic="Maximum",
        period=60,
        evaluation_periods=1,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
    )
    if queue.oldest_message_alarm_seconds is None:  # turned off in queues.toml
        return (dead_letters,)
    return (
        dead_letters,
        AlarmPlan(
            label=f"{queue.label}_oldest_message_age",
            name=f"{_alarm_base(queue.name)}-oldest-message-age",
            description=f"The oldest message in {queue.name} has waited for longer than "
            f"{queue.oldest_message_alarm_seconds} seconds: consumers are failing or falling behind",
            namespace="AWS/SQS",
            metric_name="ApproximateAgeOfOldestMessage",
            dimension_name="QueueName",
            dimension_value=f"aws_sqs_queue.{queue.label}.name",
            statistic="Maximum",
            period=60,
            evaluation_periods=1,
            threshold=queue.oldest_message_alarm_seconds,
            comparison_operator="GreaterThanThreshold",
        ),
    )


def _function_alarms(fn: FunctionPlan, spec: Spec) -> tuple[AlarmPlan, ...]:
    settings = spec.alarms
    alarms = []
    for metric, threshold, what in (
        ("Errors", settings.function_errors_threshold, "invocations failed"),
        ("Throttles", settings.function_throttles_threshold, "invocations were throttled"),
    ):
        alarms.append(
            AlarmPlan(
                label=f"{fn.label}_{metric.lower()}",
                name=f"{fn.name}-{metric.lower()}",
                description=f"{threshold} or more {fn.name} {what} within {settings.function_period_seconds} s",
                namespace="AWS/Lambda",
                metric_name=metric,
                dimension_name="FunctionName",
                dimension_value=f"aws_lambda_function.{fn.label}.function_name",
                statistic="Sum",
                period=settings.function_period_seconds,
                evaluation_periods=1,
                threshold=threshold,
                comparison_operator="GreaterThanOrEqualToThreshold",
            )
        )
    return tuple(alarms)


def _outputs(
    queues: tuple[QueuePlan, ...], functions: tuple[FunctionPlan, ...], mappings: tuple[MappingPlan, ...]
) -> tuple[OutputPlan, ...]:
    def entries(pairs: list[tuple[str, str]]) -> tuple[str, ...]:
        return tuple(hcl.aligned((hcl.quote(key), value) for key, value in pairs))

    outputs = (
        OutputPlan("queue_urls", "URL of each queue, by queues.toml key",
                   entries([(q.key, f"aws_sqs_queue.{q.label}.url") for q in queues])),
        OutputPlan("queue_arns", "ARN of each queue, by queues.toml key",
                   entries([(q.key, f"aws_sqs_queue.{q.label}.arn") for q in queues])),
        OutputPlan("dead_letter_queue_urls", "URL of each queue's dead-letter queue, by queues.toml key",
                   entries([(q.key, f"aws_sqs_queue.{q.dlq_label}.url") for q in queues])),
        OutputPlan("dead_letter_queue_arns", "ARN of each queue's dead-letter queue, by queues.toml key",
                   entries([(q.key, f"aws_sqs_queue.{q.dlq_label}.arn") for q in queues])),
        OutputPlan("function_arns", "ARN of each Lambda function, by queues.toml key",
                   entries([(fn.key, f"aws_lambda_function.{fn.label}.arn") for fn in functions])),
        OutputPlan("function_urls", "HTTPS endpoint of each function that has one, by queues.toml key",
                   entries([(fn.key, f"aws_lambda_function_url.{fn.label}.function_url")
                            for fn in functions if fn.http_auth])),
        OutputPlan("event_source_mapping_uuids",
                   "UUID of each function's SQS trigger (for `aws lambda update-event-source-mapping`)",
                   entries([(m.output_key, f"aws_lambda_event_source_mapping.{m.label}.uuid") for m in mappings])),
    )
    topic = OutputPlan("alarm_topic_arn", "ARN of the SNS topic every alarm notifies",
                       value=f"aws_sns_topic.{TOPIC_LABEL}.arn")
    return (*(output for output in outputs if output.entries), topic)


def _module_inputs(spec: Spec, zip_dirs: ZipDirs) -> list[tuple[str, str]]:
    """What the generated root passes the module: its own variables, and where the zips are from the root (the
    path the functions' code was always uploaded from, so a state of the root-only layout sees no change).
    Tags come from the root provider's default_tags instead."""
    inputs = [("environment", "var.environment"), ("key_administrators", "var.key_administrators")]
    if spec.email is not None:
        inputs.append(("manage_email_identity", "var.manage_email_identity"))
    if spec.functions:
        inputs.append(("lambda_zip_dir", f'"${{path.module}}/{zip_dirs.from_root}"'))
    return inputs
