"""SQS's CloudWatch metrics (namespace AWS/SQS, dimension QueueName), which the emulator never publishes.

Inside the emulator a sampler records, every SAMPLE_SECONDS, each queue's gauges (ApproximateNumberOfMessages-
Visible/NotVisible/Delayed, ApproximateAgeOfOldestMessage) and the counts since the last sample of messages
sent, received and deleted and of empty receives. They reach CloudWatch through moto's own extension point for
service metrics (CloudWatchMetricProvider), so GetMetricStatistics, alarms and dashboards see them.
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
"""

from __future__ import annotations

import collections
import threading
import time
from typing import TYPE_CHECKING, Any

from moto.cloudwatch.models import MetricDatum
from moto.core.common_models import CloudWatchMetricProvider
from moto.core.utils import utcnow

if TYPE_CHECKING:
    from moto.sqs.models import Message, SQSBackend

SAMPLE_SECONDS = 10
KEEP_SECONDS = 3600  # the longest alarm period the generator emits
COUNTERS = ("NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted", "NumberOfEmptyReceives")

_lock = threading.Lock()
_history: dict[tuple[str, str], collections.deque[MetricDatum]] = collections.defaultdict(collections.deque)
_counts: dict[tuple[str, str, str], dict[str, int]] = collections.defaultdict(lambda: dict.fromkeys(COUNTERS, 0))


class SqsMetrics(CloudWatchMetricProvider):
    @staticmethod
    def get_cloudwatch_metrics(account_id: str, region: str) -> list[MetricDatum]:
        with _lock:
            return list(_history.get((account_id, region), ()))


def count(backend: SQSBackend, queue_name: str, counter: str, amount: int = 1) -> None:
    with _lock:
        _counts[(backend.account_id, backend.region_name, queue_name)][counter] += amount


def install_counters() -> None:
    """Count sends, receives and deletes as SQS does for its NumberOf* metrics (DLQ moves are not sends)."""
    from moto.sqs.models import SQSBackend

    send, receive, delete = SQSBackend.send_message, SQSBackend.receive_message, SQSBackend.delete_message

    def send_message(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> Message:
        message = send(self, queue_name, *args, **kwargs)
        count(self, queue_name, "NumberOfMessagesSent")
        return message

    def receive_message(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> list[Message]:
        messages = receive(self, queue_name, *args, **kwargs)
        if messages:
            count(self, queue_name, "NumberOfMessagesReceived", len(messages))
        else:
            count(self, queue_name, "NumberOfEmptyReceives")
        return messages

    def delete_message(self: SQSBackend, queue_name: str, receipt_handle: str) -> None:
        delete(self, queue_name, receipt_handle)
        count(self, queue_name, "NumberOfMessagesDeleted")

    SQSBackend.send_message = send_message
    SQSBackend.receive_message = receive_message
    SQSBackend.delete_message = delete_message


def sample() -> None:
    from moto.sqs.models import sqs_backends

    now = utcnow()
    now_ms = time.time() * 1000
    for account in list(sqs_backends):
        for region in list(sqs_backends[account]):
            backend = sqs_backends[account][region]
            data = []
            for name, queue in list(backend.queues.items()):
                messages = list(queue._messages)
                visible = sum(1 for m in messages if m.visible and not m.delayed)
                delayed = sum(1 for m in messages if m.delayed)
                sent: list[int | None] = [m.sent_timestamp for m in messages]  # epoch ms (moto declares it None)
                oldest = min((stamp for stamp in sent if stamp), default=None)
                gauges = {
                    "ApproximateNumberOfMessagesVisible": visible,
                    "ApproximateNumberOfMessagesNotVisible": len(messages) - visible - delayed,
                    "ApproximateNumberOfMessagesDelayed": delayed,
                    "ApproximateAgeOfOldestMessage": 0 if oldest is None else max(0, (now_ms - oldest) / 1000),
                }
                with _lock:
                    counts = _counts.pop((account, region, name), dict.fromkeys(COUNTERS, 0))
                for metric, value in {**gauges, **counts}.items():
                    unit = "Seconds" if metric == "ApproximateAgeOfOldestMessage" else "Count"
                    data.append(MetricDatum(namespace="AWS/SQS", name=metric, value=float(value),
                                            dimensions=[{"Name": "QueueName", "Value": name}],
                                            timestamp=now, unit=unit))
            with _lock:
                history = _history[(account, region)]
                history.extend(data)
                while history and (now - history[0].timestamp).total_seconds() > KEEP_SECONDS:
                    history.popleft()


def start(stopped: threading.Event) -> threading.Thread:
    def loop() -> None:
        while True:
            try:
                sample()
            except Exception as error:  # keep sampling; say why this round failed
                print(f"SQS metrics sample failed: {type(error).__name__}: {error}", flush=True)
            if stopped.wait(SAMPLE_SECONDS):
                return

    thread = threading.Thread(target=loop, name="sqs-metrics", daemon=True)
    thread.start()
    return thread
