"""The emulator process: a moto server on 127.0.0.1 and a free port, with every patch of the compatibility layer,
SQS's metrics and CloudWatch's alarm evaluation.

    python -m generator.local.emulator STATE_DIR    # the emulator process (started by `up`, detached)

`start` spawns it in a session of its own, its output to STATE_DIR/emulator.log, and waits until it answers;
the process records its pid and port in STATE_DIR/emulator.json (EmulatorRecord).
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.local.processes import start_background, stop_recorded
from generator.local.state import EmulatorRecord, LocalState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

MODULE = "generator.local.emulator"


def start(state: LocalState, timeout: float = 60.0) -> EmulatorRecord:
    def answers(record: dict[str, Any], pid: int) -> bool:
        return EmulatorRecord(pid=pid, port=record["port"]).answers()

    record = start_background(state, "emulator", MODULE, EmulatorRecord.FILE, answers, timeout)
    return EmulatorRecord(pid=record["pid"], port=record["port"])


def stop(state: LocalState) -> bool:
    return stop_recorded(state, EmulatorRecord.FILE)


def serve(state_dir: Path) -> None:
    """The emulator process: moto with the compatibility layer, SQS metrics and alarm evaluation, on a free
    loopback port, until SIGTERM."""
    from generator.local.emulator import alarms, iam_enforcement, patches, sqs_metrics

    iam_enforcement.configure(state_dir)
    for description in patches.apply_all():
        print(f"compat: {description}", flush=True)
    sqs_metrics.install_counters()
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    app = LocalRoutes(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, name="moto-server", daemon=True).start()
    port = server.server_address[1]
    stopped = threading.Event()
    sqs_metrics.start(stopped)
    alarms.start(stopped)
    EmulatorRecord(pid=os.getpid(), port=port).write(state_dir)
    print(f"emulator listening on http://127.0.0.1:{port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    server.shutdown()


class LocalRoutes:
    """What the local stack reads from the emulator that AWS has no API for: the mail SES recorded as sent
    (GET /_local/ses/messages). Everything else goes to moto."""

    def __init__(self, app: WSGIApplication):
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/_local/ses/messages":
            body = json.dumps(sent_emails()).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


def sent_emails() -> list[dict[str, object]]:
    from moto.ses.models import ses_backends

    found = []
    for account in list(ses_backends):
        for region in list(ses_backends[account]):
            for message in list(ses_backends[account][region].sent_messages):
                found.append({
                    "id": getattr(message, "id", None),
                    "region": region,
                    "source": getattr(message, "source", None),
                    "destinations": getattr(message, "destinations", None),
                    "subject": getattr(message, "subject", None),
                    "body": getattr(message, "body", None),
                })
    return found

