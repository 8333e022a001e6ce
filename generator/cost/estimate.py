"""queues.toml's expected volumes → a monthly cost estimate, line by line, the free tier kept apart.

Only what the topology itself costs is counted: SQS requests (queues and the Lambda service's pollers), Lambda
requests, duration and ephemeral storage, the pipeline's KMS key and the KMS requests SQS makes with it, the
CloudWatch alarms and the dashboard. Every number comes from prices.py; every assumption is listed in `notes`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from generator.cost import prices
from generator.cost.prices import Price
from generator.naming import function_name, function_triggers, queue_name
from generator.plan.model import Plan
from generator.spec.model import Spec, TriggerSettings

NOT_COUNTED = ("CloudWatch Logs ingestion and storage", "DynamoDB", "S3", "SES", "SNS", "X-Ray",
               "data transfer", "KMS requests of services other than SQS (logs, DynamoDB, S3, Lambda)",
               "retries and messages moved to the dead-letter queues")


@dataclass(frozen=True)
class Line:
    service: str
    item: str
    quantity: float
    price: Price
    free_quantity: float = 0.0  # how much of the quantity the free tier covers

    @property
    def cost(self) -> float:
        return self.price.of(self.quantity)

    @property
    def free(self) -> float:
        return self.price.of(min(self.free_quantity, self.quantity))


@dataclass(frozen=True)
class QueueTraffic:
    name: str
    fifo: bool
    messages: int
    chunks: int  # 64 KB chunks per message
    sends: int
    receives: int
    deletes: int
    polls: int  # the pollers' long polls
    consumer: str | None  # function name; None when no enabled mapping polls the queue
    kms_requests: int

    @property
    def requests(self) -> int:
        return self.sends + self.receives + self.deletes + self.polls


@dataclass(frozen=True)
class FunctionUse:
    name: str
    architecture: str
    invocations: int
    duration_ms: int
    memory_mb: int
    storage_mb: int

    @property
    def gb_seconds(self) -> float:
        return self.invocations * self.duration_ms / 1000 * self.memory_mb / 1024

    @property
    def storage_gb_seconds(self) -> float:
        return self.invocations * self.duration_ms / 1000 * max(self.storage_mb - 512, 0) / 1024


@dataclass(frozen=True)
class Estimate:
    lines: tuple[Line, ...]
    queues: tuple[QueueTraffic, ...]
    functions: tuple[FunctionUse, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def total(self) -> float:
        return sum(line.cost for line in self.lines)

    @property
    def free(self) -> float:
        return sum(line.free for line in self.lines)

    @property
    def after_free_tier(self) -> float:
        return self.total - self.free


def messages_per_invocation(settings: TriggerSettings, messages: int, fifo: bool) -> int:
    """What one batch holds on average: what arrives within the batching window, at most batch_size. Without a
    window Lambda invokes as soon as a receive returns: counted as one message (an upper bound on invocations)."""
    window = 0 if fifo else settings.maximum_batching_window_seconds
    if window == 0:
        return 1
    arriving = messages * window / prices.MONTH_SECONDS
    return max(1, min(settings.batch_size, math.floor(arriving)))


def estimate(spec: Spec, plan: Plan) -> Estimate:
    notes: list[str] = []
    bindings = {t.queue: (key, t.settings) for key in sorted(spec.functions)
                for t in function_triggers(key, spec.functions[key])}
    producers = {key: sorted(fn_key for fn_key, fn in spec.functions.items() if key in fn.sends_to)
                 for key in spec.queues}
    invocations: dict[str, int] = dict.fromkeys(spec.functions, 0)
    queues = []
    for key in sorted(spec.queues):
        queue = spec.queues[key]
        expected = queue.expected
        if expected is None:
            notes.append(f"queues.{key} declares no `expected` volume: counted as 0 messages a month")
        messages = expected.messages_per_month if expected else 0
        size = expected.message_bytes if expected else 0
        chunks = max(1, math.ceil(size / prices.SQS_CHUNK_BYTES))
        consumer, settings = bindings.get(key, (None, None))
        receives = deletes = polls = 0
        if consumer is not None and settings is not None and settings.enabled:
            batch = messages_per_invocation(settings, messages, queue.fifo_queue)
            invocations[consumer] += math.ceil(messages / batch)
            per_receive = min(batch, prices.RECEIVE_BATCH)
            receive_calls = math.ceil(messages / per_receive)
            receives = receive_calls * max(1, math.ceil(per_receive * size / prices.SQS_CHUNK_BYTES))
            deletes = receive_calls
            pollers = (prices.POLLERS_WITH_MAXIMUM_CONCURRENCY if settings.maximum_concurrency is not None
                       else prices.POLLERS_WITHOUT)
            polls = pollers * prices.MONTH_SECONDS // prices.POLL_SECONDS
        elif consumer is not None:
            consumer = None  # disabled: nothing polls, messages wait in the queue
        periods = min(messages, prices.MONTH_SECONDS // prices.DATA_KEY_REUSE_SECONDS)
        kms = periods * (2 * len(producers[key]) + (1 if consumer else 0))
        queues.append(QueueTraffic(queue_name(key, queue), queue.fifo_queue, messages, chunks, messages * chunks,
                                   receives, deletes, polls, consumer and function_name(consumer,
                                                                                        spec.functions[consumer]),
                                   kms))
    functions = []
    for key in sorted(spec.functions):
        fn = spec.functions[key]
        usage = fn.expected
        count = invocations[key] + (usage.invocations_per_month if usage else 0)
        duration = usage.duration_ms if usage and usage.duration_ms is not None else None
        if duration is None:
            duration = fn.timeout * 1000
            if count:
                notes.append(f"functions.{key} declares no `expected.duration_ms`: each invocation counted at its "
                             f"timeout ({fn.timeout} s, an upper bound)")
        elif duration > fn.timeout * 1000:
            notes.append(f"functions.{key}.expected.duration_ms ({duration}) is longer than its timeout "
                         f"({fn.timeout} s): Lambda stops it there, so it is counted at the timeout")
            duration = fn.timeout * 1000
        functions.append(FunctionUse(function_name(key, fn), fn.architecture, count, duration, fn.memory_size,
                                     fn.ephemeral_storage_size))
    lines = [*_sqs_lines(queues), *_lambda_lines(functions), *_kms_lines(queues), *_cloudwatch_lines(plan)]
    return Estimate(tuple(line for line in lines if line.quantity), tuple(queues), tuple(functions), tuple(notes))


def _cheapest_first(lines: Sequence[tuple[str, float, Price]], free: float) -> list[tuple[str, float, Price, float]]:
    """Share a free allowance among lines priced differently, cheapest first, so the credit is never overstated."""
    shared = []
    for item, quantity, price in sorted(lines, key=lambda entry: (entry[2].dollars / entry[2].per, entry[0])):
        covered = min(quantity, free)
        free -= covered
        shared.append((item, quantity, price, covered))
    return shared


def _sqs_lines(queues: Iterable[QueueTraffic]) -> list[Line]:
    queues = list(queues)
    standard = sum(q.requests for q in queues if not q.fifo)
    fifo = sum(q.requests for q in queues if q.fifo)
    parts = [("standard queue requests", standard, prices.SQS_STANDARD_REQUEST),
             ("FIFO queue requests", fifo, prices.SQS_FIFO_REQUEST)]
    return [Line("SQS", item, quantity, price, covered)
            for item, quantity, price, covered in _cheapest_first(parts, prices.SQS_FREE_REQUESTS)]


def _lambda_lines(functions: list[FunctionUse]) -> list[Line]:
    requests = sum(fn.invocations for fn in functions)
    lines = [Line("Lambda", "requests", requests, prices.LAMBDA_REQUEST, prices.LAMBDA_FREE_REQUESTS)]
    parts = [(f"duration, {architecture}", sum(fn.gb_seconds for fn in functions if fn.architecture == architecture),
              prices.LAMBDA_GB_SECOND[architecture]) for architecture in ("x86_64", "arm64")]
    lines += [Line("Lambda", item, quantity, price, covered)
              for item, quantity, price, covered in _cheapest_first(parts, prices.LAMBDA_FREE_GB_SECONDS)]
    storage = sum(fn.storage_gb_seconds for fn in functions)
    lines.append(Line("Lambda", "ephemeral storage above 512 MB", storage, prices.LAMBDA_STORAGE_GB_SECOND))
    return lines


def _kms_lines(queues: list[QueueTraffic]) -> list[Line]:
    return [Line("KMS", "the pipeline key", 1, prices.KMS_KEY_MONTH),
            Line("KMS", "requests made by SQS", sum(q.kms_requests for q in queues), prices.KMS_REQUEST,
                 prices.KMS_FREE_REQUESTS)]


def dashboard_metrics(plan: Plan) -> int:
    return plan.dashboard.metric_count


def _cloudwatch_lines(plan: Plan) -> list[Line]:
    alarms = sum(len(alarms) for _, alarms in plan.queue_alarms) + sum(len(alarms) for _, alarms in
                                                                       plan.function_alarms)
    free_dashboards = (prices.CLOUDWATCH_FREE_DASHBOARDS
                       if dashboard_metrics(plan) <= prices.CLOUDWATCH_FREE_DASHBOARD_METRICS else 0)
    return [Line("CloudWatch", "alarms", alarms, prices.CLOUDWATCH_ALARM_MONTH, prices.CLOUDWATCH_FREE_ALARMS),
            Line("CloudWatch", "dashboard", 1, prices.CLOUDWATCH_DASHBOARD_MONTH, free_dashboards)]
