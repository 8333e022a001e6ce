"""Event filtering as Lambda applies it to SQS records: a record is delivered when it matches at least one
pattern (no patterns: every record); the others are deleted unprocessed.

Lambda's patterns are EventBridge patterns; moto already implements their matching (moto.events), so the
runner reuses it instead of a second copy. The record's `body` is matched as JSON when it is JSON, else as
the plain string (so a JSON pattern on a plain-string body never matches, as documented):
https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from moto.events.models import EventPattern

from generator.local.lambda_service.events import SqsRecord


class Filters:
    def __init__(self, patterns: Sequence[str]):
        self._patterns = [EventPattern(raw, json.loads(raw)) for raw in patterns]

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def matches(self, record: SqsRecord) -> bool:
        if not self._patterns:
            return True
        try:
            body = json.loads(record.get("body", ""))
        except ValueError:
            body = record.get("body", "")
        # moto types the event as an EventBridge event; its matcher reads any JSON object
        candidate: Any = {**record, "body": body}
        return any(pattern.matches_event(candidate) for pattern in self._patterns)
