"""email: EmailNotification → SES, exactly once per notification_id; permanent rejections are not retried."""

from __future__ import annotations

import time
import uuid

from botocore.exceptions import ClientError
from common.messages import EmailNotification
from conftest import load_handler, patch_aws_call
from lambda_events import (
    ACCOUNT,
    FakeLambdaContext,
    failed_ids,
    redelivered,
    sqs_bodies,
    sqs_event,
    sqs_record,
)
from moto.ses.models import ses_backends

email = load_handler("email")


def notification(to_address: str = "ada@example.com", **changes) -> EmailNotification:
    job_id = changes.pop("job_id", str(uuid.uuid4()))
    fields = {
        "notification_id": f"video-ready:{job_id}",
        "job_id": job_id,
        "to_address": to_address,
        "video_url": "https://www.youtube.com/watch?v=abc",
        "thumbnail_keys": [f"thumbnails/{job_id}/1280x720.jpg", f"thumbnails/{job_id}/320x180.jpg"],
        "timestamp": int(time.time()),
        "video_title": "Test <pattern> & friends",
        **changes,
    }
    return EmailNotification(**fields)


def invoke(*records, remaining_ms: int = 10_000):
    return email.lambda_handler(sqs_event(*records), FakeLambdaContext("email", remaining_ms))


def sent_count(aws) -> int:
    return int(aws.ses.get_send_quota()["SentLast24Hours"])


def sent_messages():
    return ses_backends[ACCOUNT]["us-east-1"].sent_messages


def idempotency_records(aws) -> list[dict]:
    return aws.dynamodb.scan(TableName="idempotency")["Items"]


def ses_answers(monkeypatch, code: str, message: str, *, times: int = 1_000) -> list[dict]:
    """Make SES answer the next `times` sends with error `code` (what moto cannot simulate), then recover.

    Returns the list of calls made to SES.
    """
    calls: list[dict] = []

    def make_fake(ses, real_send):
        def send_email(**kwargs):
            calls.append(kwargs)
            if len(calls) <= times:
                raise ClientError({"Error": {"Code": code, "Message": message}}, "SendEmail")
            return real_send(**kwargs)

        return send_email

    patch_aws_call(monkeypatch, "ses", "send_email", make_fake)
    return calls


def test_a_notification_is_sent_with_text_and_html_bodies(email_env, monkeypatch):
    # GIVEN a notification (and a spy on what reaches SES)
    sent_requests = []
    patch_aws_call(
        monkeypatch, "ses", "send_email", lambda ses, real: lambda **kw: sent_requests.append(kw) or real(**kw)
    )
    message = notification()

    # WHEN the email function processes it
    assert invoke(sqs_record(message)) == {"batchItemFailures": []}

    # THEN SES sent one email from the configured sender to the recipient
    assert sent_count(email_env) == 1
    (sent,) = sent_messages()
    assert (sent.source, sent.destinations["ToAddresses"]) == (email_env.sender, ["ada@example.com"])
    assert "Your video is ready" in sent.subject
    # AND the request carried a text and an HTML body, the title escaped in the HTML
    (request,) = sent_requests
    body = request["Message"]["Body"]
    assert message.job_id in body["Text"]["Data"]
    assert "Test &lt;pattern&gt; &amp; friends" in body["Html"]["Data"]
    # AND an email_sent event is emitted
    (event,) = sqs_bodies(email_env.sqs, email_env.queues["analytics"])
    assert (event["kind"], event["subject"]) == ("email_sent", "domain#example.com")


def test_a_redelivered_notification_is_sent_once(email_env):
    # GIVEN a notification that was sent
    record = sqs_record(notification())
    invoke(record)
    # WHEN SQS delivers it again, in a later invocation and twice within one batch
    assert invoke(redelivered(record)) == {"batchItemFailures": []}
    assert invoke(redelivered(record), redelivered(record)) == {"batchItemFailures": []}
    # THEN SES sent exactly one email
    assert sent_count(email_env) == 1
    # AND the analytics event is re-emitted with the same id (analytics counts it once)
    events = sqs_bodies(email_env.sqs, email_env.queues["analytics"])
    assert len({event["event_id"] for event in events}) == 1


def test_the_same_notification_in_two_messages_is_sent_once(email_env):
    # GIVEN the thumbnail function queued the same notification twice (its job was redelivered)
    message = notification()
    assert invoke(sqs_record(message), sqs_record(message)) == {"batchItemFailures": []}
    assert sent_count(email_env) == 1


def test_an_address_ses_refuses_is_recorded_and_not_retried(email_env):
    # GIVEN a recipient SES refuses as invalid (moto answers InvalidParameterValue "Missing domain")
    record = sqs_record(notification(to_address="nobody-at-all"))
    # WHEN it is processed, and delivered again
    assert invoke(record) == {"batchItemFailures": []}
    assert invoke(redelivered(record)) == {"batchItemFailures": []}
    # THEN nothing is sent, the record succeeds (no retry, no DLQ), the outcome is stored,
    # and an email_rejected event is emitted
    assert sent_count(email_env) == 0
    (stored,) = idempotency_records(email_env)
    assert stored["status"]["S"] == "COMPLETED"
    assert '"status":"rejected"' in stored["data"]["S"].replace(" ", "")
    kinds = {event["kind"] for event in sqs_bodies(email_env.sqs, email_env.queues["analytics"])}
    assert kinds == {"email_rejected"}


def test_message_rejected_for_a_recipient_is_not_retried(email_env, monkeypatch):
    # GIVEN SES in sandbox mode refusing the recipient
    calls = ses_answers(
        monkeypatch,
        "MessageRejected",
        "Email address is not verified. The following identities failed the check in region US-EAST-1: "
        "ada@example.com",
    )
    record = sqs_record(notification())
    # WHEN the notification is delivered twice
    assert invoke(record) == {"batchItemFailures": []}
    assert invoke(redelivered(record)) == {"batchItemFailures": []}
    # THEN SES was asked once, and the record is not retried
    assert len(calls) == 1


def test_an_unverified_sender_fails_the_record_until_fixed(email_env, monkeypatch):
    # GIVEN a sender SES does not know (a deployment mistake, not the recipient's fault)
    monkeypatch.setenv("SENDER_EMAIL", "unverified@example.net")
    record = sqs_record(notification())
    # WHEN the notification comes in, THEN the record fails (retry, eventually the DLQ) and nothing is stored
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert idempotency_records(email_env) == []
    # AND once the sender is verified, the redelivery sends it
    email_env.ses.verify_email_identity(EmailAddress="unverified@example.net")
    assert invoke(redelivered(record)) == {"batchItemFailures": []}
    assert sent_count(email_env) == 1


def test_throttling_fails_the_record_and_a_later_delivery_sends(email_env, monkeypatch):
    # GIVEN SES throttles the first attempt
    calls = ses_answers(monkeypatch, "Throttling", "Maximum sending rate exceeded.", times=1)
    record = sqs_record(notification())
    # WHEN the notification is delivered, THEN the record fails for a retry, and nothing is stored
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert idempotency_records(email_env) == []
    # AND the redelivery sends it, once
    assert invoke(redelivered(record)) == {"batchItemFailures": []}
    assert len(calls) == 2
    assert sent_count(email_env) == 1


def test_only_the_bad_records_of_a_batch_fail(email_env):
    good = sqs_record(notification())
    not_json = sqs_record("<html>")
    wrong_schema = sqs_record({**notification().to_dict(), "thumbnail_keys": "not-a-list"})
    no_version = {**notification().to_dict()}
    del no_version["version"]
    unversioned = sqs_record(no_version)
    response = invoke(good, not_json, wrong_schema, unversioned)
    assert failed_ids(response) == sorted(r["messageId"] for r in (not_json, wrong_schema, unversioned))
    assert sent_count(email_env) == 1


def test_a_notification_id_reused_for_another_recipient_is_refused(email_env):
    # GIVEN a notification that was sent
    first = notification()
    invoke(sqs_record(first))
    # WHEN another message reuses its id for a different recipient
    impostor = sqs_record(notification(to_address="mallory@example.com", job_id=first.job_id))
    # THEN it fails (and will reach the DLQ) instead of being silently swallowed or sent
    assert failed_ids(invoke(impostor)) == [impostor["messageId"]]
    assert sent_count(email_env) == 1


def test_a_record_is_not_started_without_enough_time_left(email_env):
    record = sqs_record(notification())
    assert failed_ids(invoke(record, remaining_ms=1_000)) == [record["messageId"]]
    assert sent_count(email_env) == 0
