"""The seed's Tests 2 and 3 and its alarms, for every queue and DLQ of queues.toml, on either target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from boto3.session import Session
    from types_boto3_cloudwatch import CloudWatchClient
    from types_boto3_sqs.literals import QueueAttributeNameType

    from generator.ops.topology import QueueRef, Topology

COUNTS: tuple[QueueAttributeNameType, ...] = (
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")


@dataclass(frozen=True)
class QueueStatus:
    key: str
    name: str
    is_dlq: bool
    exists: bool
    visible: int = 0
    in_flight: int = 0
    delayed: int = 0
    oldest_age_seconds: float | None = None

    @property
    def total(self) -> int:
        return self.visible + self.in_flight + self.delayed


@dataclass(frozen=True)
class AlarmStatus:
    name: str
    state: str
    reason: str


@dataclass(frozen=True)
class MappingStatus:
    function: str
    queue: str
    state: str  # the mapping's State (Enabled, Disabled, Disabling, …), or "missing"


@dataclass(frozen=True)
class FunctionStatus:
    name: str
    live: str | None  # the version its live alias points at; None: no live alias (or no function)
    newest: str | None  # its newest published version
    exists: bool


@dataclass(frozen=True)
class Snapshot:
    queues: list[QueueStatus]
    mappings: list[MappingStatus]
    alarms: list[AlarmStatus]
    functions: list[FunctionStatus]


def snapshot(session: Session, endpoint: str | None, topology: Topology) -> Snapshot:
    """Every queue and DLQ of the topology, its consumers' mappings and the alarms on either, on the target."""
    queues = queue_statuses(session, endpoint, topology.queues())
    triggers = [(t.function_name, t.queue.name) for t in topology.triggers()]
    resources = {s.name for s in queues} | set(topology.function_names())
    return Snapshot(queues, mapping_statuses(session, endpoint, triggers), alarm_statuses(session, endpoint, resources),
                    function_statuses(session, endpoint, topology.function_names()))


def function_statuses(session: Session, endpoint: str | None, names: list[str]) -> list[FunctionStatus]:
    """Each function's live version (what its mappings and URL invoke) and its newest published one."""
    from generator.ops.rollback import live_version, versions

    lambda_ = session.client("lambda", endpoint_url=endpoint)
    found = []
    for name in names:
        try:
            history = versions(lambda_, name)
        except lambda_.exceptions.ResourceNotFoundException:
            found.append(FunctionStatus(name, None, None, exists=False))
            continue
        found.append(FunctionStatus(name, live_version(lambda_, name), history[-1].number if history else None,
                                    exists=True))
    return found


def format_functions(statuses: list[FunctionStatus]) -> list[str]:
    width = max([len("function")] + [len(s.name) for s in statuses])
    lines = [f"  {'function':<{width}}  live version"]
    for status in statuses:
        if not status.exists:
            state = "missing"
        elif status.live is None:
            state = "no live alias ($LATEST invoked directly)"
        elif status.live != status.newest:
            state = f"{status.live} (rolled back: the newest is {status.newest})"
        else:
            state = status.live
        lines.append(f"  {status.name:<{width}}  {state}")
    return lines


def queue_statuses(session: Session, endpoint: str | None, queues: list[QueueRef]) -> list[QueueStatus]:
    sqs = session.client("sqs", endpoint_url=endpoint)
    cloudwatch = session.client("cloudwatch", endpoint_url=endpoint)
    found = []
    for key, name, is_dlq in ((q.key, q.name, q.is_dlq) for q in queues):
        try:
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except sqs.exceptions.QueueDoesNotExist:
            found.append(QueueStatus(key, name, is_dlq, exists=False))
            continue
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(COUNTS))["Attributes"]
        found.append(QueueStatus(
            key, name, is_dlq, exists=True,
            visible=int(attributes.get(COUNTS[0], 0)),
            in_flight=int(attributes.get(COUNTS[1], 0)),
            delayed=int(attributes.get(COUNTS[2], 0)),
            oldest_age_seconds=_oldest_age(cloudwatch, name),
        ))
    return found


def _oldest_age(cloudwatch: CloudWatchClient, queue_name: str) -> float | None:
    """ApproximateAgeOfOldestMessage: SQS publishes it to CloudWatch only (the API has no such attribute)."""
    now = dt.datetime.now(dt.UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/SQS", MetricName="ApproximateAgeOfOldestMessage",
        Dimensions=[{"Name": "QueueName", "Value": queue_name}],
        StartTime=now - dt.timedelta(minutes=5), EndTime=now, Period=60, Statistics=["Maximum"],
    )["Datapoints"]  # fmt: skip
    if not points:
        return None
    return max(points, key=lambda point: point["Timestamp"])["Maximum"]


def alarm_statuses(session: Session, endpoint: str | None, resources: set[str]) -> list[AlarmStatus]:
    """Every metric alarm on one of these queues or functions (by its QueueName/FunctionName dimension)."""
    cloudwatch = session.client("cloudwatch", endpoint_url=endpoint)
    found = []
    for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"]):
        for alarm in page.get("MetricAlarms", []):
            watched = {d["Value"] for d in alarm.get("Dimensions", []) if d["Name"] in ("QueueName", "FunctionName")}
            if watched & resources:
                found.append(AlarmStatus(alarm["AlarmName"], alarm["StateValue"], alarm.get("StateReason", "")))
    return sorted(found, key=lambda status: status.name)


def mapping_statuses(session: Session, endpoint: str | None, triggers: list[tuple[str, str]]) -> list[MappingStatus]:
    """triggers: (function name, queue name) as queues.toml declares them; each mapping's state on the target."""
    states = mapping_states(session, endpoint)
    return [MappingStatus(function, queue, states.get((function, queue), "missing")) for function, queue in triggers]


def mapping_states(session: Session, endpoint: str | None) -> dict[tuple[str, str], str]:
    """(function name, queue name) → State of every event source mapping on the target."""
    lambda_ = session.client("lambda", endpoint_url=endpoint)
    states = {}
    for page in lambda_.get_paginator("list_event_source_mappings").paginate():
        for mapping in page.get("EventSourceMappings", []):
            pair = (mapping["FunctionArn"].split(":")[6], mapping["EventSourceArn"].rsplit(":", 1)[-1])
            states[pair] = mapping.get("State", "")
    return states


def format_mappings(statuses: list[MappingStatus]) -> list[str]:
    width = max([len("consumer")] + [len(s.function) for s in statuses])
    queue_width = max([len("queue")] + [len(s.queue) for s in statuses])
    lines = [f"  {'consumer':<{width}}    {'queue':<{queue_width}}  mapping"]
    return lines + [f"  {s.function:<{width}} ←  {s.queue:<{queue_width}}  {s.state}" for s in statuses]


def format_age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def format_queues(statuses: list[QueueStatus]) -> list[str]:
    width = max([len("queue")] + [len(s.name) + (2 if s.is_dlq else 0) for s in statuses])
    lines = [f"  {'queue':<{width}}  {'visible':>7}  {'in flight':>9}  {'delayed':>7}  {'oldest':>7}"]
    for status in statuses:
        name = ("  " if status.is_dlq else "") + status.name
        if not status.exists:
            lines.append(f"  {name:<{width}}  (does not exist)")
            continue
        lines.append(f"  {name:<{width}}  {status.visible:>7}  {status.in_flight:>9}  {status.delayed:>7}  "
                     f"{format_age(status.oldest_age_seconds):>7}")
    return lines


def format_alarms(statuses: list[AlarmStatus]) -> list[str]:
    width = max([len("alarm")] + [len(s.name) for s in statuses])
    return [f"  {'alarm':<{width}}  state"] + [f"  {s.name:<{width}}  {s.state}" for s in statuses]
