"""boto3 clients, created once per container and reused by every invocation — within the time left.

A client's timeouts and retries are fixed when it is created, so a few sets of call limits are kept, from
patient to brisk, and `client(service, budget)` hands out the most patient one whose worst case still fits
in the invocation's remaining time: no AWS call can outlive the invocation (analytics runs for 4 s; the
most patient limits allow 52 s). One client per (service, limits), each cached for the container's life.

boto3 itself honours AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, AWS_REGION and the credential chain, so
nothing here reads them. The tests call `reset_clients()` so each moto mock gets fresh clients.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import boto3
from botocore.config import Config

from common.time_budget import OutOfTime, TimeBudget

# botocore's standard retry mode may wait before retry i (0-based) up to min(2**i, 20) s for throttling,
# plus up to 5 s more when the service sends x-amz-retry-after.
_RETRY_AFTER_EXTRA_S = 5


@dataclasses.dataclass(frozen=True)
class CallLimits:
    connect_s: float
    read_s: float
    attempts: int  # total, the first included

    def worst_case_ms(self) -> int:
        waits = sum(min(2**i, 20) + _RETRY_AFTER_EXTRA_S for i in range(self.attempts - 1))
        return int(1000 * (self.attempts * (self.connect_s + self.read_s) + waits))

    def config(self) -> Config:
        return Config(
            connect_timeout=self.connect_s,
            read_timeout=self.read_s,
            retries={"mode": "standard", "total_max_attempts": self.attempts},
        )


# Most patient first. The first is for the long functions (downloader, thumbnail); the last ones let the
# 4-second analytics function and the tail of any invocation still make a call.
CALL_LIMITS = (
    CallLimits(connect_s=3, read_s=10, attempts=3),  # 52 s
    CallLimits(connect_s=2, read_s=5, attempts=2),  # 20 s
    CallLimits(connect_s=1, read_s=3, attempts=2),  # 14 s
    CallLimits(connect_s=1, read_s=3, attempts=1),  # 4 s
    CallLimits(connect_s=1, read_s=1, attempts=1),  # 2 s
    CallLimits(connect_s=0.25, read_s=0.5, attempts=1),  # 0.75 s
)


def limits_within(available_ms: int) -> CallLimits:
    """The most patient call limits whose worst case fits in `available_ms`; OutOfTime when none does."""
    for limits in CALL_LIMITS:
        if limits.worst_case_ms() <= available_ms:
            return limits
    shortest = CALL_LIMITS[-1].worst_case_ms()
    raise OutOfTime(f"{max(available_ms, 0)} ms left: not enough for an AWS call (at least {shortest} ms)")


def client(service_name: str, budget: TimeBudget, *, calls: int = 1, reserve_ms: int = 0) -> Any:
    """A client for `service_name` whose `calls` consecutive calls fit in the budget, `reserve_ms` kept."""
    available_ms = (budget.remaining_ms() - reserve_ms) // max(calls, 1)
    return _client(service_name, limits_within(available_ms))


@functools.cache
def _session() -> boto3.session.Session:
    # One session per container: it caches the service models, so each client is cheap to create.
    return boto3.session.Session()


@functools.cache
def _client(service_name: str, limits: CallLimits) -> Any:
    return _session().client(service_name, config=limits.config())


def reset_clients() -> None:
    """Forget the clients (the tests' moto mocks change per test); the session and its models stay."""
    _client.cache_clear()


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ClientError ("" for anything else)."""
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
