"""Lambda's event source mapping API as AWS answers it, for SQS sources: three patches of the compatibility
layer (patches.py lists them).

What moto 5.2.5 does differently, and what AWS does (Lambda API reference, CreateEventSourceMapping,
UpdateEventSourceMapping, DeleteEventSourceMapping, EventSourceMappingConfiguration; errors as recorded on AWS):

- lifecycle: moto answers CreateEventSourceMapping with 201 and State Enabled at once. AWS answers 202 with
  State `Creating`, then the mapping moves to `Enabled` (or `Disabled`); an update is `Updating` (`Enabling`,
  `Disabling` when it turns the mapping on or off) until it settles; a delete answers 202 `Deleting`.
  StateTransitionReason is `USER_INITIATED`. Here a transition settles after SETTLE_SECONDS, so Terraform's
  provider (which waits for the state to settle) loses a fraction of a second per mapping;
- defaults: an SQS mapping has MaximumBatchingWindowInSeconds 0 and FunctionResponseTypes [] when unset;
- validation, with AWS's codes and messages: BatchSize over 10 on a standard queue needs a batching window of
  at least 1 s; at most 10000 (standard) or 10 (FIFO); no batching window on FIFO; filter patterns in Lambda's
  grammar (generator/spec/filter_grammar.py); one mapping per function (as qualified) and queue; the queue
  must exist; an unknown UUID is ResourceNotFoundException;
- a qualified function (`fn:alias`, `fn:1`, or such an ARN) maps the qualified ARN, as AWS returns it;
- error bodies are Lambda's: `{"Type": "User", "message": …}` with the code in `x-amzn-ErrorType`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from generator.local.emulator.patch import Patch, patch

if TYPE_CHECKING:
    from moto.awslambda.models import EventSourceMapping, LambdaBackend

SETTLE_SECONDS = 0.25  # Creating/Updating/Enabling/Disabling → Enabled/Disabled
TRANSITION_REASON = "USER_INITIATED"
STANDARD_MAX_BATCH, FIFO_MAX_BATCH, NO_WINDOW_MAX_BATCH = 10000, 10, 10
NO_SUCH_MAPPING = "The resource you requested does not exist."


def mapping_error(code: str, message: str, status: int = 400) -> Exception:
    """A Lambda API error as AWS sends it: the code in x-amzn-ErrorType, {"Type": "User", "message": …}."""
    from moto.core.exceptions import JsonRESTError

    class LambdaUserError(JsonRESTError):
        def __init__(self) -> None:
            super().__init__(code, message)
            self.code = status
            self.description = json.dumps({"Type": "User", "message": message})

        def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
            return [("x-amzn-ErrorType", code), ("Content-Type", "application/json")]

    return LambdaUserError()


def invalid(message: str) -> Exception:
    return mapping_error("InvalidParameterValueException", message)


def _is_sqs(arn: str) -> bool:
    return arn.startswith("arn:") and arn.split(":")[2:3] == ["sqs"]


def _is_fifo(arn: str) -> bool:
    return arn.endswith(".fifo")


def check_batching(queue_arn: str, batch_size: int | None, window: int | None) -> None:
    """AWS's batch size and window rules for an SQS source (None: unset)."""
    size = 10 if batch_size is None else int(batch_size)
    if _is_fifo(queue_arn):
        if size > FIFO_MAX_BATCH:
            raise invalid(f"Maximum batch size must be between 1 and {FIFO_MAX_BATCH} inclusive")
        if window:
            raise invalid("Batching window is not supported for FIFO queues")
        return
    if size > STANDARD_MAX_BATCH:
        raise mapping_error("ValidationException", f"1 validation error detected: Value '{size}' at 'batchSize' "
                            f"failed to satisfy constraint: Member must have value less than or equal to "
                            f"{STANDARD_MAX_BATCH}")
    if size > NO_WINDOW_MAX_BATCH and not window:
        raise invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
                      "than 10")


def check_filters(criteria: Any) -> None:
    from generator.spec.filter_grammar import pattern_text_problems

    for entry in (criteria or {}).get("Filters") or []:
        text = entry.get("Pattern") if isinstance(entry, dict) else None
        if not isinstance(text, str) or pattern_text_problems(text):
            raise invalid("Invalid filter pattern definition.")


def _settle(esm: EventSourceMapping, transitional: str) -> None:
    esm.lifecycle = (transitional, time.monotonic() + SETTLE_SECONDS)  # type: ignore[attr-defined]  # ours: moto has none


def state_of(esm: EventSourceMapping) -> str:
    transitional, until = getattr(esm, "lifecycle", ("", 0.0))
    if transitional and time.monotonic() < until:
        return str(transitional)
    return "Enabled" if esm.enabled else "Disabled"


@patch("Lambda: an event source mapping goes through Creating/Updating/Enabling/Disabling to Enabled or "
       "Disabled (CreateEventSourceMapping answers 202), Deleting on delete; StateTransitionReason "
       "USER_INITIATED; SQS defaults MaximumBatchingWindowInSeconds 0 and FunctionResponseTypes []")
def _mapping_lifecycle() -> None:
    from moto.awslambda.models import EventSourceMapping, LambdaBackend
    from moto.awslambda.responses import LambdaResponse

    original_config = EventSourceMapping.get_configuration
    original_create = LambdaBackend.create_event_source_mapping
    original_update = LambdaBackend.update_event_source_mapping
    original_create_response = LambdaResponse.create_event_source_mapping

    def get_configuration(self: EventSourceMapping) -> dict[str, Any]:
        config = original_config(self)
        config["State"] = state_of(self)
        config["StateTransitionReason"] = TRANSITION_REASON
        if _is_sqs(self.event_source_arn):
            config.setdefault("MaximumBatchingWindowInSeconds", 0)
            config.setdefault("FunctionResponseTypes", [])
            config.pop("Tags", None)  # not a member of EventSourceMappingConfiguration (ListTags has them)
        return config

    def create_event_source_mapping(self: LambdaBackend, spec: dict[str, Any]) -> EventSourceMapping:
        esm = original_create(self, spec)
        _settle(esm, "Creating")
        return esm

    def update_event_source_mapping(self: LambdaBackend, uuid: str, spec: dict[str, Any]) -> EventSourceMapping | None:
        esm = self.get_event_source_mapping(uuid)
        was_enabled = esm.enabled if esm is not None else None
        result = original_update(self, uuid, spec)
        if result is not None:
            turned = "Enabled" in spec and bool(spec["Enabled"]) != was_enabled
            _settle(result, ("Enabling" if spec["Enabled"] else "Disabling") if turned else "Updating")
        return result

    def create_response(self: LambdaResponse) -> Any:
        _, headers, body = original_create_response(self)
        return 202, {**headers, "status": 202}, body

    EventSourceMapping.get_configuration = get_configuration
    LambdaBackend.create_event_source_mapping = create_event_source_mapping
    LambdaBackend.update_event_source_mapping = update_event_source_mapping
    LambdaResponse.create_event_source_mapping = create_response


@patch("Lambda: CreateEventSourceMapping and UpdateEventSourceMapping refuse what AWS refuses, with its codes "
       "and messages: batch size over 10 without a window, over 10000 (10 on FIFO), a window on FIFO, a "
       "malformed filter pattern, a second mapping of a function to a queue, a missing queue, an unknown UUID")
def _mapping_validation() -> None:
    from moto.awslambda.models import LambdaBackend
    from moto.sqs.models import sqs_backends

    original_create = LambdaBackend.create_event_source_mapping
    original_update = LambdaBackend.update_event_source_mapping
    original_delete, original_get = LambdaBackend.delete_event_source_mapping, LambdaBackend.get_event_source_mapping

    def create_event_source_mapping(self: LambdaBackend, spec: dict[str, Any]) -> EventSourceMapping:
        source = spec.get("EventSourceArn") or ""
        if not _is_sqs(source):
            return original_create(self, spec)
        check_batching(source, spec.get("BatchSize"), spec.get("MaximumBatchingWindowInSeconds"))
        check_filters(spec.get("FilterCriteria"))
        _, _, _, region, account, name = source.split(":", 5)
        queues = sqs_backends[account][region].queues
        if name not in queues:
            raise invalid("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService."
                          "NonExistentQueue. SQS Error Message: The specified queue does not exist.")
        function_name, function_arn = qualified_function(self, spec["FunctionName"])
        for existing in list(self._event_source_mappings.values()):
            if existing.event_source_arn == source and existing.function_arn == function_arn:
                raise mapping_error("ResourceConflictException",
                                    f'An event source mapping with SQS arn (" {source} ") and function '
                                    f'(" {function_name} ") already exists. Please update or delete the existing '
                                    f"mapping with UUID {existing.uuid}", 409)
        esm = original_create(self, {**spec, "FunctionName": function_arn})
        esm.function_arn = function_arn
        return esm

    def update_event_source_mapping(self: LambdaBackend, uuid: str, spec: dict[str, Any]) -> EventSourceMapping | None:
        esm = original_get(self, uuid)
        if esm is None:
            raise mapping_error("ResourceNotFoundException", NO_SUCH_MAPPING, 404)
        if _is_sqs(esm.event_source_arn):
            check_batching(esm.event_source_arn, spec.get("BatchSize", esm.batch_size),
                           spec.get("MaximumBatchingWindowInSeconds", esm.max_batch_window))
            check_filters(spec.get("FilterCriteria"))
        function_arn = qualified_function(self, spec["FunctionName"])[1] if spec.get("FunctionName") else None
        result = original_update(self, uuid, spec)
        if result is not None and function_arn:
            result.function_arn = function_arn
        return result

    def delete_event_source_mapping(self: LambdaBackend, uuid: str) -> EventSourceMapping | None:
        esm = original_delete(self, uuid)
        if esm is None:
            raise mapping_error("ResourceNotFoundException", NO_SUCH_MAPPING, 404)
        return esm

    def get_event_source_mapping(self: LambdaBackend, uuid: str) -> EventSourceMapping | None:
        esm = original_get(self, uuid)
        if esm is None:
            raise mapping_error("ResourceNotFoundException", NO_SUCH_MAPPING, 404)
        return esm

    LambdaBackend.create_event_source_mapping = create_event_source_mapping
    LambdaBackend.update_event_source_mapping = update_event_source_mapping
    LambdaBackend.delete_event_source_mapping = delete_event_source_mapping
    LambdaBackend.get_event_source_mapping = get_event_source_mapping


def qualified_function(backend: LambdaBackend, function_name: str) -> tuple[str, str]:
    """(the function's name, the ARN a mapping of it names): a qualifier (`fn:live`, `fn:3`, or in an ARN) is
    kept, as Lambda keeps it; the function and the alias or version must exist (moto's own error otherwise)."""
    name, qualifier = function_name, None
    if function_name.startswith("arn:"):
        parts = function_name.split(":")
        name, qualifier = parts[6], (parts[7] if len(parts) > 7 else None)
    elif ":" in function_name:
        name, qualifier = function_name.split(":", 1)
    function = backend._lambdas.get_function_by_name_or_arn_with_qualifier(name, qualifier)
    unqualified = ":".join(function.function_arn.split(":")[:7])  # arn:aws:lambda:region:account:function:name
    return name, f"{unqualified}:{qualifier}" if qualifier and qualifier != "$LATEST" else unqualified


PATCHES: tuple[Patch, ...] = (_mapping_lifecycle, _mapping_validation)
