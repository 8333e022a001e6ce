"""The operations commands of `python -m generator`: status, send, peek, redrive, disable, enable, purge.

Each runs against the target named on its command line (`--local` or `--aws`, target.py) and names queues and
functions as queues.toml does (its keys, or AWS names), in the environment `--environment` names (names.py).
Exit codes: 0 done; 1 the operation failed or found a problem (a DLQ holds messages, a message stayed behind,
AWS refused); 2 the command line is wrong (unknown name, refused confirmation); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

    from generator.local.names import Topology

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# The week-1 plan's Test 1 message, as written there.
SEED_TEST_MESSAGE = {
    "job_id": "test-123",
    "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "user_email": "test@example.com",
    "quality": "720p",
}
SUCCESS_CRITERION = '"No messages in DLQ after testing"'
COMMANDS = ("status", "send", "peek", "redrive", "disable", "enable", "purge")


def add_target_arguments(command: argparse.ArgumentParser, *, environment: bool = True) -> None:
    where = command.add_mutually_exclusive_group(required=True)
    where.add_argument("--local", dest="target", action="store_const", const="local",
                       help="the stack `make up` started")
    where.add_argument("--aws", dest="target", action="store_const", const="aws",
                       help="AWS, with boto3's configuration (AWS_PROFILE, AWS_REGION, …)")
    command.add_argument("--spec", default="queues.toml", type=Path, metavar="SPEC")
    if environment:
        command.add_argument("--environment", default="", metavar="NAME",
                             help="the deployment's environment: every AWS name starts with NAME- (default: none)")


def add_parsers(commands: argparse._SubParsersAction) -> None:
    status = commands.add_parser("status", help="queues, DLQs, consumers and alarms (the week-1 plan's Tests 2 and "
                                                "3); exit 1 when a DLQ holds messages")
    add_target_arguments(status)
    status.add_argument("--json", action="store_true", help="one JSON document instead of the tables")

    send = commands.add_parser("send", help="send a message to a queue (the week-1 plan's Test 1 without BODY)")
    add_target_arguments(send)
    send.add_argument("queue", metavar="QUEUE", help="queues.toml key or AWS name")
    send.add_argument("body", nargs="?", default=None, metavar="BODY")
    send.add_argument("--attribute", action="append", default=[], metavar="NAME[:Number]=VALUE",
                      help="a message attribute, String unless `:Number` (repeatable)")
    send.add_argument("--group-id", default=None, help="MessageGroupId (FIFO queues: default `default`)")
    send.add_argument("--deduplication-id", default=None,
                      help="MessageDeduplicationId (FIFO queues without content-based deduplication need one)")

    peek = commands.add_parser("peek", help="show a DLQ's failed messages without consuming them")
    add_target_arguments(peek)
    peek.add_argument("dlq", metavar="DLQ", help="queues.toml key (its DLQ) or the DLQ's AWS name")
    peek.add_argument("--max", type=_positive, default=10, metavar="N", help="show at most N messages (10)")
    peek.add_argument("--json", action="store_true", help="the messages as JSON")

    redrive = commands.add_parser("redrive", help="move a DLQ's messages back to their source queue")
    add_target_arguments(redrive)
    redrive.add_argument("dlq", metavar="DLQ", help="queues.toml key (its DLQ) or the DLQ's AWS name")
    redrive.add_argument("--to", default=None, metavar="QUEUE",
                         help="another destination (same type) instead of the source queue")
    redrive.add_argument("--method", choices=("auto", "move-task", "copy"), default="auto",
                         help="move-task: SQS's StartMessageMoveTask; copy: receive → send → delete; auto "
                              "(default): move-task where the endpoint has it, else copy")
    redrive.add_argument("--max", type=_positive, default=None, metavar="N", help="copy: move at most N messages")
    redrive.add_argument("--rate", type=_positive, default=None, metavar="N",
                         help="move-task: at most N messages per second (1–500; default: SQS decides)")
    redrive.add_argument("--visibility", type=_positive, default=30, metavar="SECONDS",
                         help="copy: how long a received message stays hidden before it is re-sent (30); an "
                              "interrupted run's messages are back in the DLQ after that")
    redrive.add_argument("--json", action="store_true", help="the summary as JSON")

    for name, text in (("disable", "stop a consumer now (UpdateEventSourceMapping Enabled=false): the emergency "
                                   "rollback; then set `enabled = false` in queues.toml"),
                       ("enable", "start a consumer again (UpdateEventSourceMapping Enabled=true)")):
        switch = commands.add_parser(name, help=text)
        add_target_arguments(switch)
        switch.add_argument("name", metavar="FUNCTION|QUEUE",
                            help="a function (all its triggers) or a consumed queue; keys or AWS names")
        switch.add_argument("--queue", default=None, metavar="QUEUE", help="only the function's trigger on QUEUE")

    purge = commands.add_parser("purge", help="delete every message in a queue (asks for its name)")
    add_target_arguments(purge)
    purge.add_argument("queue", metavar="QUEUE", help="queues.toml key (the queue) or an AWS name (a DLQ too)")
    purge.add_argument("--yes-purge", default=None, metavar="QUEUE-NAME",
                       help="confirm without a prompt: the queue's AWS name, exactly")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return number


def run(args: argparse.Namespace) -> int:
    # Imported here: cli.py registers these parsers for every command, and `generate` runs without botocore.
    from botocore.exceptions import BotoCoreError, ClientError

    from generator.local import ops_handlers
    from generator.local.names import UsageError

    handler = getattr(ops_handlers, args.command)
    try:
        return handler(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # peek and redrive put back what they hold before this reaches here
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ClientError as exc:
        print(f"error: {aws_error(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except BotoCoreError as exc:  # no credentials, no region, endpoint unreachable
        print(f"error: {exc}", file=sys.stderr)
        hint = ("start the stack with `make up`" if args.target == "local"
                else "configure AWS as the AWS CLI is configured (AWS_PROFILE, AWS_REGION)")
        print(f"  hint: {hint}", file=sys.stderr)
        return EXIT_FAILED


def aws_error(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    code, message = error.get("Code", "?"), error.get("Message", "")
    text = f"{exc.operation_name}: {code}: {message}"
    if code in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "ResourceNotFoundException"):
        text += ("\n  hint: is it deployed in this account and region? apply terraform/ first, or pass the "
                 "--environment it was deployed with")
    elif "AccessDenied" in code or code in ("UnauthorizedOperation", "InvalidClientTokenId"):
        text += "\n  hint: the credentials in use lack this permission (README, \"Running it here\", lists them)"
    return text


def loaded(args: argparse.Namespace) -> Topology:
    from generator.local.names import topology

    return topology(args.spec, getattr(args, "environment", ""))


def print_json(document: object) -> None:
    print(json.dumps(document, indent=2, sort_keys=True))
