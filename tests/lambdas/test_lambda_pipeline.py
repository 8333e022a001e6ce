"""The whole pipeline on moto: router → downloader → thumbnail → email, every event counted by analytics.

Each function's output queue is read back and handed to the next function as a Lambda batch, so the producers
and consumers of every message are checked against each other, not just against the contract module.
"""

from __future__ import annotations

import json

import pytest
from conftest import load_handler
from lambda_events import FakeLambdaContext, http_event, queue_as_records, sqs_event
from loopback_http import LoopbackVideoServer


def run(function: str, records: list[dict]) -> dict:
    assert records, f"nothing queued for {function}"
    return load_handler(function).lambda_handler(sqs_event(*records), FakeLambdaContext(function, 60_000))


@pytest.mark.usefixtures("urllib_only")
def test_a_job_flows_from_the_http_request_to_the_email_and_the_counters(pipeline_env, test_video):
    aws = pipeline_env
    with LoopbackVideoServer(test_video) as server:
        # GIVEN a user asks for a video
        request = {"video_url": server.url("/video.mp4"), "user_email": "ada@example.com", "quality": "480p"}
        response = load_handler("router").lambda_handler(http_event(request), FakeLambdaContext("router"))
        assert response["statusCode"] == 200
        job_id = json.loads(response["body"])["job_id"]

        # WHEN every function processes what its queue received
        for function, queue in (
            ("downloader", "video-processing"),
            ("thumbnail", "thumbnail-generation"),
            ("email", "email"),
            ("analytics", "analytics"),
        ):
            records = queue_as_records(aws.sqs, aws.queues[queue])
            # every message of the job, at every hop, carries the correlation id the router assigned (its job id)
            assert {record["messageAttributes"]["CorrelationId"]["stringValue"] for record in records} == {job_id}
            assert run(function, records) == {"batchItemFailures": []}

    # THEN the video and its thumbnail are stored under the job id, and one email was sent
    keys = sorted(o["Key"] for o in aws.s3.list_objects_v2(Bucket=aws.bucket)["Contents"])
    assert keys == [f"thumbnails/{job_id}/320x180.jpg", f"videos/{job_id}/video.mp4"]
    assert aws.ses.get_send_quota()["SentLast24Hours"] == 1
    # AND each stage's event was counted once
    items = aws.dynamodb.scan(TableName="analytics")["Items"]
    kinds = sorted(item["kind"]["S"] for item in items if "kind" in item)
    assert kinds == ["email_sent", "job_queued", "thumbnails_created", "video_downloaded"]
    assert all(item["count"]["N"] == "1" for item in items if "kind" in item)
