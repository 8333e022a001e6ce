"""thumbnail: thumbnail-generation-queue → ffmpeg frame → Pillow → s3://MEDIA_BUCKET/thumbnails/<job_id>/<WxH>.jpg.

The video is fetched only when it fits: its size (HeadObject) is checked against the free space of the
scratch folder (the function's ephemeral storage) and against the time left, and the download stops at that
size and at the deadline whatever the object turns out to hold (see video_fetch).

Idempotent: the keys depend only on the job and the size, so a redelivery overwrites the same objects with
the same pictures; the email notification it queues carries an exactly-once id, deduplicated by the email
function.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import frame_extraction
import thumbnail_render
import video_fetch
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from common import aws, config, sqs
from common.batch import process_sqs_batch
from common.ids import host_subject, notification_id
from common.log import logger_for
from common.messages import EmailNotification, ThumbnailJob, parse
from common.scratch import scratch_folder
from common.time_budget import TimeBudget

logger = logger_for("thumbnail")

MIN_MS_TO_START = 10_000  # fetch, one ffmpeg run and the uploads of a short job
RESERVE_MS_AFTER_FFMPEG = 6_000  # resize, upload and enqueue after ffmpeg
FFMPEG_TIMEOUT_SECONDS = 30.0
MIN_MS_AFTER_FETCH = RESERVE_MS_AFTER_FFMPEG + 2_000  # at least 2 s of ffmpeg, then the rest


@dataclasses.dataclass(frozen=True)
class Settings:
    media_bucket: str
    email_queue_url: str
    analytics_queue_url: str
    sizes: list[tuple[int, int]]

    @classmethod
    def from_environment(cls) -> Settings:
        try:
            sizes = thumbnail_render.parse_sizes(config.required("THUMBNAIL_SIZES"))
        except ValueError as error:
            raise config.ConfigError(f"environment variable THUMBNAIL_SIZES: {error}") from None
        return cls(
            media_bucket=config.required("MEDIA_BUCKET"),
            email_queue_url=config.required("EMAIL_QUEUE_URL"),
            analytics_queue_url=config.required("ANALYTICS_QUEUE_URL"),
            sizes=sizes,
        )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: Any) -> dict:
    return process_sqs_batch(event, context, handle_record, logger)


def handle_record(record: SQSRecord, budget: TimeBudget) -> None:
    job = parse(record.body, ThumbnailJob)
    with logger.append_context_keys(job_id=job.job_id):
        budget.require(MIN_MS_TO_START, "thumbnail generation")
        settings = Settings.from_environment()
        keys = render_thumbnails(job, settings, budget)
        sqs.send(
            settings.email_queue_url,
            EmailNotification(
                notification_id=notification_id("video-ready", job.job_id),
                job_id=job.job_id,
                to_address=job.user_email,
                video_url=job.video_url,
                thumbnail_keys=keys,
                timestamp=int(time.time()),
                video_title=job.video_title,
            ),
            budget,
        )
        event = sqs.milestone("thumbnails_created", job.job_id, host_subject(job.video_url), "thumbnail")
        sqs.emit_analytics(settings.analytics_queue_url, event, budget, logger)
        logger.info("thumbnails stored; email queued", extra={"thumbnail_keys": keys})


def render_thumbnails(job: ThumbnailJob, settings: Settings, budget: TimeBudget) -> list[str]:
    with scratch_folder("thumbnail-") as folder:
        video = folder / ("video" + Path(job.video_key).suffix)
        video_fetch.fetch_video(
            settings.media_bucket, job.video_key, video, budget, reserve_ms=MIN_MS_AFTER_FETCH
        )
        frame = frame_extraction.extract_frame(
            video,
            folder / "frame.png",
            timeout_seconds=budget.seconds_for(
                "ffmpeg", reserve_ms=RESERVE_MS_AFTER_FFMPEG, at_most_s=FFMPEG_TIMEOUT_SECONDS
            ),
        )
        keys = []
        for size in settings.sizes:
            key = thumbnail_render.thumbnail_key(job.job_id, size)
            aws.client("s3", budget).put_object(
                Bucket=settings.media_bucket,
                Key=key,
                Body=thumbnail_render.render_jpeg(frame, size),
                ContentType="image/jpeg",
            )
            keys.append(key)
    return keys
