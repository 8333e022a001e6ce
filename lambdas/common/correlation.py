"""The correlation id: the thread one job follows through every queue, so its hops can be found again
(`python -m generator trace JOB`).

The router assigns it (the job's id) when it accepts a job; every message a function sends while handling a
record carries it on as the message attribute `CorrelationId`. Message ids change at every hop and on a
redrive; the correlation id does not. Functions never handle it themselves: `common.batch` sets it for each
record and `common.sqs.send` adds it to what is sent.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

ATTRIBUTE = "CorrelationId"

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


def current() -> str | None:
    return _current.get()


@contextlib.contextmanager
def carried(correlation_id: str | None) -> Iterator[None]:
    """Messages sent inside carry `correlation_id` (None: none)."""
    token = _current.set(correlation_id)
    try:
        yield
    finally:
        _current.reset(token)


def of_record(record: Any) -> str | None:
    """The correlation id an SQS record (a Powertools SQSRecord) carries, if any."""
    attributes = record.raw_event.get("messageAttributes") or {}
    value = (attributes.get(ATTRIBUTE) or {}).get("stringValue")
    return str(value) if value else None


def attribute(correlation_id: str) -> dict[str, dict[str, str]]:
    return {ATTRIBUTE: {"StringValue": correlation_id, "DataType": "String"}}
