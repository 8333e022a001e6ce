"""router: the HTTP entry (Lambda function URL, or an HTTP API with payload format 2.0).

POST /jobs (or /) {"video_url", "user_email", "quality"} → validate → daily quotas → video-processing-queue.
Answers 200 with the job id; 400 for a malformed event or body and per-field errors; 404/405/413/415 for the
wrong request; 429 past a quota; 503 when DynamoDB or SQS could not be used (nothing is counted then). No
request makes it raise. Imports stay light: the cold start budget is 250 ms.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import daily_quota
import http_event
import json_body
from common import config, correlation, sqs
from common.ids import new_job_id, user_subject
from common.log import logger_for
from common.messages import VideoJob
from common.time_budget import OutOfTime, TimeBudget
from job_request_validation import JobRequest, normalised_address, validate_job_request

logger = logger_for("router")

JOB_PATHS = ("/", "/jobs")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: Any, context: Any) -> dict:
    budget = TimeBudget(context)
    try:
        return handle_request(event, budget)
    except config.ConfigError:
        logger.exception("misconfigured function")
        return response(500, {"message": "Internal error"})
    except OutOfTime:
        logger.exception("out of time")
        return response(503, {"message": "Could not queue the job in time; please try again"})


def handle_request(event: Any, budget: TimeBudget) -> dict:
    try:
        request = http_event.read_event(event)
    except http_event.EventRejected as rejected:
        return response(rejected.status, {"message": rejected.message}, rejected.headers)
    if request.path.rstrip("/") not in {p.rstrip("/") for p in JOB_PATHS}:
        return response(404, {"message": "Not found"})
    if request.method != "POST":
        return response(405, {"message": "Method not allowed; use POST"}, headers={"allow": "POST"})
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type != "application/json":
        return response(415, {"message": "Content-Type must be application/json"})
    try:
        payload = json_body.decode(request.body)
    except json_body.BodyRejected as rejected:
        return response(400, {"message": str(rejected)})

    job_request, errors = validate_job_request(payload, config.comma_list("ALLOWED_VIDEO_HOSTS"))
    if job_request is None:
        return response(400, {"message": "Invalid job request", "errors": errors})
    return queue_job(job_request, request.caller, budget)


def queue_job(request: JobRequest, caller: str | None, budget: TimeBudget) -> dict:
    table = config.required("QUOTAS_TABLE")
    daily_limit = config.integer("DAILY_QUOTA", minimum=1)
    caller_limit = config.integer("CALLER_DAILY_QUOTA", default=daily_limit, minimum=1)
    video_queue = config.required("VIDEO_QUEUE_URL")
    analytics_queue = config.required("ANALYTICS_QUEUE_URL")
    now = dt.datetime.now(dt.UTC)
    recipient = normalised_address(request.user_email)
    user = user_subject(recipient)
    counters = daily_quota.counters_for(
        caller, recipient, caller_limit=caller_limit, recipient_limit=daily_limit
    )
    job = VideoJob(
        job_id=new_job_id(),
        video_url=request.video_url,
        user_email=request.user_email,
        quality=request.quality,
        timestamp=int(now.timestamp()),
    )

    # The job's id is its correlation id: every message of the job, at every hop, carries it (common/correlation.py).
    with logger.append_context_keys(job_id=job.job_id), correlation.carried(job.job_id):
        try:
            used_up = daily_quota.try_consume(table, job.job_id, counters, now, budget)
        except (daily_quota.QuotaUnavailable, OutOfTime):
            logger.exception("quota not checked; job not queued")
            # The outcome of a timed-out transaction is unknown: give the job back if it was counted.
            daily_quota.refund(table, job.job_id, counters, now, budget, logger)
            return response(503, {"message": "Could not check the daily quota; please try again"})
        if used_up:
            return quota_exceeded(used_up, user, analytics_queue, now, budget)

        try:
            message_id = sqs.send(video_queue, job, budget)
        except Exception:
            logger.exception("job not queued; quota refunded")
            daily_quota.refund(table, job.job_id, counters, now, budget, logger)
            return response(503, {"message": "Could not queue the job; please try again"})
        logger.info(
            "job queued", extra={"queue_message_id": message_id, "quality": job.quality, "user": user}
        )
        sqs.emit_analytics(
            analytics_queue, sqs.milestone("job_queued", job.job_id, user, "router"), budget, logger
        )
    return response(
        200, {"message": "Job queued successfully", "job_id": job.job_id, "queue_message_id": message_id}
    )


def quota_exceeded(
    used_up: list[daily_quota.QuotaCounter], user: str, analytics_queue: str, now: dt.datetime, budget: TimeBudget
) -> dict:
    kinds = [counter.kind for counter in used_up]
    logger.info("daily quota exceeded", extra={"user": user, "quotas": kinds})
    sqs.emit_analytics(
        analytics_queue,
        sqs.analytics_event(event_id=new_job_id(), kind="quota_exceeded", subject=user, source="router"),
        budget,
        logger,
    )
    whose = " and ".join(
        f"{counter.limit} jobs per {'caller' if counter.kind == 'caller' else 'recipient address'}"
        for counter in used_up
    )
    return response(
        429,
        {"message": f"Daily quota of {whose} exceeded; try again tomorrow (UTC)", "quotas": kinds},
        headers={"retry-after": str(daily_quota.seconds_until_next_utc_day(now))},
    )


def response(status: int, body: dict, headers: dict[str, str] | None = None) -> dict:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", **(headers or {})},
        "body": json.dumps(body),
    }
