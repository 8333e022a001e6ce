"""No AWS call outlives its invocation: each call's worst case (timeouts × attempts + retry waits) fits the
time left when it is made — checked on every call of every function, run with the seed's timeouts."""

from __future__ import annotations

import json

import pytest
from common import aws as common_aws
from common.time_budget import OutOfTime
from conftest import load_handler
from lambda_events import FakeLambdaContext, http_event, queue_as_records, sqs_event
from loopback_http import LoopbackVideoServer

# queues.toml's timeouts, in ms
SEED_TIMEOUTS = {"router": 10_000, "downloader": 150_000, "thumbnail": 50_000, "email": 10_000, "analytics": 4_000}


@pytest.mark.security_family("AWS call limits")
@pytest.mark.parametrize("available_ms", [600_000, 150_000, 52_000, 51_999, 20_000, 14_000, 9_000, 4_000,
                                          3_999, 2_000, 1_500, 750])  # fmt: skip
def test_the_chosen_limits_fit_the_time_available(available_ms):
    limits = common_aws.limits_within(available_ms)
    assert limits.worst_case_ms() <= available_ms
    # AND they are the most patient that fit: the next more patient ones would not
    index = common_aws.CALL_LIMITS.index(limits)
    assert index == 0 or common_aws.CALL_LIMITS[index - 1].worst_case_ms() > available_ms


@pytest.mark.security_family("AWS call limits")
@pytest.mark.parametrize("available_ms", [749, 100, 0, -5])
def test_no_call_is_made_without_time_for_one(available_ms):
    with pytest.raises(OutOfTime, match="not enough for an AWS call"):
        common_aws.limits_within(available_ms)


def test_the_worst_case_counts_retries_and_their_waits():
    limits = common_aws.CallLimits(connect_s=3, read_s=10, attempts=3)
    assert limits.worst_case_ms() == 3 * 13_000 + (1_000 + 5_000) + (2_000 + 5_000)
    assert limits.config().retries == {"mode": "standard", "total_max_attempts": 3}


@pytest.fixture
def calls_checked(monkeypatch):
    """Every AWS call made, with the time left in the running invocation and its client's worst case."""
    seen: list[tuple[str, int, int]] = []
    running: dict[str, FakeLambdaContext] = {}

    def check(model, context, **kwargs):
        config = context["client_config"]
        attempts = config.retries["total_max_attempts"]
        limits = common_aws.CallLimits(config.connect_timeout, config.read_timeout, attempts)
        seen.append((model.name, running["context"].get_remaining_time_in_millis(), limits.worst_case_ms()))

    events = common_aws._session().events
    events.register("before-call", check, unique_id="test-call-limits")
    yield seen, running
    events.unregister("before-call", unique_id="test-call-limits")


@pytest.mark.security_family("AWS call limits")
@pytest.mark.usefixtures("urllib_only")
def test_every_call_of_every_function_fits_the_time_left(pipeline_env, test_video, calls_checked):
    seen, running = calls_checked
    aws = pipeline_env

    def run(function, event):
        running["context"] = FakeLambdaContext(function, SEED_TIMEOUTS[function])
        return load_handler(function).lambda_handler(event, running["context"])

    with LoopbackVideoServer(test_video) as server:
        request = {"video_url": server.url("/video.mp4"), "user_email": "ada@example.com", "quality": "480p"}
        assert run("router", http_event(request))["statusCode"] == 200
        for function, queue in (
            ("downloader", "video-processing"),
            ("thumbnail", "thumbnail-generation"),
            ("email", "email"),
            ("analytics", "analytics"),
        ):
            records = queue_as_records(aws.sqs, aws.queues[queue])
            assert run(function, sqs_event(*records)) == {"batchItemFailures": []}, function
    assert len(seen) >= 10
    too_patient = [(name, left, worst) for name, left, worst in seen if worst > left]
    assert too_patient == [], json.dumps(too_patient)
