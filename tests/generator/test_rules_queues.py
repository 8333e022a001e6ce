"""Unit tests for the rules about one queue that real topologies need: high-throughput FIFO settings and the
age alarm (derived below a short retention, or turned off)."""

from __future__ import annotations

import pytest

from generator import rules
from generator.problems import Level
from generator.spec.load import load_spec_text
from tests.generator.specs import assert_problem, only, queue, spec_with

FIFO = {"fifo_queue": True, "name": "orders.fifo"}


# ── high_throughput_fifo_is_consistent ────────────────────────────────────────────────────────────────────

def test_high_throughput_fifo_passes() -> None:
    spec = spec_with(queue(**FIFO, deduplication_scope="messageGroup", fifo_throughput_limit="perMessageGroupId"))
    assert list(rules.high_throughput_fifo_is_consistent(spec)) == []


@pytest.mark.parametrize("scope", ["queue", None])
def test_per_message_group_throughput_needs_message_group_deduplication(scope: str | None) -> None:
    settings = {"deduplication_scope": scope} if scope else {}
    spec = spec_with(queue(**FIFO, fifo_throughput_limit="perMessageGroupId", **settings))
    problem = only(list(rules.high_throughput_fifo_is_consistent(spec)))
    assert_problem(problem, Level.ERROR, ("queues", "orders", "fifo_throughput_limit"),
                   'needs deduplication_scope = "messageGroup"', f'not "{scope or "queue"}"',
                   'fifo_throughput_limit = "perQueue"')


def test_message_group_deduplication_alone_is_allowed() -> None:
    spec = spec_with(queue(**FIFO, deduplication_scope="messageGroup"))
    assert list(rules.high_throughput_fifo_is_consistent(spec)) == []


@pytest.mark.parametrize("setting", [{"deduplication_scope": "queue"}, {"fifo_throughput_limit": "perQueue"}])
def test_fifo_settings_on_a_standard_queue_are_errors(setting: dict) -> None:
    problem = only(list(rules.high_throughput_fifo_is_consistent(spec_with(queue(**setting)))))
    assert_problem(problem, Level.ERROR, ("queues", "orders", next(iter(setting))), "exists only on FIFO queues",
                   "set fifo_queue = true")


# ── age_alarm_can_fire and the derived threshold ──────────────────────────────────────────────────────────

@pytest.mark.parametrize(("retention", "threshold"), [(345600, 3600), (3601, 3600), (3600, 1800), (60, 30)])
def test_an_unset_age_alarm_sits_below_the_retention(retention: int, threshold: int) -> None:
    spec = spec_with(queue(message_retention_seconds=retention))
    assert spec.queues["orders"].age_alarm_threshold == threshold
    assert list(rules.age_alarm_can_fire(spec)) == []


@pytest.mark.parametrize("off", [False, 0])
def test_the_age_alarm_can_be_turned_off(off: object) -> None:
    spec = spec_with(queue(message_retention_seconds=60, oldest_message_alarm_seconds=off))
    assert spec.queues["orders"].age_alarm_threshold is None
    assert list(rules.age_alarm_can_fire(spec)) == []


def test_the_shortest_retention_sqs_allows_is_expressible() -> None:
    text = """
[project]
name = "shop"

[alarms]
topic_name = "shop-alarms"

[queues.clicks]
message_retention_seconds = 60
max_receive_count = 5
"""
    assert load_spec_text(text).warnings == []
