"""Where the local stack keeps what it started, and the typed records its processes hand each other.

    .local/
      emulator.json  emulator.log     the emulator process (EmulatorRecord: pid, port); its log
      emulator-config.json            what `up` hands the emulator (EmulatorConfig: IAM enforced or not)
      runner-config.json              what `up` hands the Lambda service process (RunnerConfig)
      runner.json    runner.log       the Lambda service process (RunnerRecord: pid, endpoints); its log
      terraform/                      the working directory the generated files are applied from
      terraform.tfstate               its state (outside the generated files)
      functions/<name>/               each function's zip, unpacked (the task root)
      logs/<name>.log                 what each function printed, one LogRecord (JSON) a line (`logs`, `trace`)

`make down` stops the recorded processes and removes the folder. Caches that outlive a stack (the Lambda
runtime's virtualenv) live under build/, like the wheels.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.command import CommandError

if TYPE_CHECKING:
    import boto3

STATE_DIR_NAME = ".local"
STACK_MARKER = "SQS_LAMBDA_LOCAL_STACK"  # every process the stack starts carries it (so `down` finds them all)
# The emulator accepts any credentials; every local client (Terraform, the operations commands, the Lambda
# service and the functions it runs) uses these.
LOCAL_ACCESS_KEY = "local"
LOCAL_SECRET_KEY = "local"
DEFAULT_REGION = "us-east-1"  # when neither the configuration nor AWS_REGION names one


class LocalError(CommandError):
    """Something the local stack cannot do, said in one message (the CLI prints it and exits 1)."""


def local_session(region: str | None) -> boto3.session.Session:
    """A boto3 session for the emulator (pass the endpoint to each client)."""
    import boto3

    return boto3.session.Session(aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_SECRET_KEY,
                                 region_name=region or DEFAULT_REGION)


@dataclass(frozen=True)
class LocalState:
    root: Path  # the project folder (where queues.toml is)

    @property
    def dir(self) -> Path:
        return self.root / STATE_DIR_NAME

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def file(self, name: str) -> Path:
        return self.dir / name

    def read(self, name: str) -> dict[str, Any] | None:
        try:
            document = json.loads(self.file(name).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return document if isinstance(document, dict) else None

    def write(self, name: str, data: dict[str, Any]) -> None:
        write_json_atomically(self.file(name), data)


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.replace(temporary, path)


# ── the emulator process ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class EmulatorRecord:
    """emulator.json: written by the emulator process once it listens."""

    FILE = "emulator.json"

    pid: int
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    @classmethod
    def read(cls, state: LocalState) -> EmulatorRecord | None:
        record = state.read(cls.FILE)
        if not record or not isinstance(record.get("pid"), int) or not isinstance(record.get("port"), int):
            return None
        return cls(pid=record["pid"], port=record["port"])

    def write(self, state_dir: Path) -> None:
        write_json_atomically(state_dir / self.FILE, {"pid": self.pid, "port": self.port})


@dataclass(frozen=True)
class EmulatorConfig:
    """emulator-config.json: written by `up` before it starts or reuses the emulator, which re-reads it when it
    changes (so `up --no-iam` on a running stack turns enforcement off)."""

    FILE = "emulator-config.json"

    iam: bool  # IAM enforced for calls signed with a role's credentials (each function's)

    def write(self, state: LocalState) -> None:
        state.write(self.FILE, asdict(self))

    @classmethod
    def read(cls, state_dir: Path) -> EmulatorConfig:
        try:
            document = json.loads((state_dir / cls.FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return cls(iam=True)
        return cls(iam=bool(document.get("iam", True)))


def running_emulator(state: LocalState) -> EmulatorRecord | None:
    """The stack's emulator, if its process is alive and answers."""
    from generator.local.processes import process_alive

    record = EmulatorRecord.read(state)
    if record is None or not process_alive(record.pid):
        return None
    return record if record.answers() else None


# ── the Lambda service process ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class LocalSetting:
    """A function's environment variable that must differ locally (applied only where the function has it)."""

    variable: str
    why: str
    value: str
    append: bool = False  # True: add `value` to the comma-separated list the variable holds, if it is missing

    def applied_to(self, current: str) -> str:
        if not self.append:
            return self.value
        return current if self.value in current.split(",") else f"{current},{self.value}"


@dataclass(frozen=True)
class DebugSettings:
    """One function run under debugpy: its environment listens on 127.0.0.1:port and waits for the editor; its
    timeout and its queues' visibility are raised locally so a paused invocation is neither killed nor its
    messages delivered again meanwhile."""

    function: str  # the AWS name
    port: int
    packages: str  # the folder debugpy is installed in, for the runtime's Python
    timeout: int  # seconds: the function's timeout while debugged
    visibility: int  # seconds: how long a received message of its queues stays hidden


@dataclass(frozen=True)
class RunnerConfig:
    """runner-config.json: what `up` hands the Lambda service process."""

    FILE = "runner-config.json"

    endpoint: str
    region: str
    retry_delay: int | None  # local only: seconds before a failed record is visible again (None: AWS's timing)
    zip_dir: str
    runtimes: dict[str, str]  # runtime ("python3.12") → the python of its runtime virtualenv
    # Settings that must differ locally (the demo's, generator/local/demo.py); never in the generated Terraform.
    local_settings: tuple[LocalSetting, ...] = ()
    # The loopback ports the previous Lambda service served on ("media", function names): kept where free, so a
    # URL a waiting job or a user holds stays valid across `up`.
    ports: dict[str, int] = field(default_factory=dict)
    debug: DebugSettings | None = None  # `up --debug FUNCTION`

    def write(self, state: LocalState) -> None:
        state.write(self.FILE, asdict(self))

    @classmethod
    def read(cls, state_dir: Path) -> RunnerConfig:
        document = json.loads((state_dir / cls.FILE).read_text(encoding="utf-8"))
        settings = tuple(LocalSetting(**setting) for setting in document.pop("local_settings", []))
        debug = document.pop("debug", None)
        return cls(**document, local_settings=settings, debug=DebugSettings(**debug) if debug else None)

    @classmethod
    def region_of(cls, state: LocalState) -> str:
        return str((state.read(cls.FILE) or {}).get("region") or DEFAULT_REGION)


@dataclass(frozen=True)
class RunnerRecord:
    """runner.json: written by the Lambda service process when it is ready and whenever what it serves changes."""

    FILE = "runner.json"

    pid: int
    ready: bool
    function_urls: dict[str, str]  # function name → its local URL
    media_url: str  # the loopback media server (the demo's video)
    mappings: dict[str, str]  # mapping UUID → function name, for every mapping polled
    local_settings: dict[str, list[str]]  # function name → a line per local-only setting applied
    retry_delay: int | None
    # function name → the version its live alias points at ($LATEST without one)
    live_versions: dict[str, str] = field(default_factory=dict)
    invoke_endpoint: str = ""  # the Lambda Invoke API of the service (lambda_service/invoke_endpoint.py)
    debug_address: str = ""  # host:port debugpy listens on (`up --debug`), else ""
    debug_task_root: str = ""  # where the debugged function's code runs from (the editor's path mapping)

    def write(self, state_dir: Path) -> None:
        write_json_atomically(state_dir / self.FILE, asdict(self))

    def ports(self) -> dict[str, int]:
        """The loopback port of each URL it serves: "media", and each function's by name."""
        urls = {"media": self.media_url, **self.function_urls}
        return {name: int(url.rsplit(":", 1)[1].split("/", 1)[0]) for name, url in urls.items()}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> RunnerRecord:
        return cls(**{name: document[name] for name in cls.__dataclass_fields__ if name in document})

    @classmethod
    def read(cls, state: LocalState) -> RunnerRecord | None:
        document = state.read(cls.FILE)
        if document is None:
            return None
        try:
            return cls.from_json(document)
        except (KeyError, TypeError):
            return None


# ── the functions' log records (.local/logs/<function>.log; read by `logs` and `trace`) ─────────────────────

# The message attribute that threads one job through every queue (lambdas/common/correlation.py sets it): message
# ids change at every hop and on redrive, the correlation id never does.
CORRELATION_ATTRIBUTE = "CorrelationId"


@dataclass(frozen=True)
class MessageRef:
    """One SQS message of an invocation's event: enough to place it in a job's trace."""

    message_id: str
    queue: str  # the queue's name (from eventSourceARN)
    receive_count: int
    sent_ms: int  # SentTimestamp
    correlation_id: str = ""


@dataclass(frozen=True)
class LogRecord:
    """One line of a function's log as the Lambda service writes it: one JSON document a line.

    stream: "function" (what the function printed), "platform" (START / END / REPORT, as Lambda writes them) or
    "runner" (the Lambda service's own lines: pollers, batches, errors)."""

    time: str  # ISO 8601, UTC, milliseconds
    function: str
    stream: str
    text: str
    request_id: str = ""
    message_ids: tuple[str, ...] = ()
    correlation_ids: tuple[str, ...] = ()
    log_stream: str = ""  # the CloudWatch Logs stream it is shipped to
    messages: tuple[MessageRef, ...] = ()  # START of an SQS invocation: each record's message
    outcome: str = ""  # REPORT: ok | error | timeout | crash
    failed_message_ids: tuple[str, ...] = ()  # REPORT of an SQS invocation: the batch item failures

    def to_json(self) -> str:
        document = {name: value for name, value in asdict(self).items() if value not in ("", (), [])}
        return json.dumps(document, sort_keys=True, default=str)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> LogRecord:
        messages = tuple(MessageRef(**message) for message in document.get("messages") or ())
        return cls(
            time=str(document["time"]), function=str(document["function"]), stream=str(document["stream"]),
            text=str(document["text"]), request_id=str(document.get("request_id") or ""),
            message_ids=tuple(document.get("message_ids") or ()),
            correlation_ids=tuple(document.get("correlation_ids") or ()),
            log_stream=str(document.get("log_stream") or ""), messages=messages,
            outcome=str(document.get("outcome") or ""),
            failed_message_ids=tuple(document.get("failed_message_ids") or ()),
        )
