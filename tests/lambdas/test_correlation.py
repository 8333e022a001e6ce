"""The correlation id: carried from a record to what is sent while handling it, and nowhere else."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from common import correlation
from common.messages import AnalyticsEvent
from common.sqs import attributes_for
from lambda_events import sqs_record

from generator.local.state import CORRELATION_ATTRIBUTE

EVENT = AnalyticsEvent(event_id="e1", kind="job_queued", subject="user#x", source="router", occurred_at=1)


def test_the_lambda_service_and_the_functions_name_the_same_attribute():
    assert correlation.ATTRIBUTE == CORRELATION_ATTRIBUTE


def test_a_record_s_correlation_id_is_carried_to_what_is_sent_while_handling_it():
    record = SQSRecord(sqs_record("{}", message_attributes={"CorrelationId": "job-7"}))
    with correlation.carried(correlation.of_record(record)):
        assert attributes_for(EVENT)["CorrelationId"] == {"StringValue": "job-7", "DataType": "String"}
    assert "CorrelationId" not in attributes_for(EVENT)  # outside, nothing is carried


def test_a_record_without_one_carries_none():
    record = SQSRecord(sqs_record("{}"))
    assert correlation.of_record(record) is None
    with correlation.carried(correlation.of_record(record)):
        assert set(attributes_for(EVENT)) == {"JobType"}
