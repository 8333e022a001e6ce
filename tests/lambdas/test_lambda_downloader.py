"""downloader: VideoJob → yt-dlp (from a loopback server) → S3 → ThumbnailJob (+ analytics); SSRF guard."""

from __future__ import annotations

import dataclasses
import logging
import socket
import time
import uuid

import pytest
import ssrf_guard
import stored_title
import video_download
from common.messages import ThumbnailJob, VideoJob, from_dict
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
from loopback_http import LoopbackVideoServer
from yt_dlp.networking.common import _REQUEST_HANDLERS

downloader = load_handler("downloader")

pytestmark = pytest.mark.usefixtures("urllib_only")

ALL_HTTP_HANDLERS = dict(_REQUEST_HANDLERS)


@pytest.fixture
def server(test_video):
    with LoopbackVideoServer(test_video) as running:
        yield running


@pytest.fixture
def downloader_env(aws, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "downloader")
    monkeypatch.setenv("THUMBNAIL_QUEUE_URL", aws.queues["thumbnail-generation"])
    monkeypatch.setenv("ANALYTICS_QUEUE_URL", aws.queues["analytics"])
    monkeypatch.setenv("MEDIA_BUCKET", aws.bucket)
    monkeypatch.setenv("ALLOW_LOOPBACK_URLS", "true")
    monkeypatch.setenv("YTDLP_SOCKET_TIMEOUT", "5")
    return aws


@pytest.fixture
def yt_dlp_must_not_run(monkeypatch):
    """For refusals that must happen before any fetch: the test fails if yt-dlp was reached at all.

    (An exception raised in the fake would only fail the record, which the test expects anyway.)
    """
    calls = []
    monkeypatch.setattr(video_download, "download", lambda *args, **kwargs: calls.append(args))
    yield
    assert calls == [], "yt-dlp was called for a URL the pre-check must refuse"


def video_job(url: str, quality: str = "720p") -> VideoJob:
    return VideoJob(
        job_id=str(uuid.uuid4()),
        video_url=url,
        user_email="ada@example.com",
        quality=quality,
        timestamp=int(time.time()),
    )


def invoke(*records, remaining_ms: int = 150_000):
    return downloader.lambda_handler(sqs_event(*records), FakeLambdaContext("downloader", remaining_ms))


def stored_keys(aws) -> list[str]:
    return [item["Key"] for item in aws.s3.list_objects_v2(Bucket=aws.bucket).get("Contents", [])]


def scratch_leftovers(tmp_path) -> list[str]:
    return sorted(path.name for path in tmp_path.iterdir() if path.name.startswith("download-"))


def test_a_job_is_downloaded_stored_and_handed_to_the_thumbnail_queue(
    downloader_env, server, test_video, tmp_path
):
    # GIVEN a video on a loopback server
    job = video_job(server.url("/video.mp4"))

    # WHEN the downloader gets the job
    response = invoke(sqs_record(job))

    # THEN the record succeeds and the video is stored, byte for byte, under the job id
    assert response == {"batchItemFailures": []}
    key = f"videos/{job.job_id}/video.mp4"
    assert stored_keys(downloader_env) == [key]
    stored = downloader_env.s3.get_object(Bucket=downloader_env.bucket, Key=key)
    assert stored["Body"].read() == test_video.read_bytes()
    assert stored["ContentType"] == "video/mp4"
    # AND one thumbnail job points at it
    (body,) = sqs_bodies(downloader_env.sqs, downloader_env.queues["thumbnail-generation"])
    thumbnail_job = from_dict(body, ThumbnailJob)
    assert (thumbnail_job.job_id, thumbnail_job.video_key, thumbnail_job.user_email) == (
        job.job_id,
        key,
        job.user_email,
    )
    # AND a video_downloaded event is emitted, and no scratch files are left in /tmp
    (event,) = sqs_bodies(downloader_env.sqs, downloader_env.queues["analytics"])
    assert (event["kind"], event["subject"]) == ("video_downloaded", "host#127.0.0.1")
    assert scratch_leftovers(tmp_path) == []


def test_a_redelivered_job_is_not_downloaded_again(downloader_env, server):
    # GIVEN a job that was processed once
    record = sqs_record(video_job(server.url("/video.mp4")))
    assert invoke(record) == {"batchItemFailures": []}
    downloads = list(server.requests)

    # WHEN SQS delivers the same message again
    assert invoke(redelivered(record)) == {"batchItemFailures": []}

    # THEN nothing more is fetched and one video is stored; the thumbnail job is sent again (downstream is
    # idempotent)
    assert server.requests == downloads
    assert len(stored_keys(downloader_env)) == 1
    assert len(sqs_bodies(downloader_env.sqs, downloader_env.queues["thumbnail-generation"])) == 2


def test_a_delivery_retried_after_the_upload_sends_the_same_thumbnail_job(downloader_env, server, monkeypatch):
    # GIVEN a first delivery that stored the video, with the title yt-dlp gave it (a non-ASCII one)
    title = "Café — 東京 100% \"live\" <b>"
    real_download = video_download.download

    def titled(*args, **kwargs):
        return dataclasses.replace(real_download(*args, **kwargs), title=title)

    monkeypatch.setattr(video_download, "download", titled)
    record = sqs_record(video_job(server.url("/video.mp4")))
    assert invoke(record) == {"batchItemFailures": []}
    (first,) = sqs_bodies(downloader_env.sqs, downloader_env.queues["thumbnail-generation"])

    # WHEN SQS delivers the message again (the thumbnail job was lost, or the record timed out after the upload)
    assert invoke(redelivered(record)) == {"batchItemFailures": []}

    # THEN the retry sends the same job, title included: it was kept with the stored video as S3 metadata
    (second,) = sqs_bodies(downloader_env.sqs, downloader_env.queues["thumbnail-generation"])
    assert first["video_title"] == title
    assert {**second, "timestamp": 0} == {**first, "timestamp": 0}
    (key,) = stored_keys(downloader_env)
    metadata = downloader_env.s3.head_object(Bucket=downloader_env.bucket, Key=key)["Metadata"]
    assert metadata["title"].isascii() and stored_title.title_from_metadata(metadata) == title


@pytest.mark.parametrize("title", ["plain", "é" * 2048, "東" * 700 + "x", "a%2F b", "%", "%ff%fe", " x "])
def test_a_title_fits_s3_metadata_and_reads_back_as_the_job_carries_it(title):
    # GIVEN any clean title WHEN it is kept as metadata THEN it is printable ASCII within S3's 2 KB, and reads
    # back as a clean prefix of the title (the whole title when it fits)
    clean = video_download.clean_title(title)
    metadata = stored_title.title_metadata(clean)
    encoded = metadata["title"]
    assert len(encoded.encode()) <= stored_title.MAX_ENCODED and all(" " <= c <= "~" for c in encoded)
    back = stored_title.title_from_metadata(metadata)
    assert back and clean.startswith(back)
    if len(clean.encode()) * 3 <= stored_title.MAX_ENCODED:
        assert back == clean


def test_a_stored_title_that_does_not_decode_is_no_title():
    assert stored_title.title_from_metadata({"title": "%ff%fe"}) is None
    assert stored_title.title_from_metadata({}) is None


def test_only_the_bad_records_of_a_batch_fail(downloader_env, server):
    # GIVEN a batch with a good job, a body that is not JSON, a wrong schema and an unknown version
    good = sqs_record(video_job(server.url("/video.mp4")))
    not_json = sqs_record("this is not json")
    wrong_schema = sqs_record({"type": "video_job", "version": 1, "job_id": "j1", "video_url": "http://x"})
    future = sqs_record({**video_job(server.url("/video.mp4")).to_dict(), "version": 99})

    # WHEN the downloader processes it
    response = invoke(good, not_json, wrong_schema, future)

    # THEN exactly the three poison records are reported, and the good one was stored
    assert failed_ids(response) == sorted(r["messageId"] for r in (not_json, wrong_schema, future))
    assert len(stored_keys(downloader_env)) == 1


def test_a_download_error_fails_the_record_and_leaves_nothing_behind(downloader_env, server, tmp_path):
    record = sqs_record(video_job(server.url("/missing.mp4")))
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert stored_keys(downloader_env) == []
    assert sqs_bodies(downloader_env.sqs, downloader_env.queues["thumbnail-generation"]) == []
    assert scratch_leftovers(tmp_path) == []


def test_a_record_is_not_started_without_enough_time_left(downloader_env, server):
    # GIVEN an invocation with 5 s left
    record = sqs_record(video_job(server.url("/video.mp4")))
    # WHEN the record comes up, THEN it fails untouched, for a later delivery
    assert failed_ids(invoke(record, remaining_ms=5_000)) == [record["messageId"]]
    assert server.requests == []


def test_a_download_running_into_the_deadline_is_abandoned(downloader_env, server, tmp_path, monkeypatch):
    # GIVEN a slow video and an invocation whose deadline comes 0.5 s into the download
    monkeypatch.setattr(downloader, "RESERVE_MS_AFTER_DOWNLOAD", 29_500)
    record = sqs_record(video_job(server.url("/slow.mp4")))
    started = time.monotonic()
    # WHEN the downloader processes it
    response = invoke(record, remaining_ms=30_000)
    # THEN it gives up well before the 5 s the stream needs, fails the record and cleans up
    assert time.monotonic() - started < 3
    assert failed_ids(response) == [record["messageId"]]
    assert stored_keys(downloader_env) == []
    assert scratch_leftovers(tmp_path) == []


# ── SSRF ──────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://10.1.2.3/video.mp4",
        "http://192.168.0.10/video.mp4",
        "http://[::1]:8080/video.mp4",
        "http://[::ffff:10.0.0.1]/video.mp4",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://224.0.0.1/video.mp4",
        "http://0.0.0.0/video.mp4",
        "http://100.64.0.1/video.mp4",
    ],
)
def test_private_and_metadata_addresses_are_refused_before_any_fetch(
    downloader_env, monkeypatch, yt_dlp_must_not_run, url
):
    monkeypatch.setenv("ALLOW_LOOPBACK_URLS", "false")
    record = sqs_record(video_job(url))
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert stored_keys(downloader_env) == []


def test_loopback_is_refused_unless_allowed(downloader_env, server, monkeypatch, caplog):
    # GIVEN ALLOW_LOOPBACK_URLS is not set
    monkeypatch.delenv("ALLOW_LOOPBACK_URLS")
    record = sqs_record(video_job(server.url("/video.mp4")))
    # WHEN a job points at a loopback server, THEN it fails without a single request reaching the server
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert server.requests == []
    assert "127.0.0.1 resolves to 127.0.0.1, a loopback address" in logged_text(caplog)


def test_allowing_loopback_does_not_allow_private_addresses(downloader_env, yt_dlp_must_not_run):
    record = sqs_record(video_job("http://10.0.0.8/video.mp4"))
    assert failed_ids(invoke(record)) == [record["messageId"]]


def test_a_hostname_resolving_to_any_private_address_is_refused(
    downloader_env, monkeypatch, yt_dlp_must_not_run
):
    # GIVEN a host whose DNS answers hold one public and one private address
    real_getaddrinfo = socket.getaddrinfo

    def fake_getaddrinfo(host, port, *args, **kwargs):
        if host == "videos.example.com":
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", port)),
            ]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    record = sqs_record(video_job("https://videos.example.com/v.mp4"))
    # WHEN the job comes in, THEN it fails before anything is fetched
    assert failed_ids(invoke(record)) == [record["messageId"]]


@pytest.mark.parametrize(
    ("target", "refusal"),
    [
        ("http://10.0.0.1/video.mp4", "10.0.0.1 resolves to 10.0.0.1, a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
    ],
)
def test_a_redirect_to_a_private_address_is_refused(downloader_env, server, caplog, target, refusal):
    # GIVEN a loopback page (loopback allowed) that redirects to a private or metadata address
    record = sqs_record(video_job(server.url(f"/redirect?to={target}")))
    # WHEN the downloader follows it
    response = invoke(record)
    # THEN the redirect target is refused at resolution, before any connection, and the record fails
    assert failed_ids(response) == [record["messageId"]]
    assert refusal in logged_text(caplog)
    assert stored_keys(downloader_env) == []


def test_misconfiguration_fails_the_record_with_the_variable_named(
    downloader_env, server, monkeypatch, caplog
):
    monkeypatch.delenv("MEDIA_BUCKET")
    record = sqs_record(video_job(server.url("/video.mp4")))
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert "environment variable MEDIA_BUCKET is required" in logged_text(caplog)


@pytest.mark.parametrize("handler_key", ["Urllib", "Requests"])
def test_the_guard_covers_the_requests_handler_too(server, tmp_path, monkeypatch, handler_key):
    # GIVEN yt-dlp restricted to one HTTP handler (no moto here: nothing intercepts `requests`)
    for key in list(_REQUEST_HANDLERS):
        monkeypatch.delitem(_REQUEST_HANDLERS, key)
    monkeypatch.setitem(_REQUEST_HANDLERS, handler_key, ALL_HTTP_HANDLERS[handler_key])
    for target in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/video.mp4"):
        # WHEN a loopback page redirects to a forbidden address
        with (
            ssrf_guard.guarded_resolution(allow_loopback=True) as guard,
            pytest.raises(video_download.DownloadFailed),
        ):
            video_download.download(
                server.url(f"/redirect?to={target}"),
                "720p",
                tmp_path,
                socket_timeout=5,
                deadline=time.monotonic() + 30,
                logger=logging.getLogger("test"),
            )
        # THEN the guard refused the redirect target by name
        assert guard.refusals and target.split("/")[2] in guard.refusals[0]
