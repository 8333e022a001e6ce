"""Grouping a batch's analytics events by counter: (kind, subject, UTC day). No AWS here."""

from __future__ import annotations

import dataclasses
import datetime as dt

from common.messages import AnalyticsEvent


@dataclasses.dataclass(frozen=True, order=True)
class CounterKey:
    kind: str
    subject: str
    day: str  # YYYY-MM-DD, UTC

    @property
    def pk(self) -> str:
        return f"{self.kind}#{self.subject}"

    @property
    def sk(self) -> str:
        return f"day#{self.day}"


@dataclasses.dataclass
class CounterGroup:
    """The events of one counter in this batch, with the SQS messages that carried them."""

    key: CounterKey
    events: dict[str, AnalyticsEvent] = dataclasses.field(default_factory=dict)  # by event id
    message_ids: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # event id → message ids

    def all_message_ids(self) -> list[str]:
        return [mid for ids in self.message_ids.values() for mid in ids]


def counter_key(event: AnalyticsEvent) -> CounterKey:
    day = dt.datetime.fromtimestamp(event.occurred_at, dt.UTC).strftime("%Y-%m-%d")
    return CounterKey(kind=event.kind, subject=event.subject, day=day)


def group_by_counter(events: list[tuple[str, AnalyticsEvent]]) -> list[CounterGroup]:
    """(message id, event) pairs → one group per counter, sorted; an event id seen twice is counted once."""
    groups: dict[CounterKey, CounterGroup] = {}
    for message_id, event in events:
        key = counter_key(event)
        group = groups.setdefault(key, CounterGroup(key))
        group.events.setdefault(event.event_id, event)
        group.message_ids.setdefault(event.event_id, []).append(message_id)
    return [groups[key] for key in sorted(groups)]
