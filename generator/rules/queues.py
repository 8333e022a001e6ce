"""Rules about one queue and its dead-letter queue: FIFO names and attributes, retention, the age alarm."""

from __future__ import annotations

from collections.abc import Iterator

from generator.problems import Problem, error
from generator.rules.common import MAX_RETENTION, rule
from generator.spec.model import Spec


@rule
def fifo_names_match_queue_type(spec: Spec) -> Iterator[Problem]:
    """SQS: "The name of a FIFO queue must end with the .fifo suffix"; a standard queue's name must not.

    The DLQ of a FIFO queue must also be FIFO (and of a standard queue, standard), so the same applies to
    dlq.name. Default names are derived from the key, so they never double the suffix; a written name that
    doubles it is rejected by the schema (QUEUE_NAME_PATTERN).
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
    """
    for key, queue in spec.queues.items():
        names = ((("queues", key, "name"), queue.name), (("queues", key, "dlq", "name"), queue.dlq.name))
        for path, name in names:
            if name is None:
                continue
            if queue.fifo_queue and not name.endswith(".fifo"):
                yield error(path, f'"{name}" must end with ".fifo" because the queue is FIFO',
                            f'write "{name}.fifo"' + (" (a FIFO queue's dead-letter queue is FIFO too)"
                                                      if "dlq" in path else ""))
            elif not queue.fifo_queue and name.endswith(".fifo"):
                yield error(path, f'"{name}" ends with ".fifo" but the queue is a standard queue',
                            "set fifo_queue = true, or drop the .fifo suffix")
        if queue.content_based_deduplication and not queue.fifo_queue:
            yield error(("queues", key, "content_based_deduplication"),
                        "content-based deduplication exists only on FIFO queues",
                        "remove it, or set fifo_queue = true")


@rule
def high_throughput_fifo_is_consistent(spec: Spec) -> Iterator[Problem]:
    """High-throughput FIFO: deduplication_scope and fifo_throughput_limit exist only on FIFO queues, and SQS
    accepts FifoThroughputLimit perMessageGroupId only with DeduplicationScope messageGroup.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/high-throughput-fifo.html"""
    for key, queue in spec.queues.items():
        written = [name for name in ("deduplication_scope", "fifo_throughput_limit") if getattr(queue, name)]
        if not queue.fifo_queue:
            for name in written:
                yield error(("queues", key, name), f"{name} exists only on FIFO queues",
                            "remove it, or set fifo_queue = true")
        elif queue.fifo_throughput_limit == "perMessageGroupId" and queue.deduplication_scope != "messageGroup":
            scope = f'"{queue.deduplication_scope}"' if queue.deduplication_scope else '"queue" (the default)'
            yield error(("queues", key, "fifo_throughput_limit"),
                        f'"perMessageGroupId" needs deduplication_scope = "messageGroup", not {scope}; SQS '
                        "rejects the pair", 'set deduplication_scope = "messageGroup" for high throughput, or '
                        'fifo_throughput_limit = "perQueue"')


@rule
def dlq_outlives_source(spec: Spec) -> Iterator[Problem]:
    """Standard queues keep a message's original enqueue timestamp when it moves to the DLQ, so a DLQ whose
    retention is not longer than its source's deletes failed messages before anyone sees them.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
    (FIFO queues reset the timestamp on the move, so the rule does not apply to them.)"""
    for key, queue in spec.queues.items():
        if queue.fifo_queue:
            continue
        source, kept = queue.message_retention_seconds, queue.dlq.message_retention_seconds
        if kept > source:
            continue
        hint = ("a message keeps its original enqueue time in the DLQ; "
                + (f"shorten the queue's message_retention_seconds below {MAX_RETENTION} (the DLQ's maximum)"
                   if kept == MAX_RETENTION else
                   f"give the DLQ a longer retention (up to {MAX_RETENTION}) or shorten the queue's"))
        if "message_retention_seconds" in queue.dlq.model_fields_set:
            yield error(("queues", key, "dlq", "message_retention_seconds"),
                        f"{kept} is not longer than the queue's retention ({source}): failed messages would "
                        "expire early in the DLQ", hint)
        else:
            yield error(("queues", key, "message_retention_seconds"),
                        f"{source} is not shorter than the dead-letter queue's retention ({kept}, the "
                        "default): failed messages would expire early in the DLQ", hint)

@rule
def age_alarm_can_fire(spec: Spec) -> Iterator[Problem]:
    """A message is deleted when it reaches the retention period, so an age alarm at or above it never
    fires. (Unset, the threshold is derived below the retention; `false` turns the alarm off.)"""
    for key, queue in spec.queues.items():
        threshold, retention = queue.age_alarm_threshold, queue.message_retention_seconds
        if threshold is None or threshold < retention:
            continue
        yield error(("queues", key, "oldest_message_alarm_seconds"),
                    f"{threshold} is not below the retention period ({retention}); the alarm could never fire",
                    "set oldest_message_alarm_seconds well below message_retention_seconds, or false for no "
                    "age alarm")
