"""thumbnail: ThumbnailJob → video from S3 → ffmpeg frame → Pillow thumbnails in S3 → EmailNotification."""

from __future__ import annotations

import io
import json
import logging
import time
import uuid

import pytest
import thumbnail_render
from common.messages import EmailNotification, ThumbnailJob, from_dict
from conftest import load_handler
from lambda_events import (
    FakeLambdaContext,
    failed_ids,
    logged_text,
    redelivered,
    sqs_bodies,
    sqs_event,
    sqs_record,
)
from PIL import Image

thumbnail = load_handler("thumbnail")

SIZES = [(1280, 720), (320, 180), (96, 96)]


def stored_job(aws, video_bytes: bytes, *, title: str | None = "Test pattern") -> ThumbnailJob:
    """A ThumbnailJob whose video is already in the bucket, as the downloader leaves it."""
    job_id = str(uuid.uuid4())
    key = f"videos/{job_id}/video.mp4"
    aws.s3.put_object(Bucket=aws.bucket, Key=key, Body=video_bytes, ContentType="video/mp4")
    return ThumbnailJob(
        job_id=job_id,
        video_key=key,
        video_url="https://www.youtube.com/watch?v=abc",
        user_email="ada@example.com",
        timestamp=int(time.time()),
        video_title=title,
    )


def invoke(*records, remaining_ms: int = 50_000):
    return thumbnail.lambda_handler(sqs_event(*records), FakeLambdaContext("thumbnail", remaining_ms))


def thumbnail_keys(aws) -> list[str]:
    contents = aws.s3.list_objects_v2(Bucket=aws.bucket, Prefix="thumbnails/").get("Contents", [])
    return sorted(item["Key"] for item in contents)


def test_thumbnails_of_every_size_are_stored_and_an_email_is_queued(thumbnail_env, test_video, tmp_path):
    # GIVEN a stored 320x240 video
    job = stored_job(thumbnail_env, test_video.read_bytes())

    # WHEN the thumbnail function processes its job
    assert invoke(sqs_record(job)) == {"batchItemFailures": []}

    # THEN a JPEG of exactly each configured size is stored under the job id
    expected = sorted(f"thumbnails/{job.job_id}/{w}x{h}.jpg" for w, h in SIZES)
    assert thumbnail_keys(thumbnail_env) == expected
    for width, height in SIZES:
        stored = thumbnail_env.s3.get_object(
            Bucket=thumbnail_env.bucket, Key=f"thumbnails/{job.job_id}/{width}x{height}.jpg"
        )
        assert stored["ContentType"] == "image/jpeg"
        with Image.open(io.BytesIO(stored["Body"].read())) as picture:
            assert (picture.format, picture.size) == ("JPEG", (width, height))
            # testsrc is colourful: a real frame, not a blank picture
            assert len(picture.convert("RGB").getcolors(maxcolors=1 << 20)) > 50
    # AND one email notification lists them, with the job's exactly-once id
    (body,) = sqs_bodies(thumbnail_env.sqs, thumbnail_env.queues["email"])
    notification = from_dict(body, EmailNotification)
    assert notification.notification_id == f"video-ready:{job.job_id}"
    assert (notification.to_address, notification.video_title) == ("ada@example.com", "Test pattern")
    assert sorted(notification.thumbnail_keys) == expected
    (event,) = sqs_bodies(thumbnail_env.sqs, thumbnail_env.queues["analytics"])
    assert (event["kind"], event["event_id"]) == ("thumbnails_created", f"thumbnails_created:{job.job_id}")
    assert [p for p in tmp_path.iterdir() if p.name.startswith("thumbnail-")] == []


def test_a_redelivered_job_rewrites_the_same_thumbnails(thumbnail_env, test_video):
    # GIVEN a job processed once
    record = sqs_record(stored_job(thumbnail_env, test_video.read_bytes()))
    invoke(record)
    first = thumbnail_keys(thumbnail_env)
    # WHEN it is delivered again
    assert invoke(redelivered(record)) == {"batchItemFailures": []}
    # THEN the same objects are overwritten (no new keys) and both notifications carry the same id,
    # which the email function sends once
    assert thumbnail_keys(thumbnail_env) == first
    notifications = sqs_bodies(thumbnail_env.sqs, thumbnail_env.queues["email"])
    assert len({n["notification_id"] for n in notifications}) == 1


def test_only_the_bad_records_of_a_batch_fail(thumbnail_env, test_video):
    # GIVEN a batch: a good job, a non-JSON body, a job pointing outside its folder, a missing video and a
    # stored file that is not a video
    good = sqs_record(stored_job(thumbnail_env, test_video.read_bytes()))
    not_json = sqs_record("{{{")
    outside = stored_job(thumbnail_env, test_video.read_bytes()).to_dict()
    outside["video_key"] = "videos/someone-else/video.mp4"
    wrong_schema = sqs_record(outside)
    missing = stored_job(thumbnail_env, b"")
    thumbnail_env.s3.delete_object(Bucket=thumbnail_env.bucket, Key=missing.video_key)
    missing_video = sqs_record(missing)
    not_a_video = sqs_record(stored_job(thumbnail_env, b"this is not an mp4 file"))

    # WHEN it is processed
    response = invoke(good, not_json, wrong_schema, missing_video, not_a_video)

    # THEN exactly the four bad records fail, and the good job got its thumbnails
    bad = (not_json, wrong_schema, missing_video, not_a_video)
    assert failed_ids(response) == sorted(r["messageId"] for r in bad)
    assert len(thumbnail_keys(thumbnail_env)) == len(SIZES)


def test_a_record_is_not_started_without_enough_time_left(thumbnail_env, test_video):
    record = sqs_record(stored_job(thumbnail_env, test_video.read_bytes()))
    assert failed_ids(invoke(record, remaining_ms=3_000)) == [record["messageId"]]
    assert thumbnail_keys(thumbnail_env) == []


def test_ffmpeg_is_stopped_when_the_invocation_runs_out_of_time(
    thumbnail_env, test_video, monkeypatch, caplog
):
    # GIVEN ffmpeg may run for 1 ms only
    monkeypatch.setattr(thumbnail, "FFMPEG_TIMEOUT_SECONDS", 0.001)
    record = sqs_record(stored_job(thumbnail_env, test_video.read_bytes()))
    # WHEN the job runs, THEN ffmpeg is killed at its timeout and the record fails for a retry
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert "TimeoutExpired" in logged_text(caplog)
    assert thumbnail_keys(thumbnail_env) == []


def test_no_ffmpeg_run_starts_when_the_reserve_would_be_eaten(thumbnail_env, test_video, monkeypatch, caplog):
    # GIVEN an invocation whose remaining time is all needed after ffmpeg
    monkeypatch.setattr(thumbnail, "RESERVE_MS_AFTER_FFMPEG", 50_000)
    record = sqs_record(stored_job(thumbnail_env, test_video.read_bytes()))
    # WHEN the job runs, THEN it fails before starting ffmpeg
    assert failed_ids(invoke(record, remaining_ms=40_000)) == [record["messageId"]]
    assert "no time left for ffmpeg" in logged_text(caplog)


def test_malformed_thumbnail_sizes_are_reported_by_name(thumbnail_env, test_video, monkeypatch, caplog):
    monkeypatch.setenv("THUMBNAIL_SIZES", "1280x720,big")
    record = sqs_record(stored_job(thumbnail_env, test_video.read_bytes()))
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert "THUMBNAIL_SIZES: thumbnail size 'big' is not WIDTHxHEIGHT" in logged_text(caplog)


@pytest.mark.parametrize(
    ("text", "sizes"),
    [("1280x720,320x180", [(1280, 720), (320, 180)]), (" 64x64 , 64x64,", [(64, 64)])],
)
def test_thumbnail_sizes_parse(text, sizes):
    assert thumbnail_render.parse_sizes(text) == sizes


@pytest.mark.parametrize("text", ["", "0x10", "10x", "5000x10", "1280*720"])
def test_bad_thumbnail_sizes_are_refused(text):
    with pytest.raises(ValueError):
        thumbnail_render.parse_sizes(text)


def test_log_lines_are_json_and_carry_the_job_id(thumbnail_env, test_video):
    # GIVEN the function's log output captured as its handler formats it (one JSON object per line)
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(thumbnail.logger.registered_formatter)
    thumbnail.logger._logger.addHandler(capture)
    try:
        job = stored_job(thumbnail_env, test_video.read_bytes())
        # WHEN a job is processed, next to a poison record
        invoke(sqs_record(job), sqs_record("not json"))
    finally:
        thumbnail.logger._logger.removeHandler(capture)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    # THEN the job's lines carry its id, and the poison record's line its message id and reason
    done = next(line for line in lines if line["message"] == "thumbnails stored; email queued")
    assert (done["job_id"], done["service"], done["level"]) == (job.job_id, "thumbnail", "INFO")
    poison = next(line for line in lines if line["message"].startswith("poison message"))
    assert "body is not JSON" in poison["reason"] and poison["message_id"]
    assert "job_id" not in poison
