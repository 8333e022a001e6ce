"""router quotas: counted per authenticated caller and per normalised recipient, exact under DynamoDB faults."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from conftest import load_handler, patch_aws_call, set_router_environment
from job_request_validation import normalised_address
from lambda_events import CALLER_ARN, FakeLambdaContext, http_event

router = load_handler("router")

GOOD_JOB = {"video_url": "https://www.youtube.com/watch?v=abc123", "user_email": "ada@example.com"}


@pytest.fixture
def router_env(aws, monkeypatch):
    set_router_environment(monkeypatch, aws, daily_quota=20)
    return aws


def call(email: str = "ada@example.com", *, caller: str | None = CALLER_ARN):
    event = http_event({**GOOD_JOB, "user_email": email}, caller=caller)
    response = router.lambda_handler(event, FakeLambdaContext("router", remaining_ms=10_000))
    return response["statusCode"], json.loads(response["body"]), response["headers"]


def queued_count(aws) -> int:
    attributes = aws.sqs.get_queue_attributes(
        QueueUrl=aws.queues["video-processing"], AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def counters(aws) -> dict[str, int]:
    """Quota counters by kind ('caller', 'recipient') → the jobs each counted, summed over subjects."""
    totals: dict[str, int] = {}
    for item in aws.dynamodb.scan(TableName="quotas")["Items"]:
        if item["pk"]["S"].startswith("quota#"):
            kind = item["pk"]["S"].split("#")[1]
            totals[kind] = totals.get(kind, 0) + int(item["jobs"]["N"])
    return totals


# ── who is counted ─────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.security_family("router: quota steering")
@pytest.mark.parametrize(
    "addresses",
    [
        [f"ada+{n}@example.com" for n in range(25)],
        [f"{'ADA' if n % 2 else 'ada'}@{'EXAMPLE' if n % 3 else 'example'}.com" for n in range(25)],
        [f"a.d.a+{n}@gmail.com" for n in range(12)] + [f"ada+{n}@googlemail.com" for n in range(13)],
        [f" ada+{n}@example.com " for n in range(25)],
    ],
    ids=["plus tags", "letter case", "gmail dots and googlemail", "surrounding blanks"],
)
@pytest.mark.parametrize("caller", [CALLER_ARN, None], ids=["iam auth", "auth none"])
def test_one_mailbox_gets_at_most_the_daily_quota_however_its_address_is_spelt(router_env, addresses, caller):
    # GIVEN a quota of 20 a day, WHEN 25 jobs name one mailbox in 25 spellings
    statuses = [call(address, caller=caller)[0] for address in addresses]
    # THEN 20 are queued and 5 refused
    assert statuses.count(200) == 20 and statuses.count(429) == 5
    assert queued_count(router_env) == 20


@pytest.mark.security_family("router: quota steering")
def test_one_caller_gets_at_most_the_daily_quota_across_recipients(router_env):
    # GIVEN an IAM caller sending jobs for 25 different people
    statuses = [call(f"user{n}@example{n}.org")[0] for n in range(25)]
    # THEN its own quota stops it at 20, and the answer says which quota
    assert statuses.count(200) == 20
    status, body, headers = call("someone@else.org")
    assert status == 429 and body["quotas"] == ["caller"]
    assert 0 < int(headers["retry-after"]) <= 86400
    # AND another caller is not affected
    assert call("someone@else.org", caller="arn:aws:iam::123456789012:user/other")[0] == 200


@pytest.mark.security_family("router: quota steering")
def test_an_assumed_role_is_one_caller_whatever_its_session_names(router_env, monkeypatch):
    monkeypatch.setenv("DAILY_QUOTA", "3")
    role = "arn:aws:sts::123456789012:assumed-role/web-app/session-{n}"
    statuses = [call(f"user{n}@example.org", caller=role.format(n=n))[0] for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.security_family("router: quota steering")
def test_a_caller_quota_of_its_own_can_be_set(router_env, monkeypatch):
    # GIVEN a backend caller allowed 30 jobs a day, each recipient still 20
    monkeypatch.setenv("CALLER_DAILY_QUOTA", "30")
    statuses = [call(f"user{n}@example.org")[0] for n in range(32)]
    assert statuses.count(200) == 30


def test_the_quota_items_hold_hashes_and_expire(router_env):
    assert call()[0] == 200
    items = router_env.dynamodb.scan(TableName="quotas")["Items"]
    assert sorted(item["pk"]["S"].split("#")[1] for item in items if item["pk"]["S"].startswith("quota#")) == [
        "caller",
        "recipient",
    ]
    for item in items:
        assert "example" not in json.dumps(item) and "ada" not in item["pk"]["S"]
        assert int(item["expires_at"]["N"]) > time.time()


@pytest.mark.parametrize(
    ("typed", "mailbox"),
    [
        ("Ada+News@Example.COM", "ada@example.com"),
        ("a.d.a+x@googlemail.com", "ada@gmail.com"),
        ("+only@example.com", "+only@example.com"),
        ("a.b@example.com", "a.b@example.com"),
    ],
)
def test_addresses_are_normalised_to_their_mailbox(typed, mailbox):
    assert normalised_address(typed) == mailbox


def test_the_email_goes_to_the_address_as_typed(router_env):
    assert call("Ada+Videos@Example.com")[0] == 200
    (message,) = router_env.sqs.receive_message(QueueUrl=router_env.queues["video-processing"])["Messages"]
    assert json.loads(message["Body"])["user_email"] == "Ada+Videos@Example.com"


# ── DynamoDB faults: 503, and the quota stays exact ────────────────────────────────────────────────────


def client_error(code: str):
    return ClientError({"Error": {"Code": code, "Message": code}}, "TransactWriteItems")


def cancelled(*codes: str):
    error = ClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
        "TransactWriteItems",
    )
    error.response["CancellationReasons"] = [{"Code": code} for code in codes]
    return error


DYNAMODB_FAULTS = [
    ("throttling", client_error("ThrottlingException"), False),
    ("provisioned throughput exceeded", client_error("ProvisionedThroughputExceededException"), False),
    ("request limit exceeded", client_error("RequestLimitExceeded"), False),
    ("access denied", client_error("AccessDeniedException"), False),
    ("missing table (error)", client_error("ResourceNotFoundException"), False),
    ("internal server error", client_error("InternalServerError"), False),
    ("validation error", client_error("ValidationException"), False),
    ("transaction conflict", cancelled("None", "TransactionConflict", "None"), False),
    ("transaction throttled", cancelled("ThrottlingError", "None", "None"), False),
    ("read timeout after commit", ReadTimeoutError(endpoint_url="https://dynamodb"), True),
    ("connect timeout", ConnectTimeoutError(endpoint_url="https://dynamodb"), False),
    ("endpoint unreachable", EndpointConnectionError(endpoint_url="https://dynamodb"), False),
]


@pytest.mark.security_family("router: DynamoDB faults")
@pytest.mark.parametrize(
    ("error", "commit_first"), [c[1:] for c in DYNAMODB_FAULTS], ids=[c[0] for c in DYNAMODB_FAULTS]
)
def test_a_dynamodb_fault_is_a_503_and_leaves_the_quota_exact(router_env, monkeypatch, error, commit_first):
    # GIVEN two jobs already queued, then DynamoDB failing the next quota transaction (after committing it,
    # for a timeout that hides the outcome)
    assert [call()[0], call()[0]] == [200, 200]
    failures = []

    def make_failing(client, real):
        def transact_write_items(**kwargs):
            is_refund = "refunded_at" in json.dumps(kwargs)
            if failures or is_refund:
                return real(**kwargs)
            failures.append(kwargs)
            if commit_first:
                real(**kwargs)
            raise error

        return transact_write_items

    patch_aws_call(monkeypatch, "dynamodb", "transact_write_items", make_failing)
    # WHEN a job comes in
    status, body, _ = call()
    # THEN the client is told to retry, nothing more is queued, and no job is counted that was not queued
    assert status == 503 and "try again" in body["message"]
    assert queued_count(router_env) == 2
    assert counters(router_env) == {"caller": 2, "recipient": 2}
    # AND once DynamoDB answers again, the next job is counted normally
    assert call()[0] == 200
    assert counters(router_env) == {"caller": 3, "recipient": 3}


@pytest.mark.security_family("router: DynamoDB faults")
def test_a_missing_quota_table_is_a_503(router_env, monkeypatch):
    monkeypatch.setenv("QUOTAS_TABLE", "no-such-table")
    assert call()[0] == 503
    assert queued_count(router_env) == 0


@pytest.mark.security_family("router: DynamoDB faults")
def test_a_job_that_cannot_be_queued_is_answered_503_and_given_back(router_env, monkeypatch):
    # GIVEN a video queue that does not exist
    monkeypatch.setenv("VIDEO_QUEUE_URL", router_env.queues["video-processing"] + "-missing")
    # WHEN a job arrives, THEN the client is told to retry, and the job was not counted
    assert call()[0] == 503
    assert counters(router_env) == {"caller": 0, "recipient": 0}
    # AND the job's marker says it was given back
    (marker,) = [i for i in router_env.dynamodb.scan(TableName="quotas")["Items"] if "refunded_at" in i]
    assert marker["pk"]["S"].startswith("quota-job#")


@pytest.mark.security_family("router: DynamoDB faults")
def test_a_retried_transaction_that_had_committed_counts_once(router_env, monkeypatch):
    # GIVEN botocore retries a quota transaction whose first attempt committed (its answer was lost)
    def make_retried(client, real):
        def transact_write_items(**kwargs):
            real(**kwargs)
            return real(**kwargs)  # the retry: the job's marker exists, so the condition fails

        return transact_write_items

    patch_aws_call(monkeypatch, "dynamodb", "transact_write_items", make_retried)
    # WHEN the job comes in, THEN it is queued and counted once
    assert call()[0] == 200
    assert counters(router_env) == {"caller": 1, "recipient": 1}
