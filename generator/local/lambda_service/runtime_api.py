"""The Lambda Runtime API (2018-06-01) for one execution environment, served on 127.0.0.1 and a free port.

The function's process runs Lambda's own runtime interface client (awslambdaric), which asks this server for
the next event and posts the handler's response or error, exactly as inside Lambda:
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
"""

from __future__ import annotations

import http.server
import json
import queue
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

PREFIX = "/2018-06-01/runtime"
# An error as the function's runtime posts it (JSON: errorType, errorMessage, stackTrace), or as the service
# reports a timeout or crash in the same shape.
ErrorDocument = dict[str, Any]


@dataclass
class Invocation:
    payload: bytes
    deadline_ms: int  # epoch milliseconds, as Lambda-Runtime-Deadline-Ms
    function_arn: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    done: threading.Event = field(default_factory=threading.Event)
    response: bytes | None = None
    error: ErrorDocument | None = None


class RuntimeApi:
    def __init__(self) -> None:
        self._pending: queue.Queue[Invocation] = queue.Queue()
        self._current: dict[str, Invocation] = {}
        self.init_error: ErrorDocument | None = None
        self.ready = threading.Event()  # set when the runtime first asks for an event (init finished)
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    return self._reply(404, {"errorMessage": f"unknown path {self.path}"})
                api.ready.set()
                invocation = api._pending.get()
                api._current[invocation.request_id] = invocation
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(invocation.payload)))
                self.send_header("Lambda-Runtime-Aws-Request-Id", invocation.request_id)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_ms))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", invocation.function_arn)
                self.send_header("Lambda-Runtime-Trace-Id", f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}")
                self.end_headers()
                self.wfile.write(invocation.payload)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path.removeprefix(PREFIX).strip("/").split("/")
                if parts == ["init", "error"]:
                    api.init_error = _error(body)
                    api.ready.set()
                    return self._reply(202, {"status": "OK"})
                if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                    invocation = api._current.pop(parts[1], None)
                    if invocation is None:
                        return self._reply(400, {"errorMessage": f"unknown request id {parts[1]}"})
                    if parts[2] == "response":
                        invocation.response = body
                    else:
                        invocation.error = _error(body)
                    invocation.done.set()
                    return self._reply(202, {"status": "OK"})
                return self._reply(404, {"errorMessage": f"unknown path {self.path}"})

            def _reply(self, status: int, body: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.address = f"127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.2,), daemon=True)
        self._thread.start()

    def submit(self, invocation: Invocation) -> None:
        self._pending.put(invocation)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _error(body: bytes) -> ErrorDocument:
    try:
        error = json.loads(body or b"{}")
    except ValueError:
        error = {"errorMessage": body.decode("utf-8", "replace")}
    return error if isinstance(error, dict) else {"errorMessage": str(error)}
