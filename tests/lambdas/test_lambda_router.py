"""router: HTTP job requests → validation → daily quota → video-processing-queue (+ analytics)."""

from __future__ import annotations

import json
import time

import pytest
from common.messages import VideoJob, from_dict
from conftest import load_handler, set_router_environment
from lambda_events import FakeLambdaContext, http_event, sqs_bodies

router = load_handler("router")

GOOD_JOB = {
    "video_url": "https://www.youtube.com/watch?v=abc123",
    "user_email": "ada@example.com",
    "quality": "720p",
}


@pytest.fixture
def router_env(aws, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "router")
    set_router_environment(monkeypatch, aws, daily_quota=3, allowed_hosts="youtube.com, vimeo.com")
    return aws


def call(event):
    response = router.lambda_handler(event, FakeLambdaContext("router"))
    return response["statusCode"], json.loads(response["body"]), response["headers"]


def queued_jobs(aws):
    response = aws.sqs.receive_message(
        QueueUrl=aws.queues["video-processing"], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )
    return response.get("Messages", [])


def test_a_valid_job_is_queued_with_the_seed_message_attributes(router_env):
    # GIVEN a valid job request
    # WHEN the router receives it
    status, body, _ = call(http_event(GOOD_JOB))

    # THEN it answers 200 with the job id and the queue's message id
    assert status == 200
    assert body["message"] == "Job queued successfully"
    # AND exactly one VideoJob is queued, with JobType and Priority attributes as in the week-1 plan
    (message,) = queued_jobs(router_env)
    assert message["MessageId"] == body["queue_message_id"]
    assert message["MessageAttributes"] == {
        "JobType": {"StringValue": "video_download", "DataType": "String"},
        "Priority": {"StringValue": "normal", "DataType": "String"},
        "CorrelationId": {"StringValue": body["job_id"], "DataType": "String"},  # the job's thread (trace)
    }
    job = from_dict(json.loads(message["Body"]), VideoJob)
    assert (job.job_id, job.video_url, job.user_email, job.quality) == (
        body["job_id"],
        GOOD_JOB["video_url"],
        GOOD_JOB["user_email"],
        "720p",
    )
    assert abs(job.timestamp - time.time()) < 60
    # AND a job_queued analytics event names the job but not the address
    (event,) = sqs_bodies(router_env.sqs, router_env.queues["analytics"])
    assert (event["kind"], event["job_id"], event["source"]) == ("job_queued", body["job_id"], "router")
    assert "ada@example.com" not in json.dumps(event)


def test_quality_defaults_to_720p_and_subdomains_of_allowed_hosts_pass(router_env):
    status, body, _ = call(
        http_event({"video_url": "https://m.vimeo.com/123", "user_email": "b@example.org"})
    )
    assert status == 200, body
    (message,) = queued_jobs(router_env)
    assert json.loads(message["Body"])["quality"] == "720p"


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"video_url": "ftp://youtube.com/v"}, "video_url", "http or https"),
        ({"video_url": "https://evilyoutube.com/v"}, "video_url", "not allowed"),
        ({"video_url": "https://youtube.com.evil.net/v"}, "video_url", "not allowed"),
        ({"video_url": "https://user:pw@youtube.com/v"}, "video_url", "credentials"),
        ({"video_url": "https://169.254.169.254/latest/meta-data"}, "video_url", "not allowed"),
        ({"video_url": "https://youtube.com:99999/v"}, "video_url", "not a valid URL"),
        ({"video_url": 42}, "video_url", "required"),
        ({"user_email": "not-an-email"}, "user_email", "valid email"),
        ({"user_email": "a@b"}, "user_email", "valid email"),
        ({"user_email": "a b@example.com"}, "user_email", "valid email"),
        ({"user_email": "x@example.com\r\nBcc: victim@example.com"}, "user_email", "U+000D"),
        ({"quality": "4k"}, "quality", "one of"),
        ({"priority": "high"}, "priority", "unknown field"),
    ],
)
def test_an_invalid_field_is_answered_400_naming_that_field(router_env, change, field, fragment):
    # GIVEN a job request with one bad field
    # WHEN the router receives it
    status, body, _ = call(http_event({**GOOD_JOB, **change}))
    # THEN it answers 400 naming exactly that field, and queues nothing
    assert status == 400
    assert list(body["errors"]) == [field]
    assert fragment in body["errors"][field]
    assert queued_jobs(router_env) == []


def test_every_bad_field_is_reported_at_once(router_env):
    status, body, _ = call(http_event({"video_url": "nope", "user_email": "nope", "quality": "nope"}))
    assert status == 400
    assert sorted(body["errors"]) == ["quality", "user_email", "video_url"]


@pytest.mark.parametrize(
    ("event", "expected_status"),
    [
        (http_event(GOOD_JOB, method="GET"), 405),
        (http_event(GOOD_JOB, method="PUT"), 405),
        (http_event(GOOD_JOB, path="/admin"), 404),
        (http_event("{not json", path="/jobs"), 400),
        (http_event("[1, 2]"), 400),
        (http_event(None), 400),
        (http_event(GOOD_JOB, headers={"content-type": "text/plain"}), 415),
        (http_event("x" * 20000), 413),
    ],
)
def test_wrong_requests_get_the_right_4xx(router_env, event, expected_status):
    status, _, headers = call(event)
    assert status == expected_status
    if status == 405:
        assert headers["allow"] == "POST"
    assert queued_jobs(router_env) == []


def test_a_base64_encoded_body_is_decoded(router_env):
    status, body, _ = call(http_event(GOOD_JOB, base64_body=True))
    assert status == 200, body


def test_a_missing_setting_is_a_500_not_a_traceback(router_env, monkeypatch):
    monkeypatch.delenv("QUOTAS_TABLE")
    status, body, _ = call(http_event(GOOD_JOB))
    assert status == 500
    assert body == {"message": "Internal error"}


@pytest.mark.parametrize("url", ["https://www.youtube.com/watch?v=abc123", "https://youtube.com:443/watch?v=a\\b",
                                 "https://m.youtube.com?v=1", "https://www.youtube.com#t=10",
                                 "https://WWW.YouTube.com./watch?v=abc"])
def test_an_accepted_url_names_the_same_host_to_the_fetching_library(router_env, url):
    from urllib.parse import urlsplit

    from urllib3.util import parse_url

    # GIVEN a URL the router accepts THEN urllib3 reads the host the router checked
    status, answer, _ = call(http_event({**GOOD_JOB, "video_url": url}))
    assert status == 200, answer
    assert (parse_url(url).host or "").lower() == (urlsplit(url).hostname or "").lower()
