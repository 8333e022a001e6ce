"""Cross-resource rules: what the schema alone cannot see. One small function per rule, each citing its
source.

A rule takes the validated Spec and yields Problems; rules never raise and never print.
"""

from __future__ import annotations

import difflib
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace

from pydantic import BaseModel

from generator.naming import (
    BUCKET_PREFIX_MAX,
    EnvSource,
    bucket_name_prefix,
    bucket_name_too_long,
    dlq_label,
    dlq_name,
    function_environment,
    function_name,
    label,
    queue_label,
    queue_name,
    queue_url_env_var,
    table_name,
)
from generator.problems import Problem, error, warning
from generator.spec.model import Function, Queue, Spec

Rule = Callable[[Spec], Iterator[Problem]]
_MAX_RETENTION = 1_209_600  # SQS MessageRetentionPeriod maximum (14 days)
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def check_rules(spec: Spec) -> list[Problem]:
    return [problem for check in RULES for problem in check(spec)]


def _consumers(spec: Spec) -> Iterator[tuple[str, Function, str, Queue]]:
    """(function key, function, queue key, queue) for every trigger whose queue exists."""
    for fn_key, fn in spec.functions.items():
        if fn.trigger is not None and fn.trigger.queue in spec.queues:
            yield fn_key, fn, fn.trigger.queue, spec.queues[fn.trigger.queue]


def _as_written(model: BaseModel, field: str) -> str:
    """A value for a message, marked when the user did not write it (the problem then points at its table)."""
    value = getattr(model, field)
    return str(value) if field in model.model_fields_set else f"{value} (the default)"


def _unknown_queue(spec: Spec, path: tuple, key: str) -> Problem:
    by_name = {queue_name(k, q): k for k, q in spec.queues.items()}
    if key in by_name:  # the AWS name was written where the key belongs
        return error(path, f"'{key}' is the SQS name of queues.{by_name[key]}, not a queue key",
                     f"refer to queues by their key: '{by_name[key]}'")
    return _unknown(path, key, "queue", spec.queues)


@rule
def references_resolve(spec: Spec) -> Iterator[Problem]:
    """Every trigger.queue and sends_to entry names a queue declared under [queues]."""
    for fn_key, fn in spec.functions.items():
        if fn.trigger is not None and fn.trigger.queue not in spec.queues:
            yield _unknown_queue(spec, ("functions", fn_key, "trigger", "queue"), fn.trigger.queue)
        seen: set[str] = set()
        for index, target in enumerate(fn.sends_to):
            path = ("functions", fn_key, "sends_to", index)
            if target not in spec.queues:
                yield _unknown_queue(spec, path, target)
            if target in seen:
                yield error(path, f"'{target}' is listed twice", "list each queue once")
            seen.add(target)


@rule
def fifo_names_match_queue_type(spec: Spec) -> Iterator[Problem]:
    """SQS: "The name of a FIFO queue must end with the .fifo suffix"; a standard queue's name must not.

    The DLQ of a FIFO queue must also be FIFO (and of a standard queue, standard), so the same applies to
    dlq.name. Default names are derived from the key, so they never double the suffix; a written name that
    doubles it is rejected by the schema (QUEUE_NAME_PATTERN).
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
    """
    for key, queue in spec.queues.items():
        names = ((("queues", key, "name"), queue.name), (("queues", key, "dlq", "name"), queue.dlq.name))
        for path, name in names:
            if name is None:
                continue
            if queue.fifo_queue and not name.endswith(".fifo"):
                yield error(path, f'"{name}" must end with ".fifo" because the queue is FIFO',
                            f'write "{name}.fifo"' + (" (a FIFO queue's dead-letter queue is FIFO too)"
                                                      if "dlq" in path else ""))
            elif not queue.fifo_queue and name.endswith(".fifo"):
                yield error(path, f'"{name}" ends with ".fifo" but the queue is a standard queue',
                            "set fifo_queue = true, or drop the .fifo suffix")
        if queue.content_based_deduplication and not queue.fifo_queue:
            yield error(("queues", key, "content_based_deduplication"),
                        "content-based deduplication exists only on FIFO queues",
                        "remove it, or set fifo_queue = true")


@rule
def dlq_outlives_source(spec: Spec) -> Iterator[Problem]:
    """Standard queues keep a message's original enqueue timestamp when it moves to the DLQ, so a DLQ whose
    retention is not longer than its source's deletes failed messages before anyone sees them.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
    (FIFO queues reset the timestamp on the move, so the rule does not apply to them.)"""
    for key, queue in spec.queues.items():
        if queue.fifo_queue:
            continue
        source, kept = queue.message_retention_seconds, queue.dlq.message_retention_seconds
        if kept > source:
            continue
        hint = ("a message keeps its original enqueue time in the DLQ; "
                + (f"shorten the queue's message_retention_seconds below {_MAX_RETENTION} (the DLQ's maximum)"
                   if kept == _MAX_RETENTION else
                   f"give the DLQ a longer retention (up to {_MAX_RETENTION}) or shorten the queue's"))
        if "message_retention_seconds" in queue.dlq.model_fields_set:
            yield error(("queues", key, "dlq", "message_retention_seconds"),
                        f"{kept} is not longer than the queue's retention ({source}): failed messages would "
                        "expire early in the DLQ", hint)
        else:
            yield error(("queues", key, "message_retention_seconds"),
                        f"{source} is not shorter than the dead-letter queue's retention ({kept}, the "
                        "default): failed messages would expire early in the DLQ", hint)


@rule
def visibility_covers_function_timeout(spec: Spec) -> Iterator[Problem]:
    """Lambda rejects an SQS mapping whose queue visibility timeout is below the function timeout
    ("Queue visibility timeout: 30 seconds is less than Function timeout: 120 seconds"), and recommends at
    least six times the timeout plus the batching window so throttled or retried batches are not redelivered
    while still in flight. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"""
    for fn_key, fn, q_key, queue in _consumers(spec):
        path = ("queues", q_key, "visibility_timeout_seconds")
        window = fn.trigger.maximum_batching_window_seconds
        recommended = 6 * fn.timeout + window
        shown = _as_written(queue, "visibility_timeout_seconds")
        if queue.visibility_timeout_seconds < fn.timeout:
            yield error(
                path,
                f"{shown} is less than functions.{fn_key}.timeout ({fn.timeout}); "
                "AWS rejects the event source mapping",
                f"raise the visibility timeout to at least {fn.timeout} (AWS recommends {recommended}), "
                "or lower the function timeout",
            )
        elif queue.visibility_timeout_seconds < recommended:
            yield warning(
                path,
                f"{shown} is below 6 × functions.{fn_key}.timeout"
                + (f" + batching window ({recommended})" if window else f" ({recommended})")
                + "; a slow or retried batch may be delivered twice",
                f"AWS recommends a visibility timeout of at least {recommended}",
            )


@rule
def batching_limits(spec: Spec) -> Iterator[Problem]:
    """CreateEventSourceMapping: "When you set BatchSize to a value greater than 10, you must set
    MaximumBatchingWindowInSeconds to at least 1." FIFO sources accept at most 10 per batch and no batching
    window. https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html"""
    for fn_key, fn, _q_key, queue in _consumers(spec):
        trigger = fn.trigger
        base = ("functions", fn_key, "trigger")
        if queue.fifo_queue:
            if trigger.batch_size > 10:
                yield error((*base, "batch_size"),
                            f"{trigger.batch_size} is above 10, the maximum for a FIFO queue",
                            "use a batch size of 1-10")
            if trigger.maximum_batching_window_seconds:
                yield error((*base, "maximum_batching_window_seconds"),
                            "a batching window is not supported on FIFO queues", "remove it (or set it to 0)")
        elif trigger.batch_size > 10 and trigger.maximum_batching_window_seconds < 1:
            yield error((*base, "batch_size"),
                        f"{trigger.batch_size} is above 10, which needs maximum_batching_window_seconds ≥ 1",
                        "set maximum_batching_window_seconds to at least 1, or a batch size of 10 or less")


@rule
def low_receive_count_needs_concurrency_cap(spec: Spec) -> Iterator[Problem]:
    """A throttled invocation still counts as a receive, so with a low maxReceiveCount good messages reach
    the DLQ when Lambda throttles. AWS suggests maxReceiveCount ≥ 5 for Lambda consumers, or capping the
    mapping with MaximumConcurrency so it never outruns the function's concurrency.
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"""
    for fn_key, fn, q_key, queue in _consumers(spec):
        if queue.max_receive_count < 5 and fn.trigger.maximum_concurrency is None:
            yield warning(
                ("queues", q_key, "max_receive_count"),
                f"{queue.max_receive_count} is below 5 on a queue consumed by functions.{fn_key} without "
                "maximum_concurrency; throttled receives can send good messages to the DLQ",
                f"set functions.{fn_key}.trigger.maximum_concurrency, "
                "or raise max_receive_count to 5 or more",
            )


@rule
def reserved_concurrency_covers_mapping(spec: Spec) -> Iterator[Problem]:
    """Reserved concurrency below the mapping's MaximumConcurrency (or with no MaximumConcurrency at all, when
    the mapping scales up to its own limit) throttles the function, and throttled receives count towards
    maxReceiveCount. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"""
    for fn_key, fn in spec.functions.items():
        reserved = fn.reserved_concurrent_executions
        if reserved is None or fn.trigger is None:
            continue
        path = ("functions", fn_key, "reserved_concurrent_executions")
        if reserved == 0:
            yield warning(path, "0 stops the function from running; its queue will fill and move to the DLQ",
                          "to pause processing, set trigger.enabled = false instead")
        elif fn.trigger.maximum_concurrency is None:
            cap = (f"set functions.{fn_key}.trigger.maximum_concurrency to at most {reserved}"
                   if reserved >= 2 else
                   "raise it to at least 2 and set trigger.maximum_concurrency = 2 (its minimum)")
            yield warning(path, f"{reserved} caps the function, but trigger.maximum_concurrency is not set: "
                          "the mapping scales past the cap and its throttled receives count towards "
                          "maxReceiveCount", cap)
        elif reserved < fn.trigger.maximum_concurrency:
            yield warning(path, f"{reserved} is below trigger.maximum_concurrency "
                          f"({fn.trigger.maximum_concurrency}); the mapping will be throttled",
                          "keep reserved concurrency ≥ the mapping's maximum_concurrency")


@rule
def one_consumer_per_queue(spec: Spec) -> Iterator[Problem]:
    """Two functions polling one queue split its messages between them at random: each message reaches only
    one. Fan out with one queue per consumer instead."""
    by_queue: dict[str, list[str]] = defaultdict(list)
    for fn_key, _fn, q_key, _queue in _consumers(spec):
        by_queue[q_key].append(fn_key)
    for q_key, fn_keys in by_queue.items():
        if len(fn_keys) > 1:
            for fn_key in fn_keys[1:]:
                yield error(("functions", fn_key, "trigger", "queue"),
                            f"queue '{q_key}' is already consumed by functions.{fn_keys[0]}; each message "
                            "would reach only one of them",
                            "give each consumer its own queue")


@rule
def age_alarm_can_fire(spec: Spec) -> Iterator[Problem]:
    """A message is deleted when it reaches the retention period, so an age alarm at or above it never
    fires. Reported at whichever of the two the user wrote."""
    for key, queue in spec.queues.items():
        threshold, retention = queue.oldest_message_alarm_seconds, queue.message_retention_seconds
        if threshold < retention:
            continue
        hint = "set oldest_message_alarm_seconds well below message_retention_seconds"
        if "oldest_message_alarm_seconds" in queue.model_fields_set:
            yield error(("queues", key, "oldest_message_alarm_seconds"),
                        f"{threshold} is not below the retention period ({retention}); the alarm could never "
                        "fire", hint)
        else:
            yield error(("queues", key, "message_retention_seconds"),
                        f"{retention} is not above oldest_message_alarm_seconds ({threshold}, the default); "
                        "the age alarm could never fire", hint)


@rule
def labels_are_unique(spec: Spec) -> Iterator[Problem]:
    """Terraform addresses must be unique; keys that differ only in '-' versus '_' (or a queue key that
    collides with another queue's `<key>-dlq`) would produce the same resource label."""
    seen: dict[str, str] = {}  # label → which queue (or whose dead-letter queue) has it
    for key in spec.queues:
        for resource_label, owner in ((queue_label(key), f"queues.{key}"),
                                      (dlq_label(key), f"the dead-letter queue of queues.{key}")):
            if resource_label in seen:
                mine = "its" if owner.startswith("queues.") else "its dead-letter queue's"
                yield error(("queues", key), f"{mine} Terraform label '{resource_label}' is already the "
                            f"label of {seen[resource_label]} ('-' becomes '_' in labels)",
                            "rename one of the keys")
                break
            seen[resource_label] = owner
    for kind, items in (("functions", spec.functions), ("tables", spec.tables), ("buckets", spec.buckets)):
        owners: dict[str, str] = {}
        for key in items:
            if label(key) in owners:
                yield error((kind, key), f"its Terraform label '{label(key)}' is already the label of "
                            f"{kind}.{owners[label(key)]} ('-' becomes '_' in labels)",
                            "rename one of the keys")
            owners.setdefault(label(key), key)


@rule
def aws_names_are_unique(spec: Spec) -> Iterator[Problem]:
    """Queue names are unique per account and region (DLQs included); so are function and table names.
    CloudWatch alarm names are too, and a queue's alarms are named after it without `.fifo` (plan/build.py),
    so two queue names may not differ only by that suffix."""
    owners: dict[str, str] = {}
    alarm_bases: dict[str, tuple[str, str]] = {}
    for key, queue in spec.queues.items():
        for path, name, owner, written in (
            (("queues", key, "name"), queue_name(key, queue), f"queues.{key}", queue.name),
            (("queues", key, "dlq", "name"), dlq_name(key, queue), f"the dead-letter queue of queues.{key}",
             queue.dlq.name),
        ):
            owner += "" if written else " (its default name)"
            base = name.removesuffix(".fifo")
            if name in owners:
                default = "" if written else " (the default name)"
                yield error(path, f'queue name "{name}"{default} is already used by {owners[name]}',
                            "give every queue and dead-letter queue its own name")
            elif base in alarm_bases:
                other_owner, other = alarm_bases[base]
                yield error(path, f'"{name}" differs from "{other}" ({other_owner}) only by ".fifo": their '
                            "CloudWatch alarms, named without the suffix, would have the same name",
                            "give one of them another name")
            owners.setdefault(name, owner)
            alarm_bases.setdefault(base, (owner, name))
    for kind, what, names in (
        ("functions", "function", {key: function_name(key, fn) for key, fn in spec.functions.items()}),
        ("tables", "table", {key: table_name(spec.project.name, key, t) for key, t in spec.tables.items()}),
    ):
        owners_by_name: dict[str, str] = {}
        for key, name in names.items():
            if name in owners_by_name:
                yield error((kind, key, "name"), f'{what} name "{name}" is already used by {kind}.'
                            f"{owners_by_name[name]}", f"give every {what} its own name")
            owners_by_name.setdefault(name, key)


# Lambda sets these itself and rejects a function that defines them.
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
RESERVED_ENV_VARS = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})


@rule
def environment_variables_are_valid(spec: Spec) -> Iterator[Problem]:
    """A function's environment holds the URL of every queue it sends to, the names of its tables and
    buckets, the sender address and its own `environment` table; names must not collide with each other nor
    with Lambda's reserved variables."""
    for key, queue in spec.queues.items():
        name = queue_url_env_var(key, queue)
        if name in RESERVED_ENV_VARS:
            default = queue_url_env_var(key, queue.model_copy(update={"url_env_var": None}))
            yield error(("queues", key, "url_env_var"),
                        f"{name} is reserved by Lambda, which sets it in every function",
                        f"choose another name, e.g. {default} (the default)")
    for kind, items in (("tables", spec.tables), ("buckets", spec.buckets)):
        for key, item in items.items():
            if item.env_var in RESERVED_ENV_VARS:
                yield error((kind, key, "env_var"), f"{item.env_var} is reserved by Lambda, which sets it in "
                            "every function", "choose another name")
    if spec.email is not None and spec.email.env_var in RESERVED_ENV_VARS:
        yield error(("email", "env_var"), f"{spec.email.env_var} is reserved by Lambda, which sets it in every "
                    "function", "choose another name")
    for fn_key, fn in spec.functions.items():
        for name in fn.environment:
            if name in RESERVED_ENV_VARS:
                yield error(("functions", fn_key, "environment", name),
                            f"{name} is reserved by Lambda, which sets it itself and rejects the function",
                            "remove it (the code can still read it), or choose another name")
        for name, sources in function_environment(spec, fn).items():
            for first, later in itertools.pairwise(sources):
                yield _env_collision(fn_key, fn, name, first, later)


def _env_collision(fn_key: str, fn: Function, name: str, first: EnvSource, later: EnvSource) -> Problem:
    if later.kind == "setting" and first.kind == "queue":
        return error(("functions", fn_key, "environment", name),
                     f"{name} is already set to the URL of queue '{first.key}'",
                     "remove it from environment, or rename the queue's url_env_var")
    if later.kind == "queue" and first.kind == "queue":
        return error(("functions", fn_key, "sends_to", fn.sends_to.index(later.key)),
                     f"queues '{first.key}' and '{later.key}' would both set the variable {name}",
                     f"give queues.{later.key} another url_env_var")
    path = {
        "queue": ("functions", fn_key, "sends_to", fn.sends_to.index(later.key) if later.key in fn.sends_to else 0),
        "table": ("functions", fn_key, "tables", later.key),
        "bucket": ("functions", fn_key, "buckets", later.key),
        "email": ("functions", fn_key, "sends_email"),
        "setting": ("functions", fn_key, "environment", name),
    }[later.kind]
    return error(path, f"{name} would be set by both {_describe(first)} and {_describe(later)}",
                 "rename one of them (url_env_var / env_var), or drop the setting")


def _describe(source: EnvSource) -> str:
    return {"setting": "its environment table", "email": "[email]"}.get(source.kind, f"{source.kind} '{source.key}'")


@rule
def storage_references_resolve(spec: Spec) -> Iterator[Problem]:
    """Tables and buckets a function uses are declared; sending email needs an [email] sender; every grant
    grants something."""
    for fn_key, fn in spec.functions.items():
        for key, actions in fn.tables.items():
            path = ("functions", fn_key, "tables", key)
            if key not in spec.tables:
                yield _unknown(path, key, "table", spec.tables)
            if not actions:
                yield error(path, "grants no actions", 'list the DynamoDB actions it needs, e.g. ["GetItem"]')
            elif len(set(actions)) != len(actions):
                yield error(path, "lists an action twice", "list each action once")
        for key, access in fn.buckets.items():
            path = ("functions", fn_key, "buckets", key)
            if key not in spec.buckets:
                yield _unknown(path, key, "bucket", spec.buckets)
            if not (access.read or access.write or access.list):
                yield error(path, "grants nothing", 'list prefixes under read, write or list, e.g. write = ["videos/"]')
        if fn.sends_email and spec.email is None:
            yield error(("functions", fn_key, "sends_email"), "there is no [email] sender to send from",
                        'add an [email] table with sender = "noreply@example.com"')


def _unknown(path: tuple, key: str, what: str, known: dict) -> Problem:
    close = difflib.get_close_matches(key, list(known), n=1)
    listed = ", ".join(sorted(known)) or "none declared"
    problem = error(path, f"no {what} with key '{key}' in [{what}s]",
                    (f"did you mean '{close[0]}'? " if close else "") + f"{what}s: {listed}")
    return replace(problem, refers_to=(f"{what}s", key))


@rule
def table_keys_are_distinct(spec: Spec) -> Iterator[Problem]:
    """DynamoDB: the partition and sort keys are different attributes, and the TTL attribute is neither
    (key attributes must be present on every item; TTL values are numbers, keys here are strings)."""
    for key, table in spec.tables.items():
        if table.range_key is not None and table.range_key == table.hash_key:
            yield error(("tables", key, "range_key"), f'"{table.range_key}" is already the hash key',
                        "use another attribute as the sort key, or remove range_key")
        if table.ttl_attribute in (table.hash_key, table.range_key):
            yield error(("tables", key, "ttl_attribute"), f'"{table.ttl_attribute}" is a key attribute',
                        "use a separate numeric attribute for the expiry")


@rule
def subscribers_are_unique(spec: Spec) -> Iterator[Problem]:
    """SNS keeps one subscription per endpoint; a repeated address would be two Terraform resources for
    one."""
    seen: set[str] = set()
    for index, address in enumerate(spec.alarms.email_subscribers):
        if address.lower() in seen:
            yield error(("alarms", "email_subscribers", index), f'"{address}" is listed twice',
                        "list it once (addresses are compared without regard to case)")
        seen.add(address.lower())


@rule
def function_keys_are_not_reserved(spec: Spec) -> Iterator[Problem]:
    """`<lambdas_dir>/common/` is the code shared by every function, so it cannot be a function's folder too;
    and IAM role names (the function name + `-role`) are limited to 64 characters."""
    for key, fn in spec.functions.items():
        if (fn.source or key) == "common":
            yield error(("functions", key, "source") if fn.source else ("functions", key),
                        "'common' is the folder of the code shared by every function",
                        "give the function another key or source folder")
        role = f"{function_name(key, fn)}-role"
        if len(role) > 64:
            path = ("functions", key, "name") if fn.name else ("functions", key)
            yield error(path, f"the role name '{role}' is longer than 64 "
                        "characters", "use a function name of at most 59 characters")


@rule
def bucket_names_fit(spec: Spec) -> Iterator[Problem]:
    """S3 bucket names are at most 63 characters and global; ours are `<project>-<key>-<account>-<region>`
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). The key `artifacts` names
    the bucket the generator adds for zips over 50 MB."""
    for key in spec.buckets:
        prefix = bucket_name_prefix(spec.project.name, key)
        if key == "artifacts":
            yield error(("buckets", key), "'artifacts' is the bucket the generator adds for zips over 50 MB",
                        "give the bucket another key")
        elif bucket_name_too_long(prefix):
            yield error(("buckets", key), f'"{prefix}-<account id>-<region>" can exceed S3\'s 63 characters',
                        f"keep the project name and bucket key within {BUCKET_PREFIX_MAX - 1} characters together")


@rule
def no_function_feeds_its_own_trigger(spec: Spec) -> Iterator[Problem]:
    """A function that sends to the queue that triggers it can loop forever (and bill for it); Lambda's
    recursive loop detection stops such a loop only after about 16 rounds.
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html"""
    for fn_key, fn in spec.functions.items():
        if fn.trigger is not None and fn.trigger.queue in fn.sends_to:
            yield warning(("functions", fn_key, "sends_to", fn.sends_to.index(fn.trigger.queue)),
                          f"functions.{fn_key} sends to '{fn.trigger.queue}', the queue that triggers it: "
                          "a message can loop forever",
                          "make sure every loop ends (e.g. a hop counter in the message), or use another queue")


# The top-level fields of an SQS record a Lambda event filter can match on.
# https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html
_SQS_FILTER_FIELDS = frozenset({
    "attributes", "awsRegion", "body", "eventSource", "eventSourceARN", "md5OfBody", "messageAttributes",
    "messageId", "receiptHandle",
})


def _filter_leaves(pattern: object, path: tuple) -> Iterator[tuple]:
    """Paths of the values in a filter pattern that are not arrays (Lambda wants an array at every leaf)."""
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            yield from _filter_leaves(value, (*path, key))
    elif not isinstance(pattern, list):
        yield path


@rule
def filter_patterns_are_well_formed(spec: Spec) -> Iterator[Problem]:
    """Lambda event filtering on SQS: a pattern matches fields of the record (body, messageAttributes, …) and
    every value it compares is an array; anything else fails at apply or silently matches nothing.
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html"""
    for fn_key, fn in spec.functions.items():
        if fn.trigger is None:
            continue
        for index, pattern in enumerate(fn.trigger.filter_patterns):
            path = ("functions", fn_key, "trigger", "filter_patterns", index)
            unknown = sorted(set(pattern) - _SQS_FILTER_FIELDS)
            if unknown or not pattern:
                yield error(path, f"filters on {', '.join(unknown)}, which is not a field of an SQS record"
                            if unknown else "is empty", "filter on: " + ", ".join(sorted(_SQS_FILTER_FIELDS)))
            for leaf in _filter_leaves(pattern, ()):
                yield error(path, f"the value at {'.'.join(map(str, leaf))} is not an array",
                            f'write it as an array, e.g. {leaf[-1]} = ["value"]')


# Lambda: "The total size of all environment variables doesn't exceed 4 KB."
_ENVIRONMENT_LIMIT = 4096
_QUEUE_URL_ESTIMATE = 120  # https://sqs.<region>.amazonaws.com/<account>/<up to 80 characters>


@rule
def environment_fits(spec: Spec) -> Iterator[Problem]:
    """Lambda rejects a function whose environment variables exceed 4 KB in total (names and values).
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html"""
    for fn_key, fn in spec.functions.items():
        size = len("POWERTOOLS_SERVICE_NAME") + len(function_name(fn_key, fn))  # set for every function
        for name, sources in function_environment(spec, fn).items():
            source = sources[0]
            value = fn.environment[name] if source.kind == "setting" else "x" * _QUEUE_URL_ESTIMATE
            size += len(name.encode()) + len(value.encode())
        if size > _ENVIRONMENT_LIMIT:
            yield error(("functions", fn_key, "environment"),
                        f"the environment would take about {size} bytes; Lambda allows 4096 in total",
                        "move large settings to SSM Parameter Store or S3 and pass their names instead")
