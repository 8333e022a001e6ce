"""Unit tests for the rules about a queue and the function it triggers (generator/rules/), each with a
passing and a failing case and the boundary between them. Specs are built in Python from a valid baseline."""

from __future__ import annotations

import pytest

from generator import rules
from generator.problems import Level
from tests.generator.specs import DELETE, assert_problem, function, only, queue, spec_with, trigger

VISIBILITY = ("queues", "orders", "visibility_timeout_seconds")


# ── visibility_covers_function_timeout ────────────────────────────────────────────────────────────────────

def test_visibility_below_the_timeout_is_an_error() -> None:
    # GIVEN a 30 s function on a queue whose messages become visible again after 29 s
    spec = spec_with(queue(visibility_timeout_seconds=29))
    # WHEN the rule runs THEN AWS's rejection of the mapping is predicted, with the recommended value
    problem = only(list(rules.visibility_covers_function_timeout(spec)))
    assert_problem(problem, Level.ERROR, VISIBILITY, "29 is less than functions.worker.timeout (30)",
                   "rejects the event source mapping", "at least 30", "recommends 180")


def test_visibility_equal_to_the_timeout_passes_the_error_rule_but_warns() -> None:
    spec = spec_with(queue(visibility_timeout_seconds=30))
    problem = only(list(rules.visibility_covers_function_timeout(spec)))
    assert_problem(problem, Level.WARNING, VISIBILITY, "30 is below 6 × functions.worker.timeout (180)")


def test_visibility_of_six_times_the_timeout_passes() -> None:
    spec = spec_with(queue(visibility_timeout_seconds=180))
    assert list(rules.visibility_covers_function_timeout(spec)) == []


def test_visibility_one_below_six_times_the_timeout_warns() -> None:
    spec = spec_with(queue(visibility_timeout_seconds=179))
    problem = only(list(rules.visibility_covers_function_timeout(spec)))
    assert_problem(problem, Level.WARNING, VISIBILITY, "179", "(180)", "delivered twice")


@pytest.mark.parametrize(("visibility", "warned"), [(189, True), (190, False)])
def test_the_batching_window_adds_to_the_recommendation(visibility: int, warned: bool) -> None:
    # GIVEN 6 × 30 s + a 10 s window = 190 s
    spec = spec_with(queue(visibility_timeout_seconds=visibility),
                     trigger(batch_size=100, maximum_batching_window_seconds=10))
    problems = list(rules.visibility_covers_function_timeout(spec))
    if warned:
        assert_problem(only(problems), Level.WARNING, VISIBILITY, "+ batching window (190)")
    else:
        assert problems == []


def test_a_default_visibility_is_called_the_default() -> None:
    spec = spec_with(queue(visibility_timeout_seconds=DELETE), function(timeout=60))
    problem = only(list(rules.visibility_covers_function_timeout(spec)))
    assert_problem(problem, Level.ERROR, VISIBILITY, "30 (the default) is less than")


def test_a_queue_nobody_consumes_has_no_visibility_constraint() -> None:
    spec = spec_with(queue(visibility_timeout_seconds=1), function(trigger=DELETE))
    assert list(rules.visibility_covers_function_timeout(spec)) == []


# ── batching_limits ───────────────────────────────────────────────────────────────────────────────────────

BATCH = ("functions", "worker", "trigger", "batch_size")
WINDOW = ("functions", "worker", "trigger", "maximum_batching_window_seconds")


def test_a_standard_batch_above_10_without_a_window_is_an_error() -> None:
    problem = only(list(rules.batching_limits(spec_with(trigger(batch_size=11)))))
    assert_problem(problem, Level.ERROR, BATCH, "11 is above 10", "maximum_batching_window_seconds ≥ 1")


@pytest.mark.parametrize(("batch_size", "window"), [(10, 0), (11, 1), (10_000, 300)])
def test_standard_batches_within_the_limits_pass(batch_size: int, window: int) -> None:
    spec = spec_with(queue(visibility_timeout_seconds=900),
                     trigger(batch_size=batch_size, maximum_batching_window_seconds=window))
    assert list(rules.batching_limits(spec)) == []


def test_a_fifo_batch_above_10_is_an_error_even_with_a_window() -> None:
    spec = spec_with(queue(fifo_queue=True), trigger(batch_size=11))
    problem = only(list(rules.batching_limits(spec)))
    assert_problem(problem, Level.ERROR, BATCH, "11 is above 10, the maximum for a FIFO queue", "1-10")


def test_a_fifo_batch_of_10_passes() -> None:
    assert list(rules.batching_limits(spec_with(queue(fifo_queue=True), trigger(batch_size=10)))) == []


def test_a_batching_window_on_a_fifo_queue_is_an_error() -> None:
    spec = spec_with(queue(fifo_queue=True), trigger(maximum_batching_window_seconds=1))
    problem = only(list(rules.batching_limits(spec)))
    assert_problem(problem, Level.ERROR, WINDOW, "not supported on FIFO queues", "remove it")


# ── low_receive_count_needs_concurrency_cap ───────────────────────────────────────────────────────────────

RECEIVES = ("queues", "orders", "max_receive_count")


def test_a_low_receive_count_without_a_concurrency_cap_warns() -> None:
    spec = spec_with(queue(max_receive_count=4), trigger(maximum_concurrency=DELETE))
    problem = only(list(rules.low_receive_count_needs_concurrency_cap(spec)))
    assert_problem(problem, Level.WARNING, RECEIVES, "4 is below 5", "functions.worker", "throttled receives",
                   "functions.worker.trigger.maximum_concurrency")


@pytest.mark.parametrize("patch", [
    queue(max_receive_count=5),  # the boundary: AWS's suggested minimum
    trigger(maximum_concurrency=2),  # capped: the mapping never outruns the function
    function(trigger=DELETE),  # not consumed by Lambda
])
def test_a_low_receive_count_is_fine_when_capped_high_enough_or_not_lambda_consumed(patch: dict) -> None:
    spec = spec_with(queue(max_receive_count=4), trigger(maximum_concurrency=DELETE), patch)
    assert list(rules.low_receive_count_needs_concurrency_cap(spec)) == []


# ── reserved_concurrency_covers_mapping ───────────────────────────────────────────────────────────────────

RESERVED = ("functions", "worker", "reserved_concurrent_executions")


def test_reserved_concurrency_below_the_mapping_cap_warns() -> None:
    spec = spec_with(function(reserved_concurrent_executions=4), trigger(maximum_concurrency=5))
    problem = only(list(rules.reserved_concurrency_covers_mapping(spec)))
    assert_problem(problem, Level.WARNING, RESERVED, "4 is below trigger.maximum_concurrency (5)",
                   "throttled")


def test_reserved_concurrency_equal_to_the_mapping_cap_passes() -> None:
    spec = spec_with(function(reserved_concurrent_executions=5), trigger(maximum_concurrency=5))
    assert list(rules.reserved_concurrency_covers_mapping(spec)) == []


def test_reserved_concurrency_without_a_mapping_cap_warns() -> None:
    spec = spec_with(function(reserved_concurrent_executions=5), trigger(maximum_concurrency=DELETE))
    problem = only(list(rules.reserved_concurrency_covers_mapping(spec)))
    assert_problem(problem, Level.WARNING, RESERVED, "maximum_concurrency is not set", "maxReceiveCount",
                   "maximum_concurrency to at most 5")


def test_reserved_concurrency_of_one_cannot_be_matched_by_a_cap() -> None:
    spec = spec_with(function(reserved_concurrent_executions=1), trigger(maximum_concurrency=DELETE))
    problem = only(list(rules.reserved_concurrency_covers_mapping(spec)))
    assert_problem(problem, Level.WARNING, RESERVED, "raise it to at least 2")


def test_reserved_concurrency_of_zero_warns_that_nothing_runs() -> None:
    spec = spec_with(function(reserved_concurrent_executions=0))
    problem = only(list(rules.reserved_concurrency_covers_mapping(spec)))
    assert_problem(problem, Level.WARNING, RESERVED, "0 stops the function", "trigger.enabled = false")


def test_reserved_concurrency_on_a_function_without_a_trigger_is_its_own_business() -> None:
    spec = spec_with(function(reserved_concurrent_executions=0, trigger=DELETE))
    assert list(rules.reserved_concurrency_covers_mapping(spec)) == []


# ── one_consumer_per_queue ────────────────────────────────────────────────────────────────────────────────

def test_a_second_consumer_of_a_queue_is_an_error() -> None:
    spec = spec_with(function("auditor", timeout=10, trigger={"queue": "orders", "maximum_concurrency": 2}))
    problem = only(list(rules.one_consumer_per_queue(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "auditor", "trigger", "queue"),
                   "already consumed by functions.worker", "its own queue")


def test_consumers_of_different_queues_pass() -> None:
    spec = spec_with(queue("audit", visibility_timeout_seconds=60, max_receive_count=5),
                     function("auditor", timeout=10, trigger={"queue": "audit", "maximum_concurrency": 2}))
    assert list(rules.one_consumer_per_queue(spec)) == []


# ── dlq_outlives_source ───────────────────────────────────────────────────────────────────────────────────

def test_a_dlq_that_keeps_messages_no_longer_than_its_queue_is_an_error() -> None:
    spec = spec_with(queue(message_retention_seconds=86_400, dlq={"message_retention_seconds": 86_400}))
    problem = only(list(rules.dlq_outlives_source(spec)))
    assert_problem(problem, Level.ERROR, ("queues", "orders", "dlq", "message_retention_seconds"),
                   "86400 is not longer than the queue's retention (86400)",
                   "longer retention (up to 1209600)")


def test_a_dlq_one_second_longer_passes() -> None:
    spec = spec_with(queue(message_retention_seconds=86_400, dlq={"message_retention_seconds": 86_401}))
    assert list(rules.dlq_outlives_source(spec)) == []


def test_a_14_day_queue_with_the_default_dlq_is_reported_at_the_queue() -> None:
    # GIVEN the DLQ keeps its default (and maximum) retention: raising it is impossible
    spec = spec_with(queue(message_retention_seconds=1_209_600))
    problem = only(list(rules.dlq_outlives_source(spec)))
    # THEN the problem sits at the value the user wrote, and the hint says to shorten it
    assert_problem(problem, Level.ERROR, ("queues", "orders", "message_retention_seconds"),
                   "1209600 is not shorter", "1209600, the default", "shorten the queue's")


def test_fifo_queues_reset_the_timestamp_so_the_dlq_rule_does_not_apply() -> None:
    spec = spec_with(queue(fifo_queue=True, message_retention_seconds=86_400,
                           dlq={"message_retention_seconds": 3600}))
    assert list(rules.dlq_outlives_source(spec)) == []


# ── age_alarm_can_fire ────────────────────────────────────────────────────────────────────────────────────

def test_an_age_alarm_at_the_retention_period_is_an_error() -> None:
    spec = spec_with(queue(message_retention_seconds=7200, oldest_message_alarm_seconds=7200))
    problem = only(list(rules.age_alarm_can_fire(spec)))
    assert_problem(problem, Level.ERROR, ("queues", "orders", "oldest_message_alarm_seconds"),
                   "7200 is not below the retention period (7200)", "never fire")


def test_an_age_alarm_one_second_below_the_retention_passes() -> None:
    spec = spec_with(queue(message_retention_seconds=7200, oldest_message_alarm_seconds=7199))
    assert list(rules.age_alarm_can_fire(spec)) == []
