"""The emulator's differences from AWS that break the local stack, each fixed in one small patch, and the registry
of every patch module.

moto is pinned exactly (requirements/dev.lock) because these patches reach into its internals. Each patch
names the AWS behaviour it restores; tests/local/emulator/test_compat.py checks, for every patch, that unpatched
moto still differs from AWS (so an upgrade that fixes one makes its test fail and the patch can go).
Patches are listed, never registered by importing a module: `PATCHES` at the end is the whole layer, in the order
it is applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from generator.local.emulator import (
    iam_enforcement,
    lambda_aliases,
    lambda_mappings,
    logs_kms,
    signing,
    sqs_fifo,
    sqs_move_tasks,
)
from generator.local.emulator.patch import Patch, patch


def apply_all() -> list[str]:
    """Apply every patch (once per process); what each restores, for the emulator's log."""
    for entry in PATCHES:
        entry.apply()
    return [entry.restores for entry in PATCHES]


def apply(name: str) -> None:
    """Apply one patch, by name (the compatibility tests)."""
    for entry in PATCHES:
        if entry.name == name:
            entry.apply()
            return
    raise KeyError(name)


@patch("SQS: SendMessage never invokes a mapped function itself; the local runner polls, as Lambda does")
def _no_invocation_on_send() -> None:
    # moto (without Docker) tries to invoke the function of every enabled event source mapping on each
    # SendMessage; the failed attempt counts as a receive and pushes unconsumed messages to the DLQ.
    from moto.sqs.models import Message, Queue

    original = Queue.add_message

    def add_message(self: Queue, message: Message) -> None:
        mappings, self.lambda_event_source_mappings = self.lambda_event_source_mappings, {}
        try:
            original(self, message)
        finally:
            self.lambda_event_source_mappings = mappings

    Queue.add_message = add_message


@patch("SQS: GetQueueAttributes returns RedriveAllowPolicy once it is set (the provider waits for it)")
def _redrive_allow_policy_attribute() -> None:
    from moto.sqs.models import Queue

    if "RedriveAllowPolicy" not in Queue.BASE_ATTRIBUTES:
        Queue.BASE_ATTRIBUTES.append("RedriveAllowPolicy")
    # class default: unset until SetQueueAttributes stores it (moto sets a queue's attributes by name)
    Queue.redrive_allow_policy = None  # type: ignore[attr-defined]  # moto's Queue does not declare it


@patch("S3: a bucket policy's aws:SecureTransport and s3:TlsVersion conditions are evaluated (the emulator "
       "stands in for AWS's TLS 1.3 endpoints), not ignored")
def _bucket_policy_secure_transport() -> None:
    # moto ignores Condition blocks, so the TLS-only policy's Deny statements (aws:SecureTransport false, TLS
    # older than 1.2) deny every object call. AWS applies a statement only when all its conditions hold; a
    # request to the emulator counts as what every current SDK makes: HTTPS with TLS 1.3.
    import json

    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def holds(operator: str, key: str, values: list[str]) -> bool | None:
        """Whether a condition holds for such a request; None for conditions moto's own evaluation is left with."""
        if operator == "Bool" and key == "aws:SecureTransport":
            return "true" in [value.lower() for value in values]
        if operator == "NumericLessThan" and key == "s3:TlsVersion":
            return any(float(value) > 1.3 for value in values)  # 1.3 < value: the request's TLS is older
        return None

    def applies(statement: dict[str, Any]) -> bool:
        for operator, conditions in statement.get("Condition", {}).items():
            for key, found in conditions.items():
                values = [str(value) for value in (found if isinstance(found, list) else [found])]
                if holds(operator, key, values) is False:
                    return False
        return True

    def get_permission(self: FakeBucket, action: str, resource: str) -> PermissionResult:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = document.get("Statement", [])
        statements = [statements] if isinstance(statements, dict) else statements
        document["Statement"] = [statement for statement in statements if applies(statement)]
        return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


@patch("SQS: RedrivePolicy is returned as compact JSON, as AWS returns it (moto's spaced JSON shows as a plan "
       "diff on every run)")
def _compact_redrive_policy() -> None:
    import json

    from moto.sqs.models import Queue

    original = Queue.attributes.fget  # type: ignore[attr-defined]  # mypy types a property on its class as its getter

    def attributes(self: Queue) -> dict[str, Any]:
        result: dict[str, Any] = original(self)
        if self.redrive_policy:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        return result

    Queue.attributes = property(attributes)  # type: ignore[assignment]  # a property for a property, typed as its getter


@patch("Lambda: LoggingConfig (JSON logs, the log group), TracingConfig, EphemeralStorage and KMSKeyArn are "
       "stored on create and update and returned by GetFunctionConfiguration")
def _function_configuration_round_trip() -> None:
    # moto drops LoggingConfig entirely and ignores most fields on UpdateFunctionConfiguration, so every plan
    # shows a diff and a changed queues.toml never reaches the emulated function.
    from moto.awslambda.models import LambdaFunction

    original_init = LambdaFunction.__init__
    original_get = LambdaFunction.get_configuration
    original_update = LambdaFunction.update_configuration

    def default_logging(self: LambdaFunction) -> dict[str, str]:
        # AWS's default: plain text to /aws/lambda/<function name>.
        return {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.function_name}"}

    def __init__(self: LambdaFunction, account_id: str, spec: dict[str, Any], region: str,
                 version: str | int = 1) -> None:
        original_init(self, account_id, spec, region, version)
        self.logging_config = {**default_logging(self), **(spec.get("LoggingConfig") or {})}  # type: ignore[attr-defined]  # ours: moto has none

    def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
        config = original_get(self, on_create)
        config["LoggingConfig"] = getattr(self, "logging_config", None) or default_logging(self)
        return config

    def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "LoggingConfig" in config_updates:
            self.logging_config = {**default_logging(self), **config_updates["LoggingConfig"]}  # type: ignore[attr-defined]  # ours: moto has none
        if "TracingConfig" in config_updates:
            self.tracing_config = config_updates["TracingConfig"]
        if "EphemeralStorage" in config_updates:
            self.ephemeral_storage = config_updates["EphemeralStorage"]["Size"]
        if "KMSKeyArn" in config_updates:
            self.kms_key_arn = config_updates["KMSKeyArn"]
        return original_update(self, config_updates)

    LambdaFunction.__init__ = __init__
    LambdaFunction.get_configuration = get_configuration
    LambdaFunction.update_configuration = update_configuration


@patch("Lambda: ListEventSourceMappings accepts a function name or partial ARN, not only the full ARN")
def _mappings_by_function_name() -> None:
    from moto.awslambda.models import EventSourceMapping, LambdaBackend

    original = LambdaBackend.list_event_source_mappings

    def list_event_source_mappings(self: LambdaBackend, event_source_arn: str,
                                   function_name: str | None) -> Iterable[EventSourceMapping]:
        if not function_name:
            return original(self, event_source_arn, "")  # no function to filter by
        # a qualified name (`fn:live`, an alias or version ARN) lists the mappings that invoke that qualifier
        parts = function_name.split(":")
        name, qualifier = ((parts[6], parts[7] if len(parts) > 7 else None) if function_name.startswith("arn:")
                           else (parts[0], parts[1] if len(parts) > 1 else None))
        try:
            arn = self.get_function(name).function_arn
        except Exception:  # an unknown function has no mappings
            return []
        wanted = f"{arn}:{qualifier}" if qualifier else arn
        return [esm for esm in original(self, event_source_arn, "") if esm.function_arn == wanted]

    LambdaBackend.list_event_source_mappings = list_event_source_mappings


@patch("CloudWatch: a new alarm starts in INSUFFICIENT_DATA (moto: OK); updating an alarm keeps its state")
def _alarms_start_insufficient() -> None:
    from moto.cloudwatch.models import Alarm, CloudWatchBackend

    original = CloudWatchBackend.put_metric_alarm

    def put_metric_alarm(self: CloudWatchBackend, name: str, *args: Any, **kwargs: Any) -> Alarm:
        previous = self.alarms.get(name)
        alarm = original(self, name, *args, **kwargs)
        if previous is not None:
            alarm.state_value, alarm.state_reason = previous.state_value, previous.state_reason
            alarm.state_reason_data, alarm.history = previous.state_reason_data, previous.history
            alarm.state_updated_timestamp = previous.state_updated_timestamp
        else:
            alarm.state_value = "INSUFFICIENT_DATA"
        return alarm

    CloudWatchBackend.put_metric_alarm = put_metric_alarm


@patch("DynamoDB: TransactWriteItems costs what its items cost and is isolated from other transactions "
       "(moto deep-copies the whole table once per action: 6.4 s for 100 actions on 2,000 items)")
def _transactions_snapshot_their_items() -> None:
    # moto snapshots every table an action names (once per action) so it can roll back. Instead: snapshot only
    # the items the transaction touches, hand moto the live table as its "snapshot" (so its rollback is a
    # no-op), and restore those items when the transaction is cancelled. Transactions run one at a time, as
    # DynamoDB isolates them.
    import copy
    import threading
    import types

    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import Table

    skip_table_copy = threading.local()

    def deepcopy(obj: Any, memo: dict[int, Any] | None = None) -> Any:
        if getattr(skip_table_copy, "active", False) and isinstance(obj, Table):
            return obj
        return copy.deepcopy(obj, memo)

    public = {name: getattr(copy, name) for name in dir(copy) if not name.startswith("__")}
    stand_in = types.SimpleNamespace(**public)
    stand_in.deepcopy = deepcopy
    # moto's module imports copy without re-exporting it: its deepcopy calls now reach ours
    models.copy = stand_in  # type: ignore[attr-defined,assignment]  # a stand-in for the copy module moto imported
    original = models.DynamoDBBackend.transact_write_items
    serial = threading.Lock()

    def touched_keys(self: models.DynamoDBBackend,
                     transact_items: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
        for item in transact_items:
            for op_type, op in item.items():
                table = self.tables.get(op.get("TableName"))
                if table is None:
                    continue
                if op_type == "Put":
                    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = op["Item"][table.range_key_attr]
                else:
                    key = op.get("Key")
                if key:
                    yield op["TableName"], key

    def transact_write_items(self: models.DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        with serial:
            journal = []
            for table_name, key in touched_keys(self, transact_items):
                current = self.get_item(table_name, key)
                journal.append((table_name, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
            skip_table_copy.active = True
            try:
                return original(self, transact_items)
            except Exception:
                for table_name, key, attributes in reversed(journal):
                    if attributes is None:
                        if self.get_item(table_name, key) is not None:
                            self.delete_item(table_name, key)
                    else:
                        self.put_item(table_name, attributes)
                raise
            finally:
                skip_table_copy.active = False

    models.DynamoDBBackend.transact_write_items = transact_write_items


@patch("SQS: sending and receiving stay fast with a backlog (moto's cost grows with the queue: 2,000 waiting "
       "messages made a receive take seconds), as SQS's latency does not depend on queue depth")
def _sqs_backlog_costs_nothing() -> None:
    # Two costs: every message's `visible`/`delayed` check goes through moto's slow datetime-based clock
    # (1.2 M calls for 20 receives of a 2,000-message queue), and the retention check of each received message
    # computes every queue attribute, the approximate counts included (three passes over the queue).
    import time

    from moto.sqs.models import Message, SQSBackend

    Message.visible = property(lambda self: time.time() * 1000 > self.visible_at)  # type: ignore[assignment]  # a property, typed as its getter
    Message.delayed = property(lambda self: time.time() * 1000 < self.delayed_until)  # type: ignore[assignment]  # a property, typed as its getter

    def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Message) -> bool:
        queue = self.get_queue(queue_name)
        retention_period = int(queue.message_retention_period)  # type: ignore[attr-defined]  # moto sets it by name
        return retention_period + message.sent_timestamp / 1000 > time.time()  # type: ignore[operator]  # moto types it None; sending sets it

    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period


@patch("SQS: concurrent sends, receives and deletes on one queue keep each other's changes (moto rebuilds its "
       "message list without a lock, so one delete could undo another and a deleted message came back)")
def _queue_changes_are_atomic() -> None:
    from moto.sqs.models import Message, Queue, SQSBackend

    delete, receive = Queue.delete_message, SQSBackend.receive_message

    def delete_message(self: Queue, receipt_handle: str) -> None:
        with self._messages_lock:  # the Condition add_message already holds while appending
            return delete(self, receipt_handle)

    def receive_message(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> list[Message]:
        # Receiving moves messages past maxReceiveCount to the DLQ (a list removal). A long poll's wait
        # releases the lock (Condition.wait), so other clients are not blocked while it waits.
        with self.get_queue(queue_name)._messages_lock:
            return receive(self, queue_name, *args, **kwargs)

    Queue.delete_message = delete_message
    SQSBackend.receive_message = receive_message


PATCHES: tuple[Patch, ...] = (
    _no_invocation_on_send,
    _redrive_allow_policy_attribute,
    _bucket_policy_secure_transport,
    _compact_redrive_policy,
    _function_configuration_round_trip,
    _mappings_by_function_name,
    _alarms_start_insufficient,
    _transactions_snapshot_their_items,
    _sqs_backlog_costs_nothing,
    _queue_changes_are_atomic,
    *sqs_move_tasks.PATCHES,
    *signing.PATCHES,
    *lambda_mappings.PATCHES,
    *sqs_fifo.PATCHES,
    *lambda_aliases.PATCHES,
    *logs_kms.PATCHES,
    *iam_enforcement.PATCHES,
)
