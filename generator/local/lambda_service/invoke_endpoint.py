"""The Lambda Invoke API of the local Lambda service, on 127.0.0.1 (RunnerRecord.invoke_endpoint):

    POST /2015-03-31/functions/<FunctionName>/invocations    (InvocationType RequestResponse, the default)

as Lambda answers it, so boto3 (`lambda.invoke` with endpoint_url) and `aws lambda invoke --endpoint-url` work: the
payload the handler returned, or the error document with `X-Amz-Function-Error: Unhandled`; the request id in
`x-amzn-RequestId`; with `X-Amz-Log-Type: Tail`, the last 4 KB of its log lines, base64, in `X-Amz-Log-Result`.
The invocation runs in the function's own execution environments, through the same
`Runner.invoke` the pollers and function URLs use. Only synchronous invocations: Event and DryRun are refused.
https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
"""

from __future__ import annotations

import base64
import http.server
import json
import re
import urllib.parse
from collections.abc import Callable

from generator.local.lambda_service.environments import InvocationOutcome
from generator.local.lambda_service.http_endpoints import _Server

_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/?]+)/invocations(?:\?.*)?$")
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
TAIL_BYTES = 4096


def function_name(raw: str) -> str:
    """FunctionName as Invoke takes it (a name, an ARN or a partial ARN, maybe with a qualifier), URL-encoded."""
    return function_and_qualifier(raw, None)[0]


def function_and_qualifier(raw: str, query_qualifier: str | None) -> tuple[str, str | None]:
    """(the function's name, the alias or version it names, from `name:qualifier` or the Qualifier parameter)."""
    name = urllib.parse.unquote(raw)
    if ":function:" in name:
        name = name.split(":function:", 1)[1]
    name, _, qualifier = name.partition(":")
    return name, qualifier or query_qualifier


class InvokeEndpoint(_Server):
    def __init__(self, invoke: Callable[[str, str | None, object], InvocationOutcome], known: Callable[[str], bool],
                 lines: Callable[[str, str], list[str]]):
        """lines(function, request_id): the invocation's log lines (START … REPORT), for LogType Tail."""
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                match = _PATH.match(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if match is None:
                    return self._error(404, "UnknownOperationException", f"no operation at {self.path}")
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                asked = next(iter(query.get("Qualifier", [])), None)
                name, qualifier = function_and_qualifier(match.group("name"), asked)
                if not known(name):
                    return self._error(404, "ResourceNotFoundException", f"Function not found: {name}")
                kind = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
                if kind != "RequestResponse":
                    return self._error(400, "InvalidParameterValueException",
                                       f"the local Lambda service invokes synchronously only, not {kind}")
                if length > MAX_PAYLOAD_BYTES:
                    return self._error(413, "RequestTooLargeException", "Request must be smaller than 6291456 bytes")
                try:
                    event = json.loads(body or b"{}")
                except ValueError:
                    return self._error(400, "InvalidRequestContentException", "Could not parse request body into json")
                outcome = invoke(name, qualifier, event)
                headers = {"x-amzn-RequestId": outcome.request_id, "X-Amz-Executed-Version": "$LATEST"}
                if (self.headers.get("X-Amz-Log-Type") or "None") == "Tail":
                    text = "".join(f"{line}\n" for line in lines(name, outcome.request_id)).encode()
                    headers["X-Amz-Log-Result"] = base64.b64encode(text[-TAIL_BYTES:]).decode()
                if outcome.failed:
                    headers["X-Amz-Function-Error"] = "Unhandled"
                    data = json.dumps(outcome.error or {}).encode()
                else:
                    data = json.dumps(outcome.payload).encode()
                self._send(200, headers, data)

            def _error(self, status: int, code: str, message: str) -> None:
                data = json.dumps({"Type": "User", "message": message}).encode()
                self._send(status, {"x-amzn-ErrorType": code}, data)

            def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)
