"""thumbnail: a video is fetched only when it fits the scratch folder and the time left, and only as checked."""

from __future__ import annotations

import collections
import itertools
import time
import types

import pytest
import video_fetch
from conftest import load_handler, patch_aws_call
from lambda_events import failed_ids, logged_text, sqs_record
from test_lambda_thumbnail import invoke, stored_job, thumbnail_keys

thumbnail = load_handler("thumbnail")

DiskUsage = collections.namedtuple("DiskUsage", "total used free")


@pytest.fixture
def get_object_calls(monkeypatch):
    calls = []
    patch_aws_call(
        monkeypatch, "s3", "get_object", lambda client, real: lambda **kw: calls.append(kw) or real(**kw)
    )
    return calls


def free_space(monkeypatch, free: int) -> None:
    monkeypatch.setattr(video_fetch.shutil, "disk_usage", lambda path: DiskUsage(10 * free, 9 * free, free))


@pytest.mark.security_family("thumbnail: videos that do not fit")
@pytest.mark.parametrize("short_by", [1, 1024, 10 * 1024**2], ids=["1 byte", "1 KiB", "10 MiB"])
def test_a_video_larger_than_the_scratch_space_fails_before_any_byte_is_fetched(
    thumbnail_env, test_video, monkeypatch, caplog, get_object_calls, short_by
):
    # GIVEN a stored video, and a scratch folder whose free space is just short of it (plus the margin)
    video = test_video.read_bytes()
    job = stored_job(thumbnail_env, video)
    free_space(monkeypatch, len(video) + video_fetch.SCRATCH_MARGIN_BYTES - short_by)
    # WHEN the job comes in, THEN the record fails with the reason and the fix, and nothing was fetched
    record = sqs_record(job)
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert "raise the thumbnail function's ephemeral_storage_size" in logged_text(caplog)
    assert get_object_calls == []
    assert thumbnail_keys(thumbnail_env) == []


def test_a_video_that_just_fits_is_processed(thumbnail_env, test_video, monkeypatch):
    video = test_video.read_bytes()
    free_space(monkeypatch, len(video) + video_fetch.SCRATCH_MARGIN_BYTES)
    assert invoke(sqs_record(stored_job(thumbnail_env, video))) == {"batchItemFailures": []}


@pytest.mark.security_family("thumbnail: videos that do not fit")
def test_a_video_whose_transfer_cannot_finish_in_time_is_not_started(
    thumbnail_env, test_video, monkeypatch, caplog, get_object_calls
):
    # GIVEN a transfer rate at which this video would need minutes
    monkeypatch.setattr(video_fetch, "FETCH_BYTES_PER_SECOND", 100)
    record = sqs_record(stored_job(thumbnail_env, test_video.read_bytes()))
    # THEN the record fails before the download starts
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert "bytes of video needs at least" in logged_text(caplog)
    assert get_object_calls == []


@pytest.mark.security_family("thumbnail: videos that do not fit")
def test_a_download_still_running_at_the_deadline_is_abandoned(thumbnail_env, test_video, monkeypatch, caplog):
    # GIVEN a clock on which each chunk of the download takes 20 s
    monkeypatch.setattr(video_fetch, "CHUNK_BYTES", 1024)
    ticks, start = itertools.count(), time.monotonic()
    monkeypatch.setattr(video_fetch, "time", types.SimpleNamespace(monotonic=lambda: start + 20 * next(ticks)))
    record = sqs_record(stored_job(thumbnail_env, test_video.read_bytes()))
    # THEN the download stops at the deadline and the record fails for a retry
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert "did not finish in time" in logged_text(caplog)


@pytest.mark.security_family("thumbnail: videos that do not fit")
def test_an_object_replaced_after_the_size_check_is_not_fetched(thumbnail_env, test_video, monkeypatch, caplog):
    # GIVEN HeadObject describes one object and, meanwhile, another one is stored under the key
    job = stored_job(thumbnail_env, test_video.read_bytes())

    def make_stale_head(client, real):
        def head_object(**kwargs):
            head = real(**kwargs)
            thumbnail_env.s3.put_object(Bucket=kwargs["Bucket"], Key=kwargs["Key"], Body=b"x" * 10_000_000)
            return head

        return head_object

    patch_aws_call(monkeypatch, "s3", "head_object", make_stale_head)
    record = sqs_record(job)
    # THEN GetObject refuses it (IfMatch on the checked ETag) and the record fails
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert "PreconditionFailed" in logged_text(caplog)


@pytest.mark.security_family("thumbnail: videos that do not fit")
def test_a_body_longer_than_announced_is_cut_off(thumbnail_env, test_video, monkeypatch, caplog):
    # GIVEN HeadObject announces fewer bytes than the object's body holds
    job = stored_job(thumbnail_env, test_video.read_bytes())

    def make_short_head(client, real):
        return lambda **kwargs: {**real(**kwargs), "ContentLength": 1000}

    patch_aws_call(monkeypatch, "s3", "head_object", make_short_head)
    monkeypatch.setattr(video_fetch, "CHUNK_BYTES", 512)
    record = sqs_record(job)
    # THEN the download stops past the announced size and the record fails
    assert failed_ids(invoke(record)) == [record["messageId"]]
    assert "holds more than the 1000 bytes HeadObject announced" in logged_text(caplog)
