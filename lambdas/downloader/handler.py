"""downloader: video-processing-queue → yt-dlp → s3://MEDIA_BUCKET/videos/<job_id>/video.<ext>
→ thumbnail-generation-queue.

Idempotent: when the video of a job is already stored (an earlier delivery got that far) the download is
skipped and only the downstream messages are sent again; those are idempotent downstream. The video's title
is stored with it (S3 user metadata, `stored_title.py`), so such a retry sends the same thumbnail job.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import time
from pathlib import Path
from typing import Any

import ssrf_guard
import stored_title
import video_download
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from common import aws, config, sqs
from common.batch import process_sqs_batch
from common.ids import host_subject
from common.log import logger_for
from common.messages import ThumbnailJob, VideoJob, parse
from common.scratch import scratch_folder
from common.time_budget import TimeBudget

logger = logger_for("downloader")

MIN_MS_TO_START = 20_000  # below this a download is unlikely to finish: leave the job for a fresh invocation
RESERVE_MS_AFTER_DOWNLOAD = 15_000  # upload, enqueue and cleanup after the download
UPLOAD_BYTES_PER_SECOND = 40 * 1024 * 1024  # conservative S3 upload rate from Lambda, for the time check


@dataclasses.dataclass(frozen=True)
class Settings:
    media_bucket: str
    thumbnail_queue_url: str
    analytics_queue_url: str
    allow_loopback_urls: bool
    socket_timeout: int

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            media_bucket=config.required("MEDIA_BUCKET"),
            thumbnail_queue_url=config.required("THUMBNAIL_QUEUE_URL"),
            analytics_queue_url=config.required("ANALYTICS_QUEUE_URL"),
            allow_loopback_urls=config.boolean("ALLOW_LOOPBACK_URLS", default=False),
            socket_timeout=config.integer("YTDLP_SOCKET_TIMEOUT", default=20, minimum=1),
        )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: Any) -> dict:
    return process_sqs_batch(event, context, handle_record, logger)


def handle_record(record: SQSRecord, budget: TimeBudget) -> None:
    job = parse(record.body, VideoJob)
    with logger.append_context_keys(job_id=job.job_id):
        budget.require(MIN_MS_TO_START, "a video download")
        settings = Settings.from_environment()
        video_key, title = store_video(job, settings, budget)
        sqs.send(
            settings.thumbnail_queue_url,
            ThumbnailJob(
                job_id=job.job_id,
                video_key=video_key,
                video_url=job.video_url,
                user_email=job.user_email,
                timestamp=int(time.time()),
                video_title=title,
            ),
            budget,
        )
        event = sqs.milestone("video_downloaded", job.job_id, host_subject(job.video_url), "downloader")
        sqs.emit_analytics(settings.analytics_queue_url, event, budget, logger)
        logger.info("thumbnail job queued", extra={"video_key": video_key})


def store_video(job: VideoJob, settings: Settings, budget: TimeBudget) -> tuple[str, str | None]:
    """The S3 key of the job's video and its title as stored with it, downloading only if not yet stored."""
    existing = stored_video_key(settings.media_bucket, job.job_id, budget)
    if existing:
        logger.info("video already stored; download skipped", extra={"video_key": existing})
        head = aws.client("s3", budget).head_object(Bucket=settings.media_bucket, Key=existing)
        return existing, stored_title.title_from_metadata(head.get("Metadata") or {})

    ssrf_guard.check_url(job.video_url, allow_loopback=settings.allow_loopback_urls)
    with scratch_folder("download-") as folder:
        video = download_guarded(job, folder, settings, budget)
        size = video.path.stat().st_size
        budget.require(5_000 + size * 1000 // UPLOAD_BYTES_PER_SECOND, f"uploading {size} bytes")
        key = f"videos/{job.job_id}/video.{video.extension}"
        content_type = mimetypes.guess_type(video.path.name)[0] or "application/octet-stream"
        metadata = stored_title.title_metadata(video.title)
        aws.client("s3", budget).upload_file(
            str(video.path), settings.media_bucket, key, ExtraArgs={"ContentType": content_type, "Metadata": metadata}
        )
    logger.info("video stored", extra={"video_key": key, "bytes": size})
    return key, stored_title.title_from_metadata(metadata)  # as a retry will read it back


def download_guarded(
    job: VideoJob, folder: Path, settings: Settings, budget: TimeBudget
) -> video_download.DownloadedVideo:
    # Only yt-dlp runs under the resolution guard: AWS endpoints (VPC endpoints, a local emulator) may
    # legitimately live at private or loopback addresses.
    with ssrf_guard.guarded_resolution(allow_loopback=settings.allow_loopback_urls) as guard:
        try:
            video = video_download.download(
                job.video_url,
                job.quality,
                folder,
                socket_timeout=min(settings.socket_timeout, budget.remaining_ms() / 1000),
                deadline=budget.deadline(reserve_ms=RESERVE_MS_AFTER_DOWNLOAD),
                logger=logger,
            )
        except (video_download.DownloadFailed, video_download.DownloadTooLarge):
            guard.raise_if_refused()  # a redirect or an embedded URL led somewhere forbidden: say so
            raise
    # Even when yt-dlp got a file, a refused fragment or key means the site pointed somewhere forbidden.
    guard.raise_if_refused()
    return video


def stored_video_key(bucket: str, job_id: str, budget: TimeBudget) -> str | None:
    """The key of the job's stored video, if an earlier delivery uploaded it (uploads are all-or-nothing)."""
    response = aws.client("s3", budget).list_objects_v2(Bucket=bucket, Prefix=f"videos/{job_id}/video.", MaxKeys=1)
    contents = response.get("Contents") or []
    return contents[0]["Key"] if contents else None
