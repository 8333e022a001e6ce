"""SQS FIFO queues as AWS runs them: two patches of the compatibility layer (patches.py lists them).

- Redelivery keeps a message group's order. When the visibility timeout of several received messages of one
  group runs out, SQS hands them back first to last. moto 5.2.5 releases them one at a time inside a receive
  and treats the group as still in flight until the last one is released, so it returns only the last message
  and holds the earlier ones back (the group's order is broken). Here every message whose visibility ran out
  is released before the receive looks at the groups.
- Every message sent to a FIFO queue gets a SequenceNumber: "a large, non-consecutive number that Amazon SQS
  assigns to each message", 128 bits at most, returned as a string by SendMessage(Batch) and as the
  SequenceNumber attribute of a received message, increasing within a queue. moto assigns one only when
  the sender passes a MessageDeduplicationId (not with content-based deduplication), at random.
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from generator.local.emulator.patch import Patch, patch

if TYPE_CHECKING:
    from moto.sqs.models import Message, Queue, SQSBackend

SEQUENCE_BASE = 10**19  # 20-digit numbers, as SQS shows them


@patch("SQS: on a FIFO queue, messages of one group whose visibility timeout ran out are received again in "
       "their order (moto returned only the group's last message and held the others back)")
def _fifo_redelivery_in_order() -> None:
    from moto.sqs.models import SQSBackend

    original = SQSBackend.receive_message

    def receive_message(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> list[Message]:
        queue = self.get_queue(queue_name)
        if queue.fifo_queue:
            with queue._messages_lock:
                timed_out = {message for message in queue.pending_messages if message.visible}
                queue.pending_messages.difference_update(timed_out)
        return original(self, queue_name, *args, **kwargs)

    SQSBackend.receive_message = receive_message


@patch("SQS: every message sent to a FIFO queue carries a SequenceNumber, increasing within the queue "
       "(a 20-digit string), content-based deduplication included")
def _fifo_sequence_numbers() -> None:
    from moto.sqs.models import Queue

    original = Queue.add_message
    counters_lock = threading.Lock()

    def add_message(self: Queue, message: Message) -> None:
        if self.fifo_queue:
            with counters_lock:
                previous = getattr(self, "last_sequence_number", 0)
                # microseconds × 16: room for 16 sends per microsecond before the clock is overtaken
                number = max(previous + 1, SEQUENCE_BASE + time.time_ns() // 1000 * 16)
                self.last_sequence_number = number  # type: ignore[attr-defined]  # ours: moto has none
            message.sequence_number = str(number)
        original(self, message)

    Queue.add_message = add_message


PATCHES: tuple[Patch, ...] = (_fifo_redelivery_in_order, _fifo_sequence_numbers)
