"""`invoke` and `event`: one function, one event, built as Lambda builds it, through the running stack.

The event comes from the same builders the Lambda service uses (lambda_service/events.py): for SQS, a message as
SQS would deliver it (fresh message id and receipt handle, MD5s, system attributes) turned into its record by
`sqs_record`, with the queue of the function's own event source mapping; for HTTP, the function URL's payload
2.0. The invocation goes to the service's Lambda Invoke API (RunnerRecord.invoke_endpoint), so it runs in the
function's own execution environments, as a poller's batch does; its log lines are the service's records with
its request id.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.command import CommandError, UsageError
from generator.local.lambda_service.events import (
    SqsEvent,
    delivered_message,
    function_url_event,
    parse_attribute,
    sqs_event,
    sqs_record,
)
from generator.local.state import LogRecord

if TYPE_CHECKING:
    from types_boto3_lambda import LambdaClient
    from types_boto3_sqs.type_defs import MessageAttributeValueTypeDef

DEFAULT_ACCOUNT = "123456789012"  # the emulator's account (moto's default)
LOG_WAIT_SECONDS = 3.0


def attributes_from(items: list[str]) -> dict[str, MessageAttributeValueTypeDef]:
    found = {}
    for item in items:
        try:
            name, value = parse_attribute(item)
        except ValueError as error:
            raise UsageError(f"--attribute {error}") from None
        found[name] = value
    return found


def sender_id(account: str) -> str:
    """SenderId of a message the local developer sent (an IAM user's unique id, as SQS reports it)."""
    from generator.local.lambda_service.http_endpoints import caller_identity

    return str(caller_identity(None, account)["userId"])


def sqs_event_for(queue_arn: str, body: str, attributes: Mapping[str, MessageAttributeValueTypeDef]) -> SqsEvent:
    account = queue_arn.split(":")[4]
    return sqs_event([sqs_record(delivered_message(body, attributes, sender_id=sender_id(account)), queue_arn)])


def http_event_for(*, method: str, path: str, body: str, url_id: str, account: str, region: str,
                   iam: bool) -> dict[str, Any]:
    from generator.local.lambda_service.http_endpoints import caller_identity

    raw_path, _, query = path.partition("?")
    headers = {"content-type": "application/json", "user-agent": "python -m generator invoke", "host":
               f"{url_id}.lambda-url.{region}.on.aws"}
    return function_url_event(method=method, raw_path=raw_path or "/", raw_query=query, headers=headers,
                              body=body.encode(), source_ip="127.0.0.1", url_id=url_id, account_id=account,
                              region=region, caller=caller_identity(None, account) if iam else None)


def new_url_id() -> str:
    """A function URL's id (32 lowercase alphanumerics), for an event of a function without a URL."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


def mapping_sources(lambda_: LambdaClient, function: str) -> list[str]:
    """The event source ARNs of the function's mappings, whatever they invoke (the function, its live alias)."""
    return [mapping.get("EventSourceArn", "") for page in lambda_.get_paginator("list_event_source_mappings").paginate()
            for mapping in page["EventSourceMappings"] if mapping["FunctionArn"].split(":")[6] == function]


def sqs_trigger(lambda_: LambdaClient, function: str, queue: str | None) -> str:
    """The ARN of the queue the function's event source mapping polls (the one on `queue` when given)."""
    arns = [arn for arn in mapping_sources(lambda_, function) if arn.startswith("arn:aws:sqs:")]
    if queue is not None:
        arns = [arn for arn in arns if arn.rsplit(":", 1)[-1] == queue]
    if not arns:
        raise UsageError(f"{function} has no SQS trigger{f' on {queue}' if queue else ''} on the local stack: "
                         "use --event http or --event FILE")
    if len(arns) > 1:
        names = ", ".join(arn.rsplit(":", 1)[-1] for arn in arns)
        raise UsageError(f"{function} is triggered by {names}: name one with --queue")
    return arns[0]


@dataclass(frozen=True)
class Invoked:
    request_id: str
    payload: object
    function_error: str  # "" when the handler returned; "Unhandled" when it raised, timed out or crashed


def invoke(endpoint: str, function: str, event: object, timeout_s: float) -> Invoked:
    import boto3
    from botocore.config import Config

    from generator.local.state import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY
    from generator.naming import LIVE_ALIAS

    client = boto3.session.Session(aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_SECRET_KEY,
                                   region_name="us-east-1").client(
        "lambda", endpoint_url=endpoint, config=Config(read_timeout=timeout_s, retries={"total_max_attempts": 1}))
    # the function's live alias: the version its mappings and its URL invoke
    response = client.invoke(FunctionName=function, Qualifier=LIVE_ALIAS, Payload=json.dumps(event).encode())
    raw = response["Payload"].read()
    try:
        payload = json.loads(raw or b"null")
    except ValueError:
        payload = raw.decode("utf-8", "replace")
    return Invoked(response["ResponseMetadata"]["RequestId"], payload, response.get("FunctionError", ""))


def lines_of(state_dir: Path, function: str, request_id: str, wait_s: float = LOG_WAIT_SECONDS) -> list[LogRecord]:
    """The invocation's records (START … REPORT) from the function's log, once its REPORT is written."""
    path = state_dir / "logs" / f"{function}.log"
    deadline = time.monotonic() + wait_s
    while True:
        found = []
        if path.exists():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if request_id in line:
                    try:
                        record = LogRecord.from_json(json.loads(line))
                    except (ValueError, KeyError, TypeError):
                        continue
                    if record.request_id == request_id:
                        found.append(record)
        if any(r.text.startswith("REPORT") for r in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def read_event_file(path: str) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--event {path}: no such file (the choices: sqs, http, or a JSON file)") from None
    except ValueError as error:
        raise CommandError(f"--event {path}: not JSON ({error})") from None
