"""Rules about a queue and the function it triggers: timeouts, batching, concurrency, filters, loops.

A function may consume several queues (`trigger` and/or `[functions.<key>.triggers.<queue>]`); every rule
about one mapping applies to each of them, and reports at the table it is written in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from generator.naming import BoundTrigger, function_triggers
from generator.problems import Path, Problem, dotted, error, warning
from generator.rules.common import as_written, consumers, rule
from generator.spec import filter_grammar
from generator.spec.model import Spec


def _where(trigger: BoundTrigger) -> str:
    """The trigger's table relative to its function: `trigger` or `triggers.<queue>`."""
    return dotted(trigger.path[2:])


@rule
def visibility_covers_function_timeout(spec: Spec) -> Iterator[Problem]:
    """Lambda rejects an SQS mapping whose queue visibility timeout is below the function timeout
    ("Queue visibility timeout: 30 seconds is less than Function timeout: 120 seconds"), and recommends at
    least six times the timeout plus the batching window so throttled or retried batches are not redelivered
    while still in flight. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"""
    for fn_key, fn, trigger, q_key, queue in consumers(spec):
        path = ("queues", q_key, "visibility_timeout_seconds")
        window = trigger.settings.maximum_batching_window_seconds
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
    for _fn_key, _fn, trigger, _q_key, queue in consumers(spec):
        settings, base = trigger.settings, trigger.path
        if queue.fifo_queue:
            if settings.batch_size > 10:
                yield error((*base, "batch_size"),
                            f"{settings.batch_size} is above 10, the maximum for a FIFO queue",
                            "use a batch size of 1-10")
            if settings.maximum_batching_window_seconds:
                yield error((*base, "maximum_batching_window_seconds"),
                            "a batching window is not supported on FIFO queues", "remove it (or set it to 0)")
        elif settings.batch_size > 10 and settings.maximum_batching_window_seconds < 1:
            yield error((*base, "batch_size"),
                        f"{settings.batch_size} is above 10, which needs maximum_batching_window_seconds ≥ 1",
                        "set maximum_batching_window_seconds to at least 1, or a batch size of 10 or less")


@rule
def low_receive_count_needs_concurrency_cap(spec: Spec) -> Iterator[Problem]:
    """A throttled invocation still counts as a receive, so with a low maxReceiveCount good messages reach
    the DLQ when Lambda throttles. AWS suggests maxReceiveCount ≥ 5 for Lambda consumers, or capping the
    mapping with MaximumConcurrency so it never outruns the function's concurrency.
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"""
    for fn_key, _fn, trigger, q_key, queue in consumers(spec):
        if queue.max_receive_count < 5 and trigger.settings.maximum_concurrency is None:
            yield warning(
                ("queues", q_key, "max_receive_count"),
                f"{queue.max_receive_count} is below 5 on a queue consumed by functions.{fn_key} without "
                "maximum_concurrency; throttled receives can send good messages to the DLQ",
                f"set {dotted(trigger.path)}.maximum_concurrency, or raise max_receive_count to 5 or more",
            )


@rule
def reserved_concurrency_covers_mapping(spec: Spec) -> Iterator[Problem]:
    """Reserved concurrency below its mappings' MaximumConcurrency (their sum, when the function consumes
    several queues; or with no MaximumConcurrency at all, when a mapping scales up to its own limit) throttles
    the function, and throttled receives count towards maxReceiveCount.
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"""
    for fn_key, fn in spec.functions.items():
        reserved = fn.reserved_concurrent_executions
        triggers = function_triggers(fn_key, fn)
        if reserved is None or not triggers:
            continue
        path = ("functions", fn_key, "reserved_concurrent_executions")
        uncapped = [t for t in triggers if t.settings.maximum_concurrency is None]
        caps = sum(t.settings.maximum_concurrency or 0 for t in triggers)
        if reserved == 0:
            yield warning(path, "0 stops the function from running; its queue will fill and move to the DLQ",
                          f"to pause processing, set {_where(triggers[0])}.enabled = false instead")
        elif uncapped:
            where = _where(uncapped[0])
            cap = (f"set functions.{fn_key}.{where}.maximum_concurrency to at most {reserved}"
                   if reserved >= 2 else
                   f"raise it to at least 2 and set {where}.maximum_concurrency = 2 (its minimum)")
            yield warning(path, f"{reserved} caps the function, but {where}.maximum_concurrency is not set: "
                          "the mapping scales past the cap and its throttled receives count towards "
                          "maxReceiveCount", cap)
        elif reserved < caps and len(triggers) == 1:
            yield warning(path, f"{reserved} is below {_where(triggers[0])}.maximum_concurrency ({caps}); "
                          "the mapping will be throttled",
                          "keep reserved concurrency ≥ the mapping's maximum_concurrency")
        elif reserved < caps:
            yield warning(path, f"{reserved} is below the sum of its {len(triggers)} triggers' "
                          f"maximum_concurrency ({caps}); the mappings will be throttled",
                          "keep reserved concurrency ≥ the sum of the mappings' maximum_concurrency")


@rule
def one_consumer_per_queue(spec: Spec) -> Iterator[Problem]:
    """Two functions polling one queue split its messages between them at random: each message reaches only
    one. Fan out with one queue per consumer instead. (Two triggers of one function on one queue would be two
    mappings competing the same way.)"""
    by_queue: dict[str, list[tuple[str, BoundTrigger]]] = defaultdict(list)
    for fn_key, _fn, trigger, q_key, _queue in consumers(spec):
        by_queue[q_key].append((fn_key, trigger))
    for q_key, found in by_queue.items():
        first_fn, first = found[0]
        for fn_key, trigger in found[1:]:
            if fn_key == first_fn:
                yield error(trigger.queue_path, f"queue '{q_key}' already triggers functions.{fn_key} "
                            f"through {_where(first)}", "list each queue once")
            else:
                yield error(trigger.queue_path, f"queue '{q_key}' is already consumed by functions.{first_fn}; "
                            "each message would reach only one of them", "give each consumer its own queue")


@rule
def no_function_feeds_its_own_trigger(spec: Spec) -> Iterator[Problem]:
    """A function that sends to the queue that triggers it can loop forever (and bill for it); Lambda's
    recursive loop detection stops such a loop only after about 16 rounds.
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html"""
    for fn_key, fn in spec.functions.items():
        for trigger in function_triggers(fn_key, fn):
            if trigger.queue in fn.sends_to:
                yield warning(("functions", fn_key, "sends_to", fn.sends_to.index(trigger.queue)),
                              f"functions.{fn_key} sends to '{trigger.queue}', the queue that triggers it: "
                              "a message can loop forever",
                              "make sure every loop ends (e.g. a hop counter in the message), or use another "
                              "queue")


# The top-level fields of an SQS record a Lambda event filter can match on.
# https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html
_SQS_FILTER_FIELDS = frozenset({
    "attributes", "awsRegion", "body", "eventSource", "eventSourceARN", "md5OfBody", "messageAttributes",
    "messageId", "receiptHandle",
})


@rule
def filter_patterns_are_well_formed(spec: Spec) -> Iterator[Problem]:
    """Lambda event filtering on SQS: a pattern matches fields of the record (body, messageAttributes, …) and
    follows Lambda's grammar (generator/spec/filter_grammar.py: arrays at the leaves, never empty, the
    operators Lambda supports with their argument forms); AWS refuses anything else at apply ("Invalid filter
    pattern definition."), and a field that is not in the record silently matches nothing.
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html"""
    for fn_key, fn in spec.functions.items():
        for trigger in function_triggers(fn_key, fn):
            for index, pattern in enumerate(trigger.settings.filter_patterns):
                path: Path = (*trigger.path, "filter_patterns", index)
                unknown = sorted(set(pattern) - _SQS_FILTER_FIELDS - {"$or"})
                if unknown:
                    yield error(path, f"filters on {', '.join(unknown)}, which is not a field of an SQS record",
                                "filter on: " + ", ".join(sorted(_SQS_FILTER_FIELDS)))
                for found in filter_grammar.pattern_problems(pattern):
                    place = f"the value at {filter_grammar.where_text(found.where)}" if found.where else "the pattern"
                    yield error(path, f"{place} {found.message}", found.hint)
