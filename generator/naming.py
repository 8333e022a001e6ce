"""How TOML keys become AWS names, Terraform labels and environment variable names. Decided once, here."""

from __future__ import annotations

from dataclasses import dataclass

from generator import hcl
from generator.spec.model import Bucket, Function, Queue, Spec, Table, TriggerSettings


def label(key: str) -> str:
    """Terraform label for a TOML key: snake_case."""
    return key.replace("-", "_")


def queue_label(key: str) -> str:
    return label(key)


def dlq_label(key: str) -> str:
    return f"{label(key)}_dlq"


def _fifo_suffix(queue: Queue) -> str:
    return ".fifo" if queue.fifo_queue else ""


def queue_name(key: str, queue: Queue) -> str:
    return queue.name or f"{key}-queue{_fifo_suffix(queue)}"


def dlq_name(key: str, queue: Queue) -> str:
    return queue.dlq.name or f"{key}-dlq{_fifo_suffix(queue)}"


def queue_url_env_var(key: str, queue: Queue) -> str:
    return queue.url_env_var or f"{label(key).upper()}_QUEUE_URL"


def function_name(key: str, function: Function) -> str:
    return function.name or key


# Every function is reached through this alias (mappings, function URLs): `rollback` moves it to an earlier
# published version without a deploy.
LIVE_ALIAS = "live"


def alias_label(key: str) -> str:
    return f"{label(key)}_live"


@dataclass(frozen=True)
class BoundTrigger:
    """One queue invoking one function: `trigger = {...}`, or a `[functions.<key>.triggers.<queue>]` table."""

    queue: str  # the queue key
    settings: TriggerSettings
    path: tuple[str, ...]  # where it is written in queues.toml
    label: str  # the event source mapping's Terraform label
    output_key: str  # its key in the event_source_mapping_uuids output

    @property
    def queue_path(self) -> tuple[str, ...]:
        """Where the queue is named: trigger.queue, or the key of the triggers table."""
        return (*self.path, "queue") if self.path[-1] == "trigger" else self.path


def function_triggers(key: str, function: Function) -> list[BoundTrigger]:
    """The function's triggers, `trigger` first. `trigger` keeps the label it always had (the function's), so
    adding `triggers` later never replaces an existing mapping; each `triggers.<queue>` is `<function>_<queue>`."""
    found = []
    if function.trigger is not None:
        found.append(BoundTrigger(function.trigger.queue, function.trigger, ("functions", key, "trigger"),
                                  label(key), key))
    for queue, settings in function.triggers.items():
        found.append(BoundTrigger(queue, settings, ("functions", key, "triggers", queue),
                                  f"{label(key)}_{label(queue)}", f"{key}/{queue}"))
    return found


def camel(key: str) -> str:
    """`video-processing` → `VideoProcessing`, for IAM statement ids."""
    return "".join(part.capitalize() for part in key.replace("_", "-").split("-") if part)


def table_name(project: str, key: str, table: Table) -> str:
    return table.name or f"{project}-{key}"


def table_env_var(key: str, table: Table) -> str:
    return table.env_var or f"{label(key).upper()}_TABLE"


def bucket_env_var(key: str, bucket: Bucket) -> str:
    return bucket.env_var or f"{label(key).upper()}_BUCKET"


@dataclass(frozen=True)
class EnvSource:
    """Where a function's environment variable comes from: a queue, table, bucket, the sender, or TOML."""

    kind: str  # "queue" | "table" | "bucket" | "email" | "setting"
    key: str  # the queue/table/bucket key, or the variable name for settings


def function_environment(spec: Spec, function: Function) -> dict[str, list[EnvSource]]:
    """Every environment variable the function gets, with all its sources (more than one is a collision).

    References that do not resolve are skipped; generator/rules/ reports them."""
    found: dict[str, list[EnvSource]] = {}

    def add(name: str, source: EnvSource) -> None:
        found.setdefault(name, []).append(source)

    for key in dict.fromkeys(function.sends_to):
        if key in spec.queues:
            add(queue_url_env_var(key, spec.queues[key]), EnvSource("queue", key))
    for key in function.tables:
        if key in spec.tables:
            add(table_env_var(key, spec.tables[key]), EnvSource("table", key))
    for key in function.buckets:
        if key in spec.buckets:
            add(bucket_env_var(key, spec.buckets[key]), EnvSource("bucket", key))
    if function.sends_email and spec.email is not None:
        add(spec.email.env_var, EnvSource("email", "sender"))
    for name in function.environment:
        add(name, EnvSource("setting", name))
    return found


# Worst cases for names that embed where they are deployed. Region names are at most 14 characters
# (ap-southeast-5, cn-northwest-1, ...); account ids are always 12 digits.
LONGEST_REGION = "ap-southeast-5"
ACCOUNT_ID_LENGTH = 12
SERVICE_NAME_VARIABLE = "POWERTOOLS_SERVICE_NAME"  # every function's: its name, for Powertools' logs


def queue_url(region: str, account_digits: int, name: str) -> str:
    """An SQS queue URL as the provider reports it (aws_sqs_queue.<label>.url)."""
    return f"https://sqs.{region}.amazonaws.com/{'1' * account_digits}/{name}"


# S3 bucket names: 3-63 characters, global. Ours are `<project>-<key>-<account id>-<region>`: the account and
# region make them unique without a random suffix, so the name is the same on every run and machine.
_BUCKET_NAME_MAX = 63
_BUCKET_NAME_SUFFIX = len("-") + ACCOUNT_ID_LENGTH + len("-") + len(LONGEST_REGION)


def bucket_label(key: str) -> str:
    return label(key)


def bucket_name_prefix(project: str, key: str) -> str:
    return f"{project}-{key}".replace("_", "-")  # S3 bucket names allow no underscores


BUCKET_PREFIX_MAX = _BUCKET_NAME_MAX - _BUCKET_NAME_SUFFIX  # what `<project>-<key>` may take


def bucket_name_too_long(prefix: str) -> bool:
    return len(prefix) > BUCKET_PREFIX_MAX


def bucket_name_expression(prefix: str) -> str:
    """The bucket name as an HCL template string, in this environment."""
    return f'"${{{NAME_PREFIX}}}{prefix}-${{local.account_id}}-${{local.region}}"'


ARTIFACTS_KEY = "artifacts"  # the bucket the generator adds for zips over Lambda's direct-upload limit


# ── environments ─────────────────────────────────────────────────────────────────────────────────────────
# Several environments share one account: every AWS name is printed as "${local.name_prefix}<literal>", where
# the prefix is "" in the default environment (the names of queues.toml, exactly) and "<environment>-" in the
# others. The environment may be as long as the tightest AWS name limit allows, and no longer than a cap that
# keeps queue URLs (in the functions' 4 KB of environment variables) short.
NAME_PREFIX = "local.name_prefix"
ENVIRONMENT_CAP = 16


def prefixed(name: str, before: str = "") -> str:
    """The HCL string of an AWS name in this environment: `"<before>${local.name_prefix}<name>"`."""
    return f'"{hcl.quote(before)[1:-1]}${{{NAME_PREFIX}}}{hcl.quote(name)[1:-1]}"'


@dataclass(frozen=True)
class EnvironmentRoom:
    """How long the environment may be, and the name that decides it (for the variable's error message)."""

    length: int
    reason: str


def environment_room(spec: Spec) -> EnvironmentRoom:
    """The longest environment with which every AWS name of the spec still fits (`<environment>-` + name)."""
    limits: list[tuple[int, int, str]] = []  # (limit, length without the prefix, the name as shown)
    for key, fn in spec.functions.items():
        role = f"{function_name(key, fn)}-role"  # longer than the function name, with the same limit (64)
        limits.append((64, len(role), f'the IAM role name "<environment>-{role}"'))
    for key, queue in spec.queues.items():
        for name in (queue_name(key, queue), dlq_name(key, queue)):
            limits.append((80, len(name), f'the SQS queue name "<environment>-{name}"'))
    for key, table in spec.tables.items():
        name = table_name(spec.project.name, key, table)
        limits.append((255, len(name), f'the DynamoDB table name "<environment>-{name}"'))
    topic = spec.alarms.topic_name
    limits.append((256, len(topic), f'the SNS topic name "<environment>-{topic}"'))
    for key in [*spec.buckets, ARTIFACTS_KEY]:  # the artifacts bucket comes with any zip over 50 MB
        prefix = bucket_name_prefix(spec.project.name, key)
        limits.append((_BUCKET_NAME_MAX, len(prefix) + _BUCKET_NAME_SUFFIX,
                       f'the S3 bucket name "<environment>-{prefix}-<account id>-<region>"'))
    limit, length, shown = min(limits, key=lambda item: (item[0] - item[1], item[2]))
    room = limit - length - 1  # the hyphen after the environment
    if room >= ENVIRONMENT_CAP:
        return EnvironmentRoom(ENVIRONMENT_CAP, f"environment names are at most {ENVIRONMENT_CAP} characters")
    return EnvironmentRoom(max(room, 0), f"{shown} may not exceed {limit} characters")


def longest_prefix(spec: Spec) -> str:
    """The name prefix of the longest environment the spec allows (for worst-case sizes)."""
    length = environment_room(spec).length
    return "e" * length + "-" if length else ""
