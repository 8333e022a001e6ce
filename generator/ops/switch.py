"""`disable` / `enable`: the week-1 plan's emergency rollback, an event source mapping switched through the API.

The lasting change is queues.toml's `enabled` (docs/guide/operations.md, "Rollback"): after the emergency switch
the command says where to write it. Until it is committed, `terraform plan` shows the mapping's drift and the next
`terraform apply` switches it back to what queues.toml says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.command import CommandError
from generator.ops.topology import Topology, TriggerRef

if TYPE_CHECKING:
    from types_boto3_lambda import LambdaClient
    from types_boto3_lambda.type_defs import EventSourceMappingConfigurationTypeDef
    from types_boto3_sqs import SQSClient

SETTLE_TIMEOUT = 120.0  # Lambda takes seconds, sometimes a minute, from Disabling to Disabled
SETTLE_POLL = 1.0
_FINAL = {True: "Enabled", False: "Disabled"}


class SwitchError(CommandError):
    pass


@dataclass(frozen=True)
class Switched:
    trigger: TriggerRef
    uuid: str
    before: str  # the mapping's State before
    after: str


def queue_arn(sqs: SQSClient, name: str) -> str:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def mapping_of(lambda_: LambdaClient, sqs: SQSClient, trigger: TriggerRef) -> EventSourceMappingConfigurationTypeDef:
    arn = queue_arn(sqs, trigger.queue.name)
    # by the queue, then the function's name whatever the qualifier (the generated mappings invoke its live alias)
    found = lambda_.list_event_source_mappings(EventSourceArn=arn)
    mappings = [m for m in found["EventSourceMappings"]
                if m["EventSourceArn"] == arn and m["FunctionArn"].split(":")[6] == trigger.function_name]
    if not mappings:
        raise SwitchError(f"there is no event source mapping from {trigger.queue.name} to {trigger.function_name} "
                            "here: apply terraform/ first (or check --environment and the region)")
    return mappings[0]


def switch(lambda_: LambdaClient, sqs: SQSClient, trigger: TriggerRef, enabled: bool,
           progress: Callable[[str], None]) -> Switched:
    mapping = mapping_of(lambda_, sqs, trigger)
    before = mapping.get("State", "")
    if before == _FINAL[enabled]:
        return Switched(trigger, mapping["UUID"], before, before)
    lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=enabled)
    deadline = time.monotonic() + SETTLE_TIMEOUT
    last_report = time.monotonic()
    while True:
        state = lambda_.get_event_source_mapping(UUID=mapping["UUID"]).get("State", "")
        if state == _FINAL[enabled]:
            return Switched(trigger, mapping["UUID"], before, state)
        if time.monotonic() > deadline:
            raise SwitchError(f"the mapping {mapping['UUID']} is still {state} after {SETTLE_TIMEOUT:.0f} s; "
                                "check it with `aws lambda get-event-source-mapping --uuid ...`")
        if time.monotonic() - last_report >= 5:
            progress(f"{trigger.function_name} ← {trigger.queue.name}: {state}")
            last_report = time.monotonic()
        time.sleep(SETTLE_POLL)


def advice(topology: Topology, switched: Switched, enabled: bool) -> list[str]:
    """What to do in queues.toml so the switch lasts (or that nothing needs doing)."""
    trigger = switched.trigger
    where = topology.where((*trigger.path, "enabled"))
    key = ".".join(trigger.path)
    if trigger.enabled == enabled:
        return [f"  {topology.spec_path} already says `enabled = {str(enabled).lower()}` at {key} ({where}): "
                "the next apply keeps it"]
    return [
        f"  make it last: set `enabled = {str(enabled).lower()}` at {key} ({where}), run `make generate`, commit,",
        "  and apply; until then `terraform plan` shows this mapping's drift and the next `terraform apply` "
        f"{'disables' if enabled else 'enables'} it again",
    ]


def describe(switched: Switched, enabled: bool) -> str:
    trigger = switched.trigger
    arrow = f"{trigger.function_name} ← {trigger.queue.name} (mapping {switched.uuid})"
    if switched.before == switched.after:
        return f"{arrow} was already {switched.after}"
    if enabled:
        return f"{arrow}: {switched.after}; Lambda polls {trigger.queue.name} again"
    return (f"{arrow}: {switched.after}; Lambda no longer polls {trigger.queue.name}, its messages wait there "
            "(a batch already received finishes)")
