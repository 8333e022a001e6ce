"""Reading a Lambda function URL event (payload format 2.0) into a request, or a 4xx naming what is wrong.

Only payload format 2.0 is answered: it is what a function URL sends (and an HTTP API configured with
payloadFormatVersion 2.0). A REST API event (payload 1.0: `httpMethod`, `requestContext.identity`) is refused
with a 400 that says so, rather than read with guesses about where its caller and method are.

Fields read (a local emulator that builds events needs exactly these):
- `version` = "2.0"; `rawPath`; `requestContext.http.method`; `headers` (names in any case, string values);
  `body` (string or absent); `isBase64Encoded` (boolean or absent).
- The caller, when the URL's auth type is AWS_IAM: `requestContext.authorizer.iam.userArn` (Lambda sets it
  from the SigV4 signature). With auth type NONE there is no `authorizer`, and no caller.
No other field decides anything. No AWS here.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from typing import Any

MAX_BODY_BYTES = 16 * 1024

# arn:aws:sts::123456789012:assumed-role/RoleName/SessionName — whoever assumes the role picks the session
# name, so one caller could be many; the role is the caller.
_ASSUMED_ROLE = re.compile(r"(arn:[a-z-]+:sts::\d{12}:assumed-role/[^/]+)/.*")


class EventRejected(Exception):
    """The event cannot be answered as a job request; `status` and `message` say why."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclasses.dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    caller: str | None  # the IAM principal that signed the request; None with auth type NONE


def read_event(event: Any) -> HttpRequest:
    """The request in a payload 2.0 event; EventRejected (400) for anything else."""
    if not isinstance(event, dict):
        raise EventRejected(400, f"The event must be a JSON object, not {_kind(event)}")
    if "httpMethod" in event or event.get("version") == "1.0":
        raise EventRejected(
            400,
            "Payload format 1.0 (API Gateway REST API) is not supported: this function takes payload format "
            "2.0 (a Lambda function URL, or an HTTP API with payloadFormatVersion 2.0)",
        )
    if event.get("version") != "2.0":
        raise EventRejected(400, f"version must be '2.0' (payload format 2.0), not {event.get('version')!r}")
    context = _object(event, "requestContext", "requestContext")
    http = _object(context, "http", "requestContext.http")
    method = _string(http, "method", "requestContext.http.method")
    path = _string(event, "rawPath", "rawPath")
    return HttpRequest(
        method=method.upper(),
        path=path,
        headers=_headers(event.get("headers")),
        body=_body(event),
        caller=_caller(context),
    )


def _headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise EventRejected(400, f"headers must be an object of strings, not {_kind(value)}")
    headers = {}
    for name, text in value.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise EventRejected(400, f"headers must be an object of strings (header {name!r} is not)")
        headers[name.lower()] = text
    return headers


def _body(event: dict) -> bytes:
    body = event.get("body")
    encoded = event.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        raise EventRejected(400, f"isBase64Encoded must be true or false, not {_kind(encoded)}")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise EventRejected(400, f"body must be a string, not {_kind(body)}")
    # Checked before decoding: a 6 MB payload is never decoded only to be refused.
    if len(body) > (MAX_BODY_BYTES * 4 // 3 + 4 if encoded else MAX_BODY_BYTES):
        raise EventRejected(413, f"Body larger than {MAX_BODY_BYTES} bytes")
    if encoded:
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise EventRejected(400, "Body is not valid base64") from None
    else:
        try:
            raw = body.encode("utf-8")
        except UnicodeEncodeError as error:
            raise EventRejected(
                400, f"Body is not valid UTF-8 text: a lone surrogate at position {error.start}"
            ) from None
    if len(raw) > MAX_BODY_BYTES:
        raise EventRejected(413, f"Body larger than {MAX_BODY_BYTES} bytes")
    return raw


def _caller(context: dict) -> str | None:
    authorizer = context.get("authorizer")
    if authorizer is None:
        return None
    if not isinstance(authorizer, dict):
        raise EventRejected(400, f"requestContext.authorizer must be an object, not {_kind(authorizer)}")
    iam = authorizer.get("iam")
    if iam is None:
        return None  # another authorizer kind (none reaches a function URL); no IAM caller to count
    if not isinstance(iam, dict):
        raise EventRejected(400, f"requestContext.authorizer.iam must be an object, not {_kind(iam)}")
    return caller_principal(_string(iam, "userArn", "requestContext.authorizer.iam.userArn"))


def caller_principal(user_arn: str) -> str:
    """The principal a quota counts: the signer's ARN, an assumed role's session name left out."""
    match = _ASSUMED_ROLE.fullmatch(user_arn)
    return match[1] if match else user_arn


def _object(container: dict, key: str, where: str) -> dict:
    value = container.get(key)
    if not isinstance(value, dict):
        raise EventRejected(400, f"{where} must be an object, not {_kind(value)}")
    return value


def _string(container: dict, key: str, where: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value:
        raise EventRejected(400, f"{where} must be a non-empty string, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return "missing or null" if value is None else type(value).__name__
