"""email: SES rejection texts name the recipient; neither the logs nor the stored outcome (15 days) keep it."""

from __future__ import annotations

import io
import json
import logging

import pytest
from common.text import redact_addresses
from conftest import load_handler
from lambda_events import redelivered, sqs_record
from test_lambda_email import invoke, notification, ses_answers

email = load_handler("email")

RECIPIENT = "Ada.Lovelace+videos@Example.co.uk"

SES_REJECTIONS = [
    ("sandbox, unverified", "MessageRejected",
     f"Email address is not verified. The following identities failed the check in region US-EAST-1: {RECIPIENT}"),
    ("two addresses", "MessageRejected",
     f"Email address is not verified. The following identities failed the check: {RECIPIENT}, bob@example.org"),
    ("angle brackets", "InvalidParameterValue", f"Illegal address <{RECIPIENT}>"),
    ("display name", "InvalidParameterValue", f'Missing final \'@domain\' in "Ada" <{RECIPIENT}>'),
    ("quoted", "MessageRejected", f"Address blacklisted: '{RECIPIENT}'."),
    ("no address at all", "MessageRejected", "Address blacklisted."),
]  # fmt: skip


@pytest.mark.security_family("email: SES rejection texts")
@pytest.mark.parametrize(("code", "text"), [c[1:] for c in SES_REJECTIONS], ids=[c[0] for c in SES_REJECTIONS])
def test_a_rejection_is_logged_and_stored_without_the_recipient(email_env, monkeypatch, code, text):
    # GIVEN SES rejects the recipient with a text that quotes it (and the function's logs captured)
    ses_answers(monkeypatch, code, text)
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(email.logger.registered_formatter)
    email.logger._logger.addHandler(capture)
    try:
        record = sqs_record(notification(to_address=RECIPIENT))
        # WHEN the notification is processed, and delivered again (the stored outcome is replayed)
        assert invoke(record) == {"batchItemFailures": []}
        assert invoke(redelivered(record)) == {"batchItemFailures": []}
    finally:
        email.logger._logger.removeHandler(capture)
    # THEN neither the logs nor the idempotency record hold a mailbox of the texts
    (item,) = email_env.dynamodb.scan(TableName="idempotency")["Items"]
    for place in (stream.getvalue(), json.dumps(item, ensure_ascii=False)):
        for mailbox in ("Ada.Lovelace", "lovelace", "bob@"):
            assert mailbox.lower() not in place.lower()
    # AND the stored outcome still says what SES said, with the domains
    outcome = json.loads(item["data"]["S"])
    assert outcome == {"status": "rejected", "error_code": code, "reason": redact_addresses(text)}


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("failed the check: ada@example.com", "failed the check: …@example.com"),
        ("<a.b+c@x.org>, d@y.net.", "<…@x.org>, …@y.net."),
        ("no address here", "no address here"),
    ],
)
def test_addresses_are_redacted_domains_kept(text, redacted):
    assert redact_addresses(text) == redacted
