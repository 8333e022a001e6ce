"""boto3 clients, created once per container and reused by every invocation.

boto3 itself honours AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, AWS_REGION and the credential chain, so
nothing here reads them. The tests call `reset_clients()` so each moto mock gets fresh clients.
"""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

# Short timeouts and standard retries (with backoff) so a slow dependency fails a record, not the whole
# invocation; the functions' own timeouts are between 4 s and 150 s.
_CONFIG = Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})


@functools.cache
def _session() -> boto3.session.Session:
    # One session per container: it caches the service models, so each client is cheap to create.
    return boto3.session.Session()


@functools.cache
def client(service_name: str) -> Any:
    return _session().client(service_name, config=_CONFIG)


def reset_clients() -> None:
    """Forget the clients (the tests' moto mocks change per test); the session and its models stay."""
    client.cache_clear()


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ClientError ("" for anything else)."""
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
