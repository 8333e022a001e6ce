"""The runner's event source mapping against the documented Lambda semantics, on an in-process moto SQS.

The function is a stand-in (a Python callable returning an InvocationOutcome), so each test controls what the
function answers; the queue, its redrive policy and the receive counts are moto's.
"""

from __future__ import annotations

import json
import threading
import time

import boto3
import pytest
from moto import mock_aws

from generator.local.lambda_service.environments import InvocationOutcome
from generator.local.lambda_service.poller import MappingConfig, MappingPoller


@pytest.fixture
def sqs():
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def make_queue(sqs, name="jobs", max_receive_count=None):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    dlq_url = None
    if max_receive_count:
        dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})})
    return url, arn, dlq_url


def mapping(url, arn, **overrides) -> MappingConfig:
    values = dict(uuid="m-1", function_name="fn", qualifier=None, queue_arn=arn, queue_url=url, batch_size=10,
                  batching_window=0, maximum_concurrency=None, enabled=True, filter_patterns=(),
                  report_batch_item_failures=True)
    values.update(overrides)
    return MappingConfig(**values)


def send(sqs, url, *bodies) -> None:
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body if isinstance(body, str) else json.dumps(body))


def depth(sqs, url) -> tuple[int, int]:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


def receive_all(sqs, url) -> list[dict]:
    return [sqs_record_like(m) for m in sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]).get("Messages", [])]


def sqs_record_like(message: dict) -> dict:
    from generator.local.lambda_service.events import sqs_record

    return sqs_record(message, "arn:aws:sqs:us-east-1:123456789012:jobs")


class Recorder:
    """A stand-in function: records each event, answers what `answer(records)` returns."""

    def __init__(self, answer=lambda records: InvocationOutcome("ok", payload={"batchItemFailures": []}), delay=0.0):
        self.events: list[list[dict]] = []
        self._answer = answer
        self._delay = delay
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def __call__(self, event: dict) -> InvocationOutcome:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.events.append(event["Records"])
        time.sleep(self._delay)
        with self._lock:
            self.running -= 1
        return self._answer(event["Records"])


def run_until(poller: MappingPoller, condition, timeout: float = 15.0) -> None:
    poller.start()
    try:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "condition not met in time"
            time.sleep(0.05)
    finally:
        poller.stop()


def test_only_the_records_the_function_reports_stay_in_the_queue(sqs):
    url, arn, _ = make_queue(sqs)
    send(sqs, url, "a", "b", "c")

    def fail_b(records):
        return InvocationOutcome("ok", payload={"batchItemFailures": [
            {"itemIdentifier": r["messageId"]} for r in records if r["body"] == "b"]})

    poller = MappingPoller(mapping(url, arn), Recorder(fail_b), lambda: sqs, report=lambda result: None)
    result = poller.process(receive_all(sqs, url), sqs)
    assert (result.records, result.deleted, result.failed) == (3, 2, 1)
    assert depth(sqs, url) == (0, 1)  # b waits out its visibility timeout; a and c are gone


@pytest.mark.parametrize("status", ["error", "timeout", "crash"])
def test_an_error_or_timeout_deletes_nothing(sqs, status):
    url, arn, _ = make_queue(sqs)
    send(sqs, url, "a", "b")
    poller = MappingPoller(mapping(url, arn), Recorder(lambda r: InvocationOutcome(status, error={"errorType": "X"})),
                           lambda: sqs, report=lambda result: None)
    result = poller.process(receive_all(sqs, url), sqs)
    assert (result.deleted, result.failed, result.outcome) == (0, 2, status)
    assert depth(sqs, url) == (0, 2)


def test_a_malformed_batch_response_fails_the_whole_batch(sqs):
    url, arn, _ = make_queue(sqs)
    send(sqs, url, "a", "b")
    answer = Recorder(lambda r: InvocationOutcome("ok", payload={"batchItemFailures": [{"itemIdentifier": "unknown"}]}))
    result = MappingPoller(mapping(url, arn), answer, lambda: sqs, report=lambda r: None).process(
        receive_all(sqs, url), sqs)
    assert (result.deleted, result.outcome) == (0, "invalid-response")


def test_without_report_batch_item_failures_a_return_deletes_the_whole_batch(sqs):
    url, arn, _ = make_queue(sqs)
    send(sqs, url, "a", "b")
    answer = Recorder(lambda r: InvocationOutcome("ok", payload={"batchItemFailures": [
        {"itemIdentifier": r[0]["messageId"]}]}))
    config = mapping(url, arn, report_batch_item_failures=False)
    result = MappingPoller(config, answer, lambda: sqs, report=lambda r: None).process(receive_all(sqs, url), sqs)
    assert result.deleted == 2
    assert depth(sqs, url) == (0, 0)


def test_a_batching_window_gathers_records_into_one_invocation(sqs):
    url, arn, _ = make_queue(sqs)
    recorder = Recorder()
    poller = MappingPoller(mapping(url, arn, batch_size=100, batching_window=2), recorder, lambda: sqs,
                           report=lambda r: None)
    poller.start()
    try:
        for index in range(15):
            send(sqs, url, f"m{index}")
            time.sleep(0.05)
        deadline = time.monotonic() + 10
        while not recorder.events and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        poller.stop()
    assert [len(records) for records in recorder.events] == [15]


def test_batches_larger_than_ten_take_several_receives(sqs):
    url, arn, _ = make_queue(sqs)
    for start in range(0, 25, 5):
        send(sqs, url, *(f"m{index}" for index in range(start, start + 5)))
    recorder = Recorder()
    poller = MappingPoller(mapping(url, arn, batch_size=25, batching_window=3), recorder, lambda: sqs,
                           report=lambda r: None)
    run_until(poller, lambda: sum(len(records) for records in recorder.events) == 25)
    assert [len(records) for records in recorder.events] == [25]


def test_without_a_window_the_function_is_invoked_as_soon_as_records_arrive(sqs):
    url, arn, _ = make_queue(sqs)
    send(sqs, url, "m0")
    recorder = Recorder()
    poller = MappingPoller(mapping(url, arn, batch_size=10, batching_window=0), recorder, lambda: sqs,
                           report=lambda r: None)
    started = time.monotonic()
    run_until(poller, lambda: recorder.events)
    assert time.monotonic() - started < 2
    assert len(recorder.events[0]) == 1


def test_maximum_concurrency_caps_the_invocations_in_flight(sqs):
    url, arn, _ = make_queue(sqs)
    send(sqs, url, *(f"m{index}" for index in range(12)))
    recorder = Recorder(delay=0.4)
    poller = MappingPoller(mapping(url, arn, batch_size=1, maximum_concurrency=3), recorder, lambda: sqs,
                           report=lambda r: None)
    run_until(poller, lambda: len(recorder.events) == 12 and recorder.running == 0, timeout=20)
    assert recorder.most_at_once == 3


def test_records_that_match_no_filter_are_deleted_unprocessed(sqs):
    url, arn, _ = make_queue(sqs)
    send(sqs, url, {"kind": "video"}, {"kind": "spam"}, "not json")
    recorder = Recorder()
    config = mapping(url, arn, filter_patterns=(json.dumps({"body": {"kind": ["video"]}}),))
    poller = MappingPoller(config, recorder, lambda: sqs, report=lambda r: None)
    run_until(poller, lambda: poller.filtered == 2 and recorder.events)
    assert [json.loads(r["body"]) for records in recorder.events for r in records] == [{"kind": "video"}]
    assert depth(sqs, url) == (0, 0)


def test_a_failing_record_is_retried_after_the_retry_delay_and_redriven_after_max_receives(sqs):
    url, arn, dlq_url = make_queue(sqs, max_receive_count=3)
    send(sqs, url, "poison")
    recorder = Recorder(lambda r: InvocationOutcome("error", error={"errorType": "Boom"}))
    local_calls = []

    def local_sqs():  # the Lambda service's own client: the function's role is not granted ChangeMessageVisibility
        local_calls.append(1)
        return sqs

    poller = MappingPoller(mapping(url, arn, batch_size=1), recorder, lambda: sqs, report=lambda r: None,
                           retry_delay=1, local_sqs_factory=local_sqs)
    run_until(poller, lambda: depth(sqs, dlq_url)[0] == 1, timeout=20)
    assert len(local_calls) == 3  # each retry delay set with it
    counts = [records[0]["attributes"]["ApproximateReceiveCount"] for records in recorder.events]
    assert counts == ["1", "2", "3"]  # received exactly maxReceiveCount times, then moved by the redrive
    assert depth(sqs, url) == (0, 0)


def test_a_failed_record_waits_for_the_visibility_timeout_without_a_retry_delay(sqs):
    url, arn, _ = make_queue(sqs)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "30"})
    send(sqs, url, "poison")
    recorder = Recorder(lambda r: InvocationOutcome("error", error={"errorType": "Boom"}))
    poller = MappingPoller(mapping(url, arn, batch_size=1), recorder, lambda: sqs, report=lambda r: None)
    run_until(poller, lambda: recorder.events and time.sleep(2.5) is None)  # keeps polling for 2.5 s more
    assert len(recorder.events) == 1  # AWS behaviour: nothing shortens the visibility timeout
    assert depth(sqs, url) == (0, 1)


# ── a mapping that is still settling (Creating, as AWS answers CreateEventSourceMapping) ─────────────────────


class _Mappings:
    """A Lambda client that lists one SQS mapping, in the state the test sets."""

    def __init__(self, arn):
        self.state = "Creating"
        self.raw = {"UUID": "m-1", "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:fn",
                    "EventSourceArn": arn, "BatchSize": 10, "MaximumBatchingWindowInSeconds": 0,
                    "FunctionResponseTypes": []}

    def get_paginator(self, _name):
        return self

    def paginate(self):
        return [{"EventSourceMappings": [{**self.raw, "State": self.state}]}]


@pytest.mark.parametrize(("settling", "then", "polled"), [("Creating", "Enabled", True),
                                                          ("Creating", "Disabled", False),
                                                          ("Enabling", "Enabled", True)])
def test_the_runner_polls_a_new_mapping_once_it_is_enabled(sqs, settling, then, polled):
    from generator.local.lambda_service.runner import Runner

    # GIVEN the runner and a mapping the emulator reports as still settling
    _, arn, _ = make_queue(sqs)
    runner = object.__new__(Runner)  # only what _mapping_configs and _refresh_mappings use
    runner.pollers, runner.retry_delay, runner.log = {}, None, lambda record: None
    runner.client = lambda service: sqs
    runner.invoke = lambda function, qualifier, event: InvocationOutcome(status="ok")
    runner.sqs_as_role = lambda function: sqs
    runner.debug = None
    runner._batch_done = lambda result: None
    lambda_ = _Mappings(arn)

    def refresh(lambda_) -> None:
        runner._refresh_mappings(*runner._mapping_configs(lambda_))

    lambda_.state = settling
    try:
        # WHEN the runner refreshes THEN it polls nothing yet
        refresh(lambda_)
        assert runner.pollers == {}
        # AND once the mapping settled, it polls it only if it is Enabled
        lambda_.state = then
        refresh(lambda_)
        assert bool(runner.pollers) is polled
        # AND an update in flight (Updating) leaves the running poller as it is
        before = dict(runner.pollers)
        lambda_.state = "Updating"
        lambda_.raw["BatchSize"] = 5
        refresh(lambda_)
        assert runner.pollers == before
    finally:
        for poller in runner.pollers.values():
            poller.stop()


@pytest.mark.parametrize(("hold", "delivered_again"), [(None, True), (60, False)])
def test_a_debugged_function_s_batch_stays_hidden_while_it_is_paused(sqs, hold, delivered_again):
    """`up --debug`: a batch paused longer than the queue's visibility timeout is not delivered again meanwhile
    (without the hold it is: the case the hold is for)."""
    url, arn, _ = make_queue(sqs)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "1"})
    send(sqs, url, "paused")
    recorder = Recorder(delay=2.5)  # a breakpoint
    poller = MappingPoller(mapping(url, arn, batch_size=1), recorder, lambda: sqs, report=lambda r: None,
                           hold_visibility=hold)
    run_until(poller, lambda: depth(sqs, url) == (0, 0) and not recorder.running, timeout=20)
    assert (len(recorder.events) > 1) is delivered_again
