"""Rules about a queue and the function it triggers: timeouts, batching, concurrency, filters, loops."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from generator.problems import Problem, error, warning
from generator.rules.common import as_written, consumers, rule
from generator.spec.model import Spec


@rule
def visibility_covers_function_timeout(spec: Spec) -> Iterator[Problem]:
    """Lambda rejects an SQS mapping whose queue visibility timeout is below the function timeout
    ("Queue visibility timeout: 30 seconds is less than Function timeout: 120 seconds"), and recommends at
    least six times the timeout plus the batching window so throttled or retried batches are not redelivered
    while still in flight. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"""
    for fn_key, fn, q_key, queue in consumers(spec):
        path = ("queues", q_key, "visibility_timeout_seconds")
        window = fn.trigger.maximum_batching_window_seconds
        recommended = 6 * fn.timeout + window
        shown = as_written(queue, "visibility_timeout_seconds")
        if queue.visibility_timeout_seconds < fn.timeout:
            yield error(
                path,
                f"{shown} is less than functions.{fn_key}.timeout ({fn.timeout}); "
                "AWS rejects the event source mapping",
                f"raise the visibility timeout to at least {fn.timeout} (AWS recommends {recommended}), "
                "or lower the function timeout",
            )
        elif queue.visibility_timeout_seconds < recommended:
            yield warning(
                path,
                f"{shown} is below 6 × functions.{fn_key}.timeout"
                + (f" + batching window ({recommended})" if window else f" ({recommended})")
                + "; a slow or retried batch may be delivered twice",
                f"AWS recommends a visibility timeout of at least {recommended}",
            )


@rule
def batching_limits(spec: Spec) -> Iterator[Problem]:
    """CreateEventSourceMapping: "When you set BatchSize to a value greater than 10, you must set
    MaximumBatchingWindowInSeconds to at least 1." FIFO sources accept at most 10 per batch and no batching
    window. https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html"""
    for fn_key, fn, _q_key, queue in consumers(spec):
        trigger = fn.trigger
        base = ("functions", fn_key, "trigger")
        if queue.fifo_queue:
            if trigger.batch_size > 10:
                yield error((*base, "batch_size"),
                            f"{trigger.batch_size} is above 10, the maximum for a FIFO queue",
                            "use a batch size of 1-10")
            if trigger.maximum_batching_window_seconds:
                yield error((*base, "maximum_batching_window_seconds"),
                            "a batching window is not supported on FIFO queues", "remove it (or set it to 0)")
        elif trigger.batch_size > 10 and trigger.maximum_batching_window_seconds < 1:
            yield error((*base, "batch_size"),
                        f"{trigger.batch_size} is above 10, which needs maximum_batching_window_seconds ≥ 1",
                        "set maximum_batching_window_seconds to at least 1, or a batch size of 10 or less")


@rule
def low_receive_count_needs_concurrency_cap(spec: Spec) -> Iterator[Problem]:
    """A throttled invocation still counts as a receive, so with a low maxReceiveCount good messages reach
    the DLQ when Lambda throttles. AWS suggests maxReceiveCount ≥ 5 for Lambda consumers, or capping the
    mapping with MaximumConcurrency so it never outruns the function's concurrency.
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"""
    for fn_key, fn, q_key, queue in consumers(spec):
        if queue.max_receive_count < 5 and fn.trigger.maximum_concurrency is None:
            yield warning(
                ("queues", q_key, "max_receive_count"),
                f"{queue.max_receive_count} is below 5 on a queue consumed by functions.{fn_key} without "
                "maximum_concurrency; throttled receives can send good messages to the DLQ",
                f"set functions.{fn_key}.trigger.maximum_concurrency, "
                "or raise max_receive_count to 5 or more",
            )


@rule
def reserved_concurrency_covers_mapping(spec: Spec) -> Iterator[Problem]:
    """Reserved concurrency below the mapping's MaximumConcurrency (or with no MaximumConcurrency at all, when
    the mapping scales up to its own limit) throttles the function, and throttled receives count towards
    maxReceiveCount. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"""
    for fn_key, fn in spec.functions.items():
        reserved = fn.reserved_concurrent_executions
        if reserved is None or fn.trigger is None:
            continue
        path = ("functions", fn_key, "reserved_concurrent_executions")
        if reserved == 0:
            yield warning(path, "0 stops the function from running; its queue will fill and move to the DLQ",
                          "to pause processing, set trigger.enabled = false instead")
        elif fn.trigger.maximum_concurrency is None:
            cap = (f"set functions.{fn_key}.trigger.maximum_concurrency to at most {reserved}"
                   if reserved >= 2 else
                   "raise it to at least 2 and set trigger.maximum_concurrency = 2 (its minimum)")
            yield warning(path, f"{reserved} caps the function, but trigger.maximum_concurrency is not set: "
                          "the mapping scales past the cap and its throttled receives count towards "
                          "maxReceiveCount", cap)
        elif reserved < fn.trigger.maximum_concurrency:
            yield warning(path, f"{reserved} is below trigger.maximum_concurrency "
                          f"({fn.trigger.maximum_concurrency}); the mapping will be throttled",
                          "keep reserved concurrency ≥ the mapping's maximum_concurrency")


@rule
def one_consumer_per_queue(spec: Spec) -> Iterator[Problem]:
    """Two functions polling one queue split its messages between them at random: each message reaches only
    one. Fan out with one queue per consumer instead."""
    by_queue: dict[str, list[str]] = defaultdict(list)
    for fn_key, _fn, q_key, _queue in consumers(spec):
        by_queue[q_key].append(fn_key)
    for q_key, fn_keys in by_queue.items():
        if len(fn_keys) > 1:
            for fn_key in fn_keys[1:]:
                yield error(("functions", fn_key, "trigger", "queue"),
                            f"queue '{q_key}' is already consumed by functions.{fn_keys[0]}; each message "
                            "would reach only one of them",
                            "give each consumer its own queue")

@rule
def no_function_feeds_its_own_trigger(spec: Spec) -> Iterator[Problem]:
    """A function that sends to the queue that triggers it can loop forever (and bill for it); Lambda's
    recursive loop detection stops such a loop only after about 16 rounds.
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html"""
    for fn_key, fn in spec.functions.items():
        if fn.trigger is not None and fn.trigger.queue in fn.sends_to:
            yield warning(("functions", fn_key, "sends_to", fn.sends_to.index(fn.trigger.queue)),
                          f"functions.{fn_key} sends to '{fn.trigger.queue}', the queue that triggers it: "
                          "a message can loop forever",
                          "make sure every loop ends (e.g. a hop counter in the message), or use another queue")


# The top-level fields of an SQS record a Lambda event filter can match on.
# https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html
_SQS_FILTER_FIELDS = frozenset({
    "attributes", "awsRegion", "body", "eventSource", "eventSourceARN", "md5OfBody", "messageAttributes",
    "messageId", "receiptHandle",
})


def _filter_leaves(pattern: object, path: tuple) -> Iterator[tuple]:
    """Paths of the values in a filter pattern that are not arrays (Lambda wants an array at every leaf)."""
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            yield from _filter_leaves(value, (*path, key))
    elif not isinstance(pattern, list):
        yield path


@rule
def filter_patterns_are_well_formed(spec: Spec) -> Iterator[Problem]:
    """Lambda event filtering on SQS: a pattern matches fields of the record (body, messageAttributes, …) and
    every value it compares is an array; anything else fails at apply or silently matches nothing.
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html"""
    for fn_key, fn in spec.functions.items():
        if fn.trigger is None:
            continue
        for index, pattern in enumerate(fn.trigger.filter_patterns):
            path = ("functions", fn_key, "trigger", "filter_patterns", index)
            unknown = sorted(set(pattern) - _SQS_FILTER_FIELDS)
            if unknown or not pattern:
                yield error(path, f"filters on {', '.join(unknown)}, which is not a field of an SQS record"
                            if unknown else "is empty", "filter on: " + ", ".join(sorted(_SQS_FILTER_FIELDS)))
            for leaf in _filter_leaves(pattern, ()):
                yield error(path, f"the value at {'.'.join(map(str, leaf))} is not an array",
                            f'write it as an array, e.g. {leaf[-1]} = ["value"]')
