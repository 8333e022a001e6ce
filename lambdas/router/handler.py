"""router: the HTTP entry (API Gateway HTTP API or Function URL, payload format 2.0).

POST /jobs (or /) {"video_url", "user_email", "quality"} → validate → daily quota → video-processing-queue.
Answers 200 with the job id, 400 with per-field errors, 404/405/413/415 for the wrong request, 429 past the
quota and 503 when the job could not be queued. Imports stay light: the cold start budget is 250 ms.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

import daily_quota
from common import config, sqs
from common.ids import new_job_id, user_subject
from common.log import logger_for
from common.messages import VideoJob
from job_request_validation import JobRequest, validate_job_request

logger = logger_for("router")

JOB_PATHS = ("/", "/jobs")
MAX_BODY_BYTES = 16 * 1024


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: Any) -> dict:
    try:
        return handle_request(event)
    except config.ConfigError:
        logger.exception("misconfigured function")
        return response(500, {"message": "Internal error"})


def handle_request(event: dict) -> dict:
    method = event.get("requestContext", {}).get("http", {}).get("method", "")
    path = event.get("rawPath", "")
    if path.rstrip("/") not in {p.rstrip("/") for p in JOB_PATHS}:
        return response(404, {"message": f"Not found: {path}"})
    if method != "POST":
        return response(405, {"message": f"Method {method} not allowed; use POST"}, headers={"allow": "POST"})

    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    content_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type != "application/json":
        return response(415, {"message": "Content-Type must be application/json"})

    body = request_body(event)
    if body is None:
        return response(400, {"message": "Body is not valid base64"})
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        return response(413, {"message": f"Body larger than {MAX_BODY_BYTES} bytes"})
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        return response(400, {"message": "Body is not valid JSON"})

    request, errors = validate_job_request(payload, config.comma_list("ALLOWED_VIDEO_HOSTS"))
    if request is None:
        return response(400, {"message": "Invalid job request", "errors": errors})
    return queue_job(request)


def queue_job(request: JobRequest) -> dict:
    table = config.required("QUOTAS_TABLE")
    daily_limit = config.integer("DAILY_QUOTA", minimum=1)
    video_queue = config.required("VIDEO_QUEUE_URL")
    analytics_queue = config.required("ANALYTICS_QUEUE_URL")
    now = dt.datetime.now(dt.UTC)
    user = user_subject(request.user_email)

    if not daily_quota.try_consume(table, request.user_email, now, daily_limit):
        logger.info("daily quota exceeded", extra={"user": user, "daily_quota": daily_limit})
        sqs.emit_analytics(
            analytics_queue,
            sqs.analytics_event(event_id=new_job_id(), kind="quota_exceeded", subject=user, source="router"),
            logger,
        )
        retry_after = daily_quota.seconds_until_next_utc_day(now)
        return response(
            429,
            {"message": f"Daily quota of {daily_limit} jobs exceeded; try again tomorrow (UTC)"},
            headers={"retry-after": str(retry_after)},
        )

    job = VideoJob(
        job_id=new_job_id(),
        video_url=request.video_url,
        user_email=request.user_email,
        quality=request.quality,
        timestamp=int(now.timestamp()),
    )
    with logger.append_context_keys(job_id=job.job_id):
        try:
            message_id = sqs.send(video_queue, job)
        except Exception:
            logger.exception("job not queued; quota refunded")
            daily_quota.refund(table, request.user_email, now, logger)
            return response(503, {"message": "Could not queue the job; please try again"})
        logger.info(
            "job queued", extra={"queue_message_id": message_id, "quality": job.quality, "user": user}
        )
        sqs.emit_analytics(analytics_queue, sqs.milestone("job_queued", job.job_id, user, "router"), logger)
    return response(
        200, {"message": "Job queued successfully", "job_id": job.job_id, "queue_message_id": message_id}
    )


def request_body(event: dict) -> str | None:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
    return body


def response(status: int, body: dict, headers: dict[str, str] | None = None) -> dict:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", **(headers or {})},
        "body": json.dumps(body),
    }
