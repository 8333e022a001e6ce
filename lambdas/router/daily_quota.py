"""Per-user daily job quota: one DynamoDB counter item per (user, UTC day), incremented conditionally.

Item: pk = "quota#<user hash>#<YYYY-MM-DD>", jobs (N), expires_at (N, epoch seconds: the end of the next UTC
day, so TTL removes the item once it can no longer matter). The user is stored only as a hash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from common import aws
from common.ids import user_subject


def utc_day(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime("%Y-%m-%d")


def seconds_until_next_utc_day(now: dt.datetime) -> int:
    now = now.astimezone(dt.UTC)
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return max(1, int((tomorrow - now).total_seconds()))


def quota_key(user_email: str, now: dt.datetime) -> str:
    return f"quota#{user_subject(user_email).removeprefix('user#')}#{utc_day(now)}"


def expires_at(now: dt.datetime) -> int:
    return int(now.timestamp()) + seconds_until_next_utc_day(now) + 86400


def try_consume(table: str, user_email: str, now: dt.datetime, daily_limit: int) -> bool:
    """Count one job for the user today; False (nothing counted) when the quota is used up.

    One conditional UpdateItem: atomic, so concurrent requests cannot overshoot the limit.
    """
    client = aws.client("dynamodb")
    try:
        client.update_item(
            TableName=table,
            Key={"pk": {"S": quota_key(user_email, now)}},
            UpdateExpression="ADD jobs :one SET expires_at = if_not_exists(expires_at, :expires_at)",
            ConditionExpression="attribute_not_exists(jobs) OR jobs < :limit",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(daily_limit)},
                ":expires_at": {"N": str(expires_at(now))},
            },
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def refund(table: str, user_email: str, now: dt.datetime, logger: Any) -> None:
    """Give back a counted job that could not be queued (best effort: a failure costs the user one job)."""
    try:
        aws.client("dynamodb").update_item(
            TableName=table,
            Key={"pk": {"S": quota_key(user_email, now)}},
            UpdateExpression="ADD jobs :minus_one",
            ConditionExpression="jobs > :zero",
            ExpressionAttributeValues={":minus_one": {"N": "-1"}, ":zero": {"N": "0"}},
        )
    except Exception:  # best effort, logged
        logger.exception("quota refund failed")
