"""Loopback HTTP servers of the runner: each function URL as a local endpoint, and the video server.

A request to a function URL becomes the payload-2.0 event the deployed function receives. With auth type
AWS_IAM the caller is taken from the request's SigV4 Authorization header (its access key id) or, unsigned,
is the local developer; signatures are NOT verified locally (see docs/guide/local-stack.md, "What the local run
does not emulate").
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from generator.local.lambda_service.environments import InvocationOutcome
from generator.local.lambda_service.events import function_url_event, function_url_response

MAX_REQUEST_BYTES = 6 * 1024 * 1024
_CREDENTIAL = re.compile(r"Credential=([A-Za-z0-9]+)/")
LOCAL_CALLER_KEY = "AKIALOCALDEVELOPER00"


def caller_identity(authorization: str | None, account_id: str) -> dict[str, str | None]:
    match = _CREDENTIAL.search(authorization or "")
    key = match.group(1) if match else LOCAL_CALLER_KEY
    user = "local-developer" if key == LOCAL_CALLER_KEY else f"local-{key.lower()}"
    return {
        "accessKey": key,
        "accountId": account_id,
        "callerId": f"AIDA{key[-16:].upper()}",
        "cognitoIdentity": None,
        "principalOrgId": None,
        "userArn": f"arn:aws:iam::{account_id}:user/{user}",
        "userId": f"AIDA{key[-16:].upper()}",
    }


class _Server:
    def __init__(self, handler: Callable[..., http.server.BaseHTTPRequestHandler], port: int = 0):
        """On `port` when it is free (the one a restarted stack served before: URLs a waiting job or a user holds
        stay valid), else on any free port."""
        try:
            self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:
            self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, args=(0.2,), daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class FunctionUrl(_Server):
    def __init__(self, *, function: str, auth_type: str, url_id: str, account_id: str, region: str,
                 invoke: Callable[[dict[str, Any]], InvocationOutcome], log: Callable[[Mapping[str, object]], None],
                 port: int = 0):
        self.function = function
        self.auth_type = auth_type

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_REQUEST_BYTES:
                    return self._send(413, {"content-type": "application/json"},
                                      b'{"Message":"Request must be smaller than 6291456 bytes"}')
                body = self.rfile.read(length)
                path, _, query = self.path.partition("?")
                caller = (caller_identity(self.headers.get("Authorization"), account_id)
                          if auth_type == "AWS_IAM" else None)
                event = function_url_event(
                    method=self.command, raw_path=path, raw_query=query, headers=dict(self.headers.items()),
                    body=body, source_ip=self.client_address[0], url_id=url_id, account_id=account_id,
                    region=region, caller=caller,
                )
                outcome = invoke(event)
                log({"function_url": function, "method": self.command, "path": path, "outcome": outcome.status,
                     "duration_ms": round(outcome.duration_ms, 1)})
                if outcome.failed:
                    return self._send(502, {"content-type": "application/json"}, b'{"Message":"Internal Server Error"}')
                status, headers, data = function_url_response(outcome.payload)
                self._send(status, headers, data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

            def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler, port)


class MediaServer(_Server):
    """Serves the files of a folder (the synthesized test videos); anything else is a 404."""

    def __init__(self, folder: Path, port: int = 0):
        folder.mkdir(parents=True, exist_ok=True)

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(functools.partial(Handler, directory=str(folder)), port)


def json_line(record: Mapping[str, object]) -> str:
    return json.dumps(record, sort_keys=True, default=str)
