"""downloader against HLS and DASH served from loopback, with a working ffmpeg on PATH.

ffmpeg on PATH is the dangerous case: yt-dlp hands it live playlists, AES-128 playlists (without
pycryptodomex) and unsupported encryption, and ffmpeg then fetches keys and segments outside the SSRF
guard. Here `ffmpeg` and `ffprobe` on PATH are wrappers that log every start and then run the real ffmpeg
imageio-ffmpeg ships, so a test fails the moment either is started. Every manifest below must be either
downloaded by yt-dlp's own code or refused with a reason — never handed to a program.
"""

from __future__ import annotations

import shutil
import time
import uuid

import imageio_ffmpeg
import pytest
import stored_title as stored_title_module
import video_download
from common.messages import VideoJob
from conftest import load_handler
from lambda_events import FakeLambdaContext, failed_ids, logged_text, sqs_bodies, sqs_event, sqs_record
from loopback_streams import LoopbackStreamServer

downloader = load_handler("downloader")

pytestmark = pytest.mark.usefixtures("urllib_only")

PRIVATE = "http://10.0.0.1"


@pytest.fixture
def ffmpeg_on_path(tmp_path, monkeypatch):
    """A working ffmpeg and ffprobe first on PATH that log each start; yields the log's path."""
    tools = tmp_path / "tools"
    tools.mkdir()
    log = tmp_path / "external-programs.log"
    real = imageio_ffmpeg.get_ffmpeg_exe()
    for name in ("ffmpeg", "ffprobe"):
        wrapper = tools / name
        wrapper.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\nexec "{real}" "$@"\n')
        wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{__import__('os').environ['PATH']}")
    assert shutil.which("ffmpeg") == str(tools / "ffmpeg")
    yield log
    assert not log.exists(), f"an external program was started: {log.read_text()}"


@pytest.fixture
def downloader_env(aws, monkeypatch, ffmpeg_on_path):
    for name, value in {
        "THUMBNAIL_QUEUE_URL": aws.queues["thumbnail-generation"],
        "ANALYTICS_QUEUE_URL": aws.queues["analytics"],
        "MEDIA_BUCKET": aws.bucket,
        "ALLOW_LOOPBACK_URLS": "true",
        "YTDLP_SOCKET_TIMEOUT": "5",
    }.items():
        monkeypatch.setenv(name, value)
    return aws


def job_for(url: str) -> VideoJob:
    return VideoJob(
        job_id=str(uuid.uuid4()), video_url=url, user_email="ada@example.com", quality="720p",
        timestamp=int(time.time()),
    )  # fmt: skip


def invoke(record):
    return downloader.lambda_handler(sqs_event(record), FakeLambdaContext("downloader", 150_000))


def stored(aws) -> dict[str, bytes]:
    contents = aws.s3.list_objects_v2(Bucket=aws.bucket).get("Contents", [])
    return {o["Key"]: aws.s3.get_object(Bucket=aws.bucket, Key=o["Key"])["Body"].read() for o in contents}


DOWNLOADED_NATIVELY = [
    ("HLS, plain", "/hls/plain.m3u8"),
    ("HLS, AES-128 with a key URL", "/hls/aes.m3u8"),
    ("DASH, static", "/dash/static.mpd"),
]


@pytest.mark.security_family("downloader: streaming manifests")
@pytest.mark.parametrize("path", [c[1] for c in DOWNLOADED_NATIVELY], ids=[c[0] for c in DOWNLOADED_NATIVELY])
def test_a_manifest_is_downloaded_by_yt_dlp_itself(downloader_env, path):
    with LoopbackStreamServer(segments=6) as server:
        # WHEN the downloader gets a job for the manifest
        response = invoke(sqs_record(job_for(server.url(path))))
        # THEN the record succeeds and the stored video is every segment, decrypted, in order
        assert response == {"batchItemFailures": []}
        (video,) = stored(downloader_env).values()
        expected = server.plaintext()
        assert video.endswith(expected) and len(video) - len(expected) in (0, 64)  # DASH adds its init part
        assert server.segment_requests() == 6
    assert len(sqs_bodies(downloader_env.sqs, downloader_env.queues["thumbnail-generation"])) == 1


REFUSED_MANIFESTS = [
    ("HLS, live (no ENDLIST)", "/hls/live.m3u8", "live or scheduled stream"),
    ("DASH, dynamic (live)", "/dash/live.mpd", "live or scheduled stream"),
    ("HLS, SAMPLE-AES (only ffmpeg could)", "/hls/sample-aes.m3u8", "which is refused"),
    ("HLS, AES key on a private address", "/hls/aes-private-key.m3u8", "10.0.0.1, a private address"),
    ("HLS, a segment on a private address", "/hls/private-segment.m3u8", "10.0.0.1, a private address"),
]


@pytest.mark.security_family("downloader: streaming manifests")
@pytest.mark.parametrize(
    ("path", "reason"), [c[1:] for c in REFUSED_MANIFESTS], ids=[c[0] for c in REFUSED_MANIFESTS]
)
def test_a_manifest_only_another_program_could_fetch_is_refused(downloader_env, caplog, path, reason):
    with LoopbackStreamServer(segments=4, private_url=PRIVATE) as server:
        record = sqs_record(job_for(server.url(path)))
        # WHEN the downloader gets the job, THEN the record fails with the reason, and nothing is stored
        assert failed_ids(invoke(record)) == [record["messageId"]]
    assert reason in logged_text(caplog)
    assert stored(downloader_env) == {}


CAPPED = [
    ("24 HLS segments of 1 MiB", "/hls/plain.m3u8", 24, 1024 * 1024),
    ("24 AES-128 HLS segments of 1 MiB", "/hls/aes.m3u8", 24, 1024 * 1024),
    ("200 HLS segments of 16 KiB", "/hls/plain.m3u8", 200, 16 * 1024),
    ("24 DASH segments of 1 MiB", "/dash/static.mpd", 24, 1024 * 1024),
]


@pytest.mark.security_family("downloader: size cap on fragmented downloads")
@pytest.mark.parametrize(
    ("path", "segments", "segment_bytes"), [c[1:] for c in CAPPED], ids=[c[0] for c in CAPPED]
)
def test_the_size_cap_holds_for_fragmented_downloads(
    downloader_env, monkeypatch, tmp_path, caplog, path, segments, segment_bytes
):
    # GIVEN a 1 MiB cap, and a manifest whose segments add up to far more
    monkeypatch.setattr(video_download, "MAX_FILE_BYTES", 1024 * 1024)
    with LoopbackStreamServer(segments=segments, segment_bytes=segment_bytes) as server:
        record = sqs_record(job_for(server.url(path)))
        # WHEN the downloader gets the job
        response = invoke(record)
        served = server.bytes_served
    # THEN it stops soon after the cap: the record fails, nothing is stored, no scratch files are left
    assert failed_ids(response) == [record["messageId"]]
    assert "larger than the 1048576-byte cap" in logged_text(caplog)
    assert served <= 1024 * 1024 + 2 * segment_bytes + 64 * 1024
    assert stored(downloader_env) == {}
    assert [p for p in tmp_path.iterdir() if p.name.startswith("download-")] == []


def test_external_programs_are_refused_while_yt_dlp_runs(ffmpeg_on_path):
    from yt_dlp.utils import Popen

    with video_download.external_programs_refused() as attempts, pytest.raises(OSError, match="refused"):
        Popen(["ffmpeg", "-version"])
    assert attempts == ["ffmpeg"]
    # AND outside the download, programs start again (the thumbnail function needs its ffmpeg)
    Popen.run([imageio_ffmpeg.get_ffmpeg_exe(), "-version"], stdout=-3, stderr=-3)


@pytest.mark.security_family("downloader: streaming manifests")
def test_aes_128_without_pycryptodomex_is_still_not_handed_to_ffmpeg(downloader_env, monkeypatch):
    # GIVEN yt-dlp believes pycryptodomex is missing: with ffmpeg on PATH it would hand the stream to ffmpeg
    import types

    from yt_dlp.downloader import hls

    monkeypatch.setattr(hls, "Cryptodome", types.SimpleNamespace(AES=None))
    with LoopbackStreamServer(segments=3) as server:
        # WHEN the downloader gets an AES-128 playlist, THEN yt-dlp decrypts it itself
        assert invoke(sqs_record(job_for(server.url("/hls/aes.m3u8")))) == {"batchItemFailures": []}
        assert list(stored(downloader_env).values()) == [server.plaintext()]


# ── page titles: whatever the page says, the ThumbnailJob follows the contract ───────────────────────────

HOSTILE_TITLES = [
    ("3000 characters", "T" * 3000, "T" * 2048),
    ("only whitespace", " \t \n  ", None),
    ("empty", "", None),
    ("line breaks", "Part 1\r\nPart 2\nPart 3", "Part 1 Part 2 Part 3"),
    ("control characters", "A\x00B\x07C\x1bD\x7fE\x9bF", "ABCDEF"),
    ("C1 next line", "one\x85two", "one two"),
    ("bidi override", "invoice\u202etxt.exe", "invoicetxt.exe"),
    ("zero-width characters", "z\u200be\u200dr\u2060o\ufeff", "zero"),
    ("only format characters", "\u200b\u200e\u2066", None),
    ("non-characters", "a\ufffeb\uffffc\ufdd0d", "abcd"),
    ("line separators", "one\u2028two\u2029three", "one two three"),
    ("tabs and runs of spaces", "  a \t\t b    c  ", "a b c"),
    ("emoji and accents stay", "Café 🎬 日本語", "Café 🎬 日本語"),
    ("2047 characters then a space", "x" * 2047 + " tail", "x" * 2047),
]


# A page's bytes are decoded before yt-dlp sees a title, so these only reach clean_title from other extractors.
UNIT_ONLY_TITLES = [("lone surrogate", "a\ud800b", "ab"), ("not a string", 42, None)]


@pytest.mark.security_family("downloader: page titles")
@pytest.mark.parametrize(
    ("title", "expected"),
    [c[1:] for c in HOSTILE_TITLES + UNIT_ONLY_TITLES],
    ids=[c[0] for c in HOSTILE_TITLES + UNIT_ONLY_TITLES],
)
def test_a_title_is_cleaned_to_the_contract(title, expected):
    assert video_download.clean_title(title) == expected


@pytest.mark.security_family("downloader: page titles")
@pytest.mark.parametrize(("title", "expected"), [c[1:] for c in HOSTILE_TITLES], ids=[c[0] for c in HOSTILE_TITLES])
def test_whatever_title_a_page_has_the_thumbnail_job_follows_the_contract(downloader_env, title, expected):
    from common.messages import ThumbnailJob, from_dict

    with LoopbackStreamServer(segments=1) as server:
        # WHEN the downloader fetches a video from a page with that <title>
        server.page_title = title
        response = invoke(sqs_record(job_for(server.url("/page"))))
    # THEN the record succeeds and the ThumbnailJob it queued passes the contract the thumbnail applies
    assert response == {"batchItemFailures": []}
    (body,) = sqs_bodies(downloader_env.sqs, downloader_env.queues["thumbnail-generation"])
    stored_title = from_dict(body, ThumbnailJob).video_title
    # (yt-dlp's generic extractor names a page's video "<title> (1)", or after the URL when the title is blank;
    # the title is kept with the stored video as S3 metadata, so it is cut to fit stored_title.MAX_ENCODED)
    assert stored_title is not None and len(stored_title.encode()) <= stored_title_module.MAX_ENCODED
    assert expected is None or stored_title.startswith(expected[:stored_title_module.MAX_ENCODED - 100])
