"""THE table of what adopt looks up: one entry per resource type the generated module declares.

Each entry takes the resource as the module declares it (its label and arguments, generator.output.previous)
and the model behind it (estate.py: the Plan by label) and answers with a Found (verdict.py): the AWS name the
Terraform gives it, whether it exists, the import ID the provider takes (docs/guide/terraform.md, "Appendix:
import IDs"), what the apply changes in place (from → to) and what it cannot (a conflict, with the fix).

A type the module declares and this table lacks stops adopt (survey.py), and tests/ops/test_adopt.py checks
every type the templates emit has an entry. A resource that never exists before the first apply (a signing
job, a zip's S3 object, a Lambda alias) is one line: `_created(why)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from generator.ops.adopt.estate import Estate, missing
from generator.ops.adopt.verdict import Found, diff
from generator.output.previous import Resource

if TYPE_CHECKING:
    from generator.plan.model import FunctionPlan

Lookup = Callable[[Estate, Resource, str | None], Found]  # (estate, resource, for_each/count key) → Found


class ModelMismatch(Exception):
    """The module on disk declares a resource queues.toml does not (terraform/ is older than queues.toml)."""


def _reference_label(expression: str | None, type_: str) -> str:
    """`aws_sqs_queue.email.arn` → `email` (the label of the resource of that type an argument refers to)."""
    parts = (expression or "").split(".")
    if len(parts) < 2 or parts[0] != type_:
        raise ModelMismatch(f"expected a reference to a {type_}, found {expression!r}")
    return parts[1]


def _need(found: Any, resource: Resource) -> Any:
    if found is None:
        raise ModelMismatch(f"{resource.type}.{resource.label} is not in the model of queues.toml")
    return found


# ── SQS ────────────────────────────────────────────────────────────────────────────────────────────────────


def _queue(estate: Estate, resource: Resource, key: str | None) -> Found:
    queue, is_dlq = _need(estate.queue(resource.label), resource)
    name = estate.name(queue.dlq_name if is_dlq else queue.name)
    found = estate.attributes_of(name)
    if found is None:
        # SQS never changes a queue's type: the same name with or without .fifo is the other type's queue.
        other = name.removesuffix(".fifo") if name.endswith(".fifo") else name + ".fifo"
        if estate.attributes_of(other) is not None:
            kind, declared = ("standard", "FIFO") if name.endswith(".fifo") else ("FIFO", "standard")
            return Found(name, False, conflict=(
                f"{other} exists as a {kind} queue, and queues.toml declares {name} ({declared}); SQS cannot change "
                f"a queue's type, so the apply would create {name} beside it while producers and the waiting "
                f"messages stay on {other}. Fix: set fifo = {str(not name.endswith('.fifo')).lower()} on "
                f"[queues.{queue.key}] to adopt {other} as it is, or drain {other} and delete it yourself first"))
        return Found(name, False)
    if found.get("FifoQueue", "false") != str(queue.fifo).lower():
        return Found(name, True, found["QueueUrl"], conflict=(
            f"{name} is {'FIFO' if found.get('FifoQueue') == 'true' else 'standard'} and queues.toml says "
            f"{'FIFO' if queue.fifo else 'standard'}: `fifo_queue` forces Terraform to destroy and re-create the "
            "queue (its messages with it). Fix: make queues.toml match the queue, or move its messages and delete "
            "it yourself first"))
    retention = queue.dlq_message_retention_seconds if is_dlq else queue.message_retention_seconds
    visibility = queue.dlq_visibility_timeout_seconds if is_dlq else queue.visibility_timeout_seconds
    wanted: list[tuple[str, object, object]] = [
        ("VisibilityTimeout", found.get("VisibilityTimeout"), visibility),
        ("MessageRetentionPeriod", found.get("MessageRetentionPeriod"), retention),
        ("DelaySeconds", found.get("DelaySeconds"), 0 if is_dlq else queue.delay_seconds),
        ("ReceiveMessageWaitTimeSeconds", found.get("ReceiveMessageWaitTimeSeconds"),
         0 if is_dlq else queue.receive_wait_time_seconds),
        ("MaximumMessageSize", found.get("MaximumMessageSize"), queue.max_message_size),
        ("KmsMasterKeyId", _queue_key(estate, found), "the pipeline key"),
    ]
    if queue.fifo and not is_dlq:
        wanted.append(("ContentBasedDeduplication", found.get("ContentBasedDeduplication", "false"),
                       str(queue.content_based_deduplication).lower()))
    changes = diff(wanted)
    return Found(name, True, found["QueueUrl"], changes)


def _queue_key(estate: Estate, attributes: dict[str, str]) -> str:
    key = attributes.get("KmsMasterKeyId", "")
    pipeline = _alias_target(estate)
    alias = f"alias/{estate.name(estate.plan.project)}"
    if key and pipeline and (key in (pipeline, alias) or key.endswith(pipeline)):
        return "the pipeline key"
    if key:
        return key
    return "SSE-SQS" if attributes.get("SqsManagedSseEnabled") == "true" else "(none)"


def _redrive(estate: Estate, resource: Resource, key: str | None) -> Found:
    queue, _ = _need(estate.queue(_reference_label(resource.attributes.get("queue_url"), "aws_sqs_queue")), resource)
    name = estate.name(queue.name)
    found = estate.attributes_of(name)
    policy = json.loads((found or {}).get("RedrivePolicy") or "null")
    if found is None or not policy:
        return Found(name, False, note="no RedrivePolicy yet")
    dlq = estate.name(queue.dlq_name)
    return Found(name, True, found["QueueUrl"], diff([
        ("RedrivePolicy.deadLetterTargetArn", str(policy.get("deadLetterTargetArn", "")).rsplit(":", 1)[-1], dlq),
        ("RedrivePolicy.maxReceiveCount", policy.get("maxReceiveCount"), queue.max_receive_count),
    ]))


def _redrive_allow(estate: Estate, resource: Resource, key: str | None) -> Found:
    queue, _ = _need(estate.queue(_reference_label(resource.attributes.get("queue_url"), "aws_sqs_queue")), resource)
    name = estate.name(queue.dlq_name)
    found = estate.attributes_of(name)
    policy = json.loads((found or {}).get("RedriveAllowPolicy") or "null")
    if found is None or not policy:
        return Found(name, False, note="no RedriveAllowPolicy yet")
    sources = [arn.rsplit(":", 1)[-1] for arn in policy.get("sourceQueueArns", [])]
    return Found(name, True, found["QueueUrl"], diff([
        ("RedriveAllowPolicy.redrivePermission", policy.get("redrivePermission"), "byQueue"),
        ("RedriveAllowPolicy.sourceQueueArns", sources, [estate.name(queue.name)]),
    ]))


# ── Lambda ─────────────────────────────────────────────────────────────────────────────────────────────────


def _environment_names(lines: tuple[str, ...]) -> list[str]:
    return sorted(line.split("=", 1)[0].strip() for line in lines)


def _function(estate: Estate, resource: Resource, key: str | None) -> Found:
    fn = _need(estate.function(resource.label), resource)
    name = estate.name(fn.name)
    try:
        answer = estate.lambda_().get_function(FunctionName=name)
    except Exception as exc:
        if not missing(exc):
            raise
        return Found(name, False)
    config = answer["Configuration"]
    if config.get("PackageType", "Zip") != "Zip":
        return Found(name, True, name, conflict=(
            f"{name} is a container image function; the generated one deploys a zip, and `package_type` forces "
            "Terraform to destroy the function and create it again (its URL, mappings and concurrency with it). "
            f"Fix: rename the function in queues.toml ([functions.{fn.key}] name) and move traffic over, or delete "
            f"{name} yourself first"))
    reserved = answer.get("Concurrency", {}).get("ReservedConcurrentExecutions")
    return Found(name, True, name, diff([
        ("Runtime", config.get("Runtime"), fn.runtime),
        ("Handler", config.get("Handler"), fn.handler),
        ("Architectures", config.get("Architectures", ["x86_64"]), [fn.architecture]),
        ("Role", str(config.get("Role", "")).rsplit("/", 1)[-1], estate.name(fn.role_name)),
        ("Timeout", config.get("Timeout"), fn.timeout),
        ("MemorySize", config.get("MemorySize"), fn.memory_size),
        ("EphemeralStorage", config.get("EphemeralStorage", {}).get("Size", 512), fn.ephemeral_storage_size),
        ("ReservedConcurrentExecutions", reserved, fn.reserved_concurrent_executions),
        ("Environment", sorted(config.get("Environment", {}).get("Variables", {})), _environment_names(fn.environment)),
        ("Code", "the deployed package", "the generated zip"),
    ]))


def _function_of_alias(estate: Estate, resource: Resource, argument: str) -> FunctionPlan:
    """The function behind a reference to its live alias (`aws_lambda_alias.router_live.function_name`)."""
    alias_label = _reference_label(resource.attributes.get(argument), "aws_lambda_alias")
    found: FunctionPlan = _need(next((fn for fn in estate.plan.functions if fn.alias_label == alias_label), None),
                                resource)
    return found


def _function_url(estate: Estate, resource: Resource, key: str | None) -> Found:
    fn = _function_of_alias(estate, resource, "function_name")
    name = estate.name(fn.name)
    try:
        config = estate.lambda_().get_function_url_config(FunctionName=name, Qualifier=fn.alias)
    except Exception as exc:
        if not missing(exc):
            raise
        return Found(f"{name}:{fn.alias}", False,
                     note=f"the URL is on the {fn.alias} alias; a URL on the function itself is left alone")
    return Found(f"{name}:{fn.alias}", True, f"{name}/{fn.alias}",
                 diff([("AuthType", config.get("AuthType"), fn.http_auth)]))


def _live_alias(estate: Estate, resource: Resource, key: str | None) -> Found:
    fn = _need(estate.function(_reference_label(resource.attributes.get("function_name"), "aws_lambda_function")),
               resource)
    name = estate.name(fn.name)
    try:
        found = estate.lambda_().get_alias(FunctionName=name, Name=fn.alias)
    except Exception as exc:
        if not missing(exc):
            raise
        return Found(f"{name}:{fn.alias}", False, note="the first apply publishes a version and points it there")
    return Found(f"{name}:{fn.alias}", True, f"{name}/{fn.alias}",
                 note=f"at version {found.get('FunctionVersion')}; the apply points it at the newest")


def _mapping(estate: Estate, resource: Resource, key: str | None) -> Found:
    mapping = _need(estate.mapping(resource.label), resource)
    fn = _need(estate.function(mapping.function_label), resource)
    function, queue = estate.name(fn.name), estate.name(mapping.queue_name)
    name = f"{queue} → {function}"
    attributes = estate.attributes_of(queue)
    if attributes is None:
        return Found(name, False, note=f"{queue} does not exist yet")
    mappings = estate.lambda_().list_event_source_mappings(EventSourceArn=attributes["QueueArn"])
    ours, others = None, []
    for found in mappings.get("EventSourceMappings", []):
        # The function's ARN, with a qualifier (`:live`, a version) when the mapping invokes an alias
        target = str(found.get("FunctionArn", "")).split(":function:", 1)[-1].split(":", 1)[0]
        if target == function and ours is None:
            ours = found
        else:
            others.append(target)
    if others:
        return Found(name, ours is not None, ours["UUID"] if ours else None, conflict=(
            f"{queue} is also mapped to {', '.join(sorted(others))}: both would take messages from it after the "
            f"apply (each message goes to one of them). Fix: disable or delete that mapping once {function} "
            f"takes over (aws lambda update-event-source-mapping --uuid … --no-enabled), or name "
            f"{', '.join(sorted(others))} as the queue's consumer in queues.toml"))
    if ours is None:
        return Found(name, False)
    scaling = ours.get("ScalingConfig", {}).get("MaximumConcurrency")
    patterns = sorted(f.get("Pattern", "") for f in ours.get("FilterCriteria", {}).get("Filters", []))
    wanted_patterns = sorted(json.dumps(json.loads(p.removeprefix("jsonencode(").removesuffix(")")), sort_keys=True)
                             if p.startswith("jsonencode(") else p for p in mapping.filter_patterns)
    return Found(name, True, ours["UUID"], diff([
        ("State", "Enabled" if ours.get("State") in ("Enabled", "Enabling", "Updating") else "Disabled",
         "Enabled" if mapping.enabled else "Disabled"),
        ("BatchSize", ours.get("BatchSize"), mapping.batch_size),
        ("MaximumBatchingWindowInSeconds", ours.get("MaximumBatchingWindowInSeconds", 0),
         mapping.maximum_batching_window_seconds or 0),
        ("ScalingConfig.MaximumConcurrency", scaling, mapping.maximum_concurrency),
        ("FunctionResponseTypes", ours.get("FunctionResponseTypes", []), ["ReportBatchItemFailures"]),
        ("FilterCriteria", [_canonical(p) for p in patterns], [_canonical(p) for p in wanted_patterns]),
        ("FunctionArn", str(ours.get("FunctionArn", "")).split(":function:", 1)[-1], f"{function}:{fn.alias}"),
    ]), note=f"UUID {ours['UUID']}")


def _canonical(pattern: str) -> str:
    try:
        return json.dumps(json.loads(pattern), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return pattern


def _code_signing_config(estate: Estate, resource: Resource, key: str | None) -> Found:
    description = estate.resolve(resource.attributes.get("description", '""'))
    for fn in estate.plan.functions:
        try:
            arn = estate.lambda_().get_function_code_signing_config(FunctionName=estate.name(fn.name)).get(
                "CodeSigningConfigArn")
            config = estate.lambda_().get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"] \
                if arn else None
        except Exception as exc:
            if missing(exc) or "NotImplemented" in error_code_of(exc):
                continue
            raise
        if config and config.get("Description") == description:
            return Found(description, True, str(arn), note=f"found through {estate.name(fn.name)}")
    return Found(description, False, note="no function uses one with this description")


def error_code_of(exc: Exception) -> str:
    from generator.ops.adopt.estate import error_code

    return error_code(exc) or type(exc).__name__


# ── logs, IAM ──────────────────────────────────────────────────────────────────────────────────────────────


def _log_group(estate: Estate, resource: Resource, key: str | None) -> Found:
    fn = _need(estate.function(resource.label), resource)
    name = f"/aws/lambda/{estate.name(fn.name)}"
    groups = estate.client("logs").describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
    group = next((g for g in groups if g.get("logGroupName") == name), None)
    if group is None:
        return Found(name, False)
    return Found(name, True, name, diff([
        ("retentionInDays", group.get("retentionInDays", "never expire"), fn.log_retention_days),
        ("kmsKeyId", "(none)" if not group.get("kmsKeyId") else "a key", "the pipeline key"),
    ]))


def _role(estate: Estate, resource: Resource, key: str | None) -> Found:
    fn = _need(estate.function(resource.label), resource)
    name = estate.name(fn.role_name)
    try:
        role = estate.client("iam").get_role(RoleName=name)["Role"]
    except Exception as exc:
        if not missing(exc):
            raise
        return Found(name, False)
    return Found(name, True, name, diff([
        ("Description", role.get("Description"), f"Execution role of the {fn.key} function"),
    ]))


def _role_policy(estate: Estate, resource: Resource, key: str | None) -> Found:
    fn = _need(estate.function(_reference_label(resource.attributes.get("role"), "aws_iam_role")), resource)
    role, policy = estate.name(fn.role_name), estate.resolve(resource.attributes.get("name", '""'))
    try:
        estate.client("iam").get_role_policy(RoleName=role, PolicyName=policy)
    except Exception as exc:
        if not missing(exc):
            raise
        return Found(f"{role}:{policy}", False)
    return Found(f"{role}:{policy}", True, f"{role}:{policy}", diff([
        ("PolicyDocument", "as it is", "the generated least-privilege statements")]))


# ── alarms, the alarm topic, the dashboard ─────────────────────────────────────────────────────────────────


def _alarm(estate: Estate, resource: Resource, key: str | None) -> Found:
    alarm = _need(estate.alarm(resource.label), resource)
    name = estate.name(alarm.name)
    found = estate.cloudwatch().describe_alarms(AlarmNames=[name]).get("MetricAlarms", [])
    if not found:
        return Found(name, False)
    existing = found[0]
    topic = estate.arn("sns", estate.name(estate.plan.topic_name))
    return Found(name, True, name, diff([
        ("MetricName", existing.get("MetricName"), alarm.metric_name),
        ("Statistic", existing.get("Statistic"), alarm.statistic),
        ("Period", existing.get("Period"), alarm.period),
        ("EvaluationPeriods", existing.get("EvaluationPeriods"), alarm.evaluation_periods),
        ("Threshold", _number(existing.get("Threshold")), alarm.threshold),
        ("ComparisonOperator", existing.get("ComparisonOperator"), alarm.comparison_operator),
        ("AlarmActions", [a.rsplit(":", 1)[-1] for a in existing.get("AlarmActions", [])], [topic.rsplit(":", 1)[-1]]),
    ]))


def _number(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _topic_arn(estate: Estate) -> str | None:
    arn = estate.arn("sns", estate.name(estate.plan.topic_name))
    try:
        estate.client("sns").get_topic_attributes(TopicArn=arn)
    except Exception as exc:
        if not missing(exc):
            raise
        return None
    return arn


def _topic(estate: Estate, resource: Resource, key: str | None) -> Found:
    name = estate.name(estate.plan.topic_name)
    arn = _topic_arn(estate)
    return Found(name, arn is not None, arn, diff([("KmsMasterKeyId", "as it is", "the pipeline key")]) if arn else ())


def _topic_policy(estate: Estate, resource: Resource, key: str | None) -> Found:
    name = estate.name(estate.plan.topic_name)
    arn = _topic_arn(estate)  # every topic has a policy (SNS's default until one is set)
    return Found(name, arn is not None, arn,
                 diff([("Policy", "as it is", "CloudWatch alarms of this account publish")]) if arn else ())


def _subscription(estate: Estate, resource: Resource, key: str | None) -> Found:
    name = f"{estate.name(estate.plan.topic_name)} → {key}"
    arn = _topic_arn(estate)
    if arn is None:
        return Found(name, False)
    pages = estate.client("sns").get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn)
    for page in pages:
        for found in page.get("Subscriptions", []):
            if found.get("Protocol") == "email" and found.get("Endpoint") == key:
                subscription = str(found.get("SubscriptionArn", ""))
                if subscription.startswith("arn:"):
                    return Found(name, True, subscription)
                return Found(name, False, note="pending confirmation (no ARN to import): the apply subscribes "
                                               "the address again and SNS sends one more confirmation mail")
    return Found(name, False)


def _dashboard(estate: Estate, resource: Resource, key: str | None) -> Found:
    name = estate.resolve(resource.attributes.get("dashboard_name", '""'))
    try:
        estate.cloudwatch().get_dashboard(DashboardName=name)
    except Exception as exc:
        if not missing(exc):
            raise
        return Found(name, False)
    return Found(name, True, name, diff([("DashboardBody", "as it is", "the generated dashboard")]))


# ── KMS ────────────────────────────────────────────────────────────────────────────────────────────────────


def _alias_target(estate: Estate) -> str | None:
    try:
        return str(estate.client("kms").describe_key(KeyId=f"alias/{estate.name(estate.plan.project)}")
                   ["KeyMetadata"]["KeyId"])
    except Exception as exc:
        if not missing(exc):
            raise
        return None


def _key(estate: Estate, resource: Resource, key: str | None) -> Found:
    alias = f"alias/{estate.name(estate.plan.project)}"
    target = _alias_target(estate)
    return Found(target or f"(the key {alias} names)", target is not None, target,
                 note=f"the key {alias} points at" if target else f"no {alias}: a new key")


def _alias(estate: Estate, resource: Resource, key: str | None) -> Found:
    name = estate.resolve(resource.attributes.get("name", '""'))
    return Found(name, _alias_target(estate) is not None, name if _alias_target(estate) else None)


# ── S3, DynamoDB, SES ──────────────────────────────────────────────────────────────────────────────────────


def _bucket_name(estate: Estate, resource: Resource) -> str:
    label = resource.label if resource.type == "aws_s3_bucket" else _reference_label(
        resource.attributes.get("bucket"), "aws_s3_bucket")
    return estate.resolve(_need(estate.bucket(label), resource).name)


def _bucket_exists(estate: Estate, name: str) -> bool | str:
    """True, False, or why the name cannot be used (another account owns it)."""
    try:
        estate.s3().head_bucket(Bucket=name)
    except Exception as exc:
        if missing(exc):
            return False
        if error_code_of(exc) in ("403", "AccessDenied", "Forbidden"):
            return (f"the bucket name {name} is taken (403: another account owns it, or this one may not read it); "
                    "bucket names are global. Fix: check which account owns it; if not yours, rename the project "
                    "in queues.toml ([project] name)")
        raise
    return True


def _bucket(estate: Estate, resource: Resource, key: str | None) -> Found:
    name = _bucket_name(estate, resource)
    exists = _bucket_exists(estate, name)
    if isinstance(exists, str):
        return Found(name, False, conflict=exists)
    return Found(name, exists, name if exists else None)


def _bucket_setting(read: Callable[[Any, str], object], what: str) -> Lookup:
    """A bucket's sub-resource: imported when the bucket has the setting, created when it has none."""

    def lookup(estate: Estate, resource: Resource, key: str | None) -> Found:
        name = _bucket_name(estate, resource)
        if _bucket_exists(estate, name) is not True:
            return Found(name, False)
        try:
            read(estate.s3(), name)
        except Exception as exc:
            if not missing(exc):
                raise
            return Found(name, False, note=f"no {what} yet")
        return Found(name, True, name, diff([(what, "as it is", "the generated one")]))

    return lookup


def _versioned(s3: Any, name: str) -> None:
    if not s3.get_bucket_versioning(Bucket=name).get("Status"):
        raise _NotSet()


class _NotSet(Exception):
    response = {"Error": {"Code": "NotFound"}}  # noqa: RUF012 - read as a ClientError's response by missing()


def _table(estate: Estate, resource: Resource, key: str | None) -> Found:
    table = _need(estate.table(resource.label), resource)
    name = estate.name(table.name)
    try:
        found = estate.dynamodb().describe_table(TableName=name)["Table"]
    except Exception as exc:
        if not missing(exc):
            raise
        return Found(name, False)
    keys = {k["KeyType"]: k["AttributeName"] for k in found.get("KeySchema", [])}
    if (keys.get("HASH"), keys.get("RANGE")) != (table.hash_key, table.range_key):
        return Found(name, True, name, conflict=(
            f"{name}'s key is {keys.get('HASH')}/{keys.get('RANGE') or '-'}, queues.toml says "
            f"{table.hash_key}/{table.range_key or '-'}: a table's key cannot change, Terraform would destroy and "
            f"re-create it (its items with it). Fix: set hash_key/range_key in [tables.{table.key}] to the table's"))
    ttl = estate.dynamodb().describe_time_to_live(TableName=name).get("TimeToLiveDescription", {})
    enabled = ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
    return Found(name, True, name, diff([
        ("BillingMode", found.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"), "PAY_PER_REQUEST"),
        ("TimeToLive", ttl.get("AttributeName") if enabled else None, table.ttl_attribute),
    ]))


def _email_identity(estate: Estate, resource: Resource, key: str | None) -> Found:
    email = estate.plan.email_sender or ""
    found = estate.client("ses").get_identity_verification_attributes(Identities=[email])
    exists = email in found.get("VerificationAttributes", {})
    return Found(email, exists, email if exists else None,
                 note="only where manage_email_identity = true (the default)")


def _created(why: str) -> Lookup:
    """A resource that has no name of its own to look up before the first apply: the apply creates it."""

    def lookup(estate: Estate, resource: Resource, key: str | None) -> Found:
        return Found(resource.label, False, note=why)

    return lookup


KINDS: dict[str, Lookup] = {
    "aws_sqs_queue": _queue,
    "aws_sqs_queue_redrive_policy": _redrive,
    "aws_sqs_queue_redrive_allow_policy": _redrive_allow,
    "aws_lambda_function": _function,
    "aws_lambda_function_url": _function_url,
    "aws_lambda_alias": _live_alias,
    "aws_lambda_event_source_mapping": _mapping,
    "aws_lambda_code_signing_config": _code_signing_config,
    "aws_cloudwatch_log_group": _log_group,
    "aws_iam_role": _role,
    "aws_iam_role_policy": _role_policy,
    "aws_cloudwatch_metric_alarm": _alarm,
    "aws_cloudwatch_dashboard": _dashboard,
    "aws_sns_topic": _topic,
    "aws_sns_topic_policy": _topic_policy,
    "aws_sns_topic_subscription": _subscription,
    "aws_kms_key": _key,
    "aws_kms_alias": _alias,
    "aws_s3_bucket": _bucket,
    "aws_s3_bucket_ownership_controls": _bucket_setting(
        lambda s3, name: s3.get_bucket_ownership_controls(Bucket=name), "OwnershipControls"),
    "aws_s3_bucket_public_access_block": _bucket_setting(
        lambda s3, name: s3.get_public_access_block(Bucket=name), "PublicAccessBlock"),
    "aws_s3_bucket_versioning": _bucket_setting(_versioned, "Versioning"),
    "aws_s3_bucket_server_side_encryption_configuration": _bucket_setting(
        lambda s3, name: s3.get_bucket_encryption(Bucket=name), "ServerSideEncryption"),
    "aws_s3_bucket_lifecycle_configuration": _bucket_setting(
        lambda s3, name: s3.get_bucket_lifecycle_configuration(Bucket=name), "LifecycleConfiguration"),
    "aws_s3_bucket_policy": _bucket_setting(lambda s3, name: s3.get_bucket_policy(Bucket=name), "Policy"),
    "aws_dynamodb_table": _table,
    "aws_ses_email_identity": _email_identity,
    "aws_s3_object": _created("a zip named by its inputs' hash: uploaded by the apply"),
    "aws_signer_signing_profile": _created("named by Terraform with a unique suffix (name_prefix): nothing to find"),
    "aws_signer_signing_job": _created("a job runs once per zip; an imported one would be replaced anyway"),
}
