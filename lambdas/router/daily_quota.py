"""Daily job quotas: per caller and per recipient, counted in one DynamoDB transaction per job.

Counters (one item per counter and UTC day): pk = "quota#<kind>#<hash>#<YYYY-MM-DD>", jobs (N), expires_at
(N, epoch seconds: the end of the next UTC day, so TTL removes the item once it can no longer matter).
- kind "caller": the IAM principal that signed the request (function URL auth AWS_IAM);
- kind "recipient": the normalised address the email goes to (always counted; the only one with auth NONE).
Neither is stored in clear, only as a hash.

A job's marker, pk = "quota-job#<job_id>", records that the job was counted (counters, expires_at) and, once
given back, when (refunded_at). It makes the counting exact under retries and timeouts: the transaction
either adds the job to every counter and writes the marker, or changes nothing; a retried transaction
whose first attempt did commit finds the marker and counts as done; a refund happens only where the marker
says the job was counted, and only once. Every write is an UpdateItem (inside TransactWriteItems, which IAM
authorizes per contained action), so the function needs dynamodb:UpdateItem on the table and nothing more.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from common import aws
from common.time_budget import OutOfTime, TimeBudget


class QuotaUnavailable(RuntimeError):
    """DynamoDB could not be asked (throttled, missing table, access denied, timeout): answer 503."""


@dataclasses.dataclass(frozen=True)
class QuotaCounter:
    kind: str  # "caller" or "recipient"
    identity: str  # the principal ARN or the normalised address; only its hash is stored
    limit: int

    def key(self, now: dt.datetime) -> str:
        digest = hashlib.sha256(self.identity.encode("utf-8")).hexdigest()[:32]
        return f"quota#{self.kind}#{digest}#{utc_day(now)}"


def counters_for(
    caller: str | None, recipient: str, *, caller_limit: int, recipient_limit: int
) -> list[QuotaCounter]:
    counters = [QuotaCounter("recipient", recipient, recipient_limit)]
    if caller is not None:
        counters.insert(0, QuotaCounter("caller", caller, caller_limit))
    return counters


def utc_day(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime("%Y-%m-%d")


def seconds_until_next_utc_day(now: dt.datetime) -> int:
    now = now.astimezone(dt.UTC)
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return max(1, int((tomorrow - now).total_seconds()))


def expires_at(now: dt.datetime) -> int:
    return int(now.timestamp()) + seconds_until_next_utc_day(now) + 86400


def marker_key(job_id: str) -> str:
    return f"quota-job#{job_id}"


def try_consume(
    table: str, job_id: str, counters: list[QuotaCounter], now: dt.datetime, budget: TimeBudget
) -> list[QuotaCounter]:
    """Count the job on every counter; returns the counters that are used up ([] = counted).

    Atomic: when any counter is used up, nothing is counted anywhere.
    """
    expiry = {":expires_at": {"N": str(expires_at(now))}}
    items: list[dict[str, Any]] = [
        _update(
            table,
            marker_key(job_id),
            "SET expires_at = :expires_at, counters = :counters",
            "attribute_not_exists(pk)",
            {**expiry, ":counters": {"SS": sorted(counter.key(now) for counter in counters)}},
        )
    ]
    for counter in counters:
        items.append(
            _update(
                table,
                counter.key(now),
                "ADD jobs :one SET expires_at = if_not_exists(expires_at, :expires_at)",
                "attribute_not_exists(jobs) OR jobs < :limit",
                {**expiry, ":one": {"N": "1"}, ":limit": {"N": str(counter.limit)}},
            )
        )
    try:
        _transact(items, budget)
    except _Cancelled as cancelled:
        marker, *counter_codes = cancelled.codes
        if marker == "ConditionalCheckFailed":
            return []  # the marker exists: an earlier attempt of this very transaction committed
        used_up = [c for c, code in zip(counters, counter_codes, strict=False) if code == "ConditionalCheckFailed"]
        if used_up and set(cancelled.codes) <= {"None", "ConditionalCheckFailed"}:
            return used_up
        raise QuotaUnavailable(f"quota transaction cancelled: {cancelled.codes}") from None
    return []


def refund(
    table: str, job_id: str, counters: list[QuotaCounter], now: dt.datetime, budget: TimeBudget, logger: Any
) -> bool:
    """Give back a job that was counted but not queued; True when given back (or never counted).

    Exact: only where the job's marker says it was counted and not yet given back, so calling it after an
    unclear failure (a timeout after DynamoDB committed) is always safe.
    """
    items = [
        _update(
            table,
            marker_key(job_id),
            "SET refunded_at = :now",
            "attribute_exists(pk) AND attribute_not_exists(refunded_at)",
            {":now": {"N": str(int(now.timestamp()))}},
        ),
        *(_update(table, c.key(now), "ADD jobs :minus_one", None, {":minus_one": {"N": "-1"}}) for c in counters),
    ]
    try:
        _transact(items, budget)
    except _Cancelled as cancelled:
        if cancelled.codes[0] == "ConditionalCheckFailed":
            return True  # never counted, or already given back
        logger.error("quota refund failed", extra={"reasons": cancelled.codes})
        return False
    except (QuotaUnavailable, OutOfTime):
        logger.exception("quota refund failed: the job stays counted")
        return False
    return True


class _Cancelled(Exception):
    def __init__(self, codes: list[str]) -> None:
        super().__init__(codes)
        self.codes = codes


def _transact(items: list[dict[str, Any]], budget: TimeBudget) -> None:
    client = aws.client("dynamodb", budget, reserve_ms=300)  # 300 ms to answer the request afterwards
    try:
        client.transact_write_items(TransactItems=items)
    except ClientError as error:
        if aws.error_code(error) == "TransactionCanceledException":
            reasons = error.response.get("CancellationReasons") or []
            if reasons:
                raise _Cancelled([str(reason.get("Code", "None")) for reason in reasons]) from None
        raise QuotaUnavailable(f"DynamoDB: {aws.error_code(error)}") from error
    except BotoCoreError as error:  # timeouts, connection errors: the outcome is unknown
        raise QuotaUnavailable(f"DynamoDB: {type(error).__name__}") from error


def _update(
    table: str, pk: str, expression: str, condition: str | None, values: dict[str, Any]
) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": table,
        "Key": {"pk": {"S": pk}},
        "UpdateExpression": expression,
        "ExpressionAttributeValues": values,
    }
    if condition:
        update["ConditionExpression"] = condition
    return {"Update": update}
