"""The operations commands: status, send, peek, redrive, disable, enable, purge; each command's parser beside
its handler.

Each runs against the target named on its command line (`--local` or `--aws`, target.py) and names queues and
functions as queues.toml does (its keys, or AWS names), in the environment `--environment` names (topology.py).
Handlers read their arguments, ask the modules that do the work (status, peek, redrive, switch) and print;
errors are raised (UsageError: exit 2; anything else the CLI maps, generator/cli.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.command import Command, ExitCode, UsageError

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient
    from types_boto3_sqs.type_defs import MessageAttributeValueTypeDef, MessageTypeDef

    from generator.local.state import LogRecord
    from generator.ops.redrive import Queue, RedriveOutcome
    from generator.ops.target import Target
    from generator.ops.topology import QueueRef, Topology

SUCCESS_CRITERION = '"No messages in DLQ after testing"'


def add_target_arguments(parser: argparse.ArgumentParser, *, environment: bool = True) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--local", dest="target", action="store_const", const="local",
                       help="the stack `make up` started")
    where.add_argument("--aws", dest="target", action="store_const", const="aws",
                       help="AWS, with boto3's configuration (AWS_PROFILE, AWS_REGION, …)")
    parser.add_argument("--spec", default="queues.toml", type=Path, metavar="SPEC")
    if environment:
        parser.add_argument("--environment", default="", metavar="NAME",
                            help="the deployment's environment: every AWS name starts with NAME- (default: none)")


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return number


def target_of(args: argparse.Namespace) -> Target:
    from generator.ops import target

    return target.resolve(args.target, args.spec.resolve().parent)


def topology_of(args: argparse.Namespace) -> Topology:
    from generator.ops.topology import topology

    return topology(args.spec, getattr(args, "environment", ""))


def print_json(document: object) -> None:
    print(json.dumps(document, indent=2, sort_keys=True))


# ── status ─────────────────────────────────────────────────────────────────────────────────────────────────


def _status_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("--json", action="store_true", help="one JSON document instead of the tables")


def status(args: argparse.Namespace) -> int:
    from generator.ops import status as statuses

    topology = topology_of(args)
    target = target_of(args)
    found = statuses.snapshot(target.session(), target.endpoint, topology)
    holding = [s for s in found.queues if s.is_dlq and s.total]
    if args.json:
        print_json({
            "target": target.describe(),
            "queues": [{"key": s.key, "name": s.name, "role": "dlq" if s.is_dlq else "queue", "exists": s.exists,
                        "visible": s.visible, "in_flight": s.in_flight, "delayed": s.delayed,
                        "oldest_age_seconds": s.oldest_age_seconds} for s in found.queues],
            "mappings": [{"function": m.function, "queue": m.queue, "state": m.state} for m in found.mappings],
            "functions": [{"name": f.name, "exists": f.exists, "live_version": f.live, "newest_version": f.newest}
                          for f in found.functions],
            "alarms": [{"name": a.name, "state": a.state, "reason": a.reason} for a in found.alarms],
            "dlqs_holding_messages": [s.name for s in holding],
            "success_criterion_met": not holding,
        })  # fmt: skip
        return ExitCode.PROBLEMS if holding else ExitCode.OK
    print(f"{target.describe()}:")
    print("\n".join(statuses.format_queues(found.queues)))
    if found.mappings:
        print()
        print("\n".join(statuses.format_mappings(found.mappings)))
    if found.functions:
        print()
        print("\n".join(statuses.format_functions(found.functions)))
    print()
    print("\n".join(statuses.format_alarms(found.alarms)))
    print()
    if holding:
        names = ", ".join(f"{s.name} ({s.total})" for s in holding)
        print(f"DLQs holding messages: {names}. The week-1 plan's success criterion {SUCCESS_CRITERION} is NOT met.")
        where = f"--{args.target}" + (f" --environment {args.environment}" if args.environment else "")
        for dlq in holding:
            print(f"  look at them: python -m generator peek {where} {dlq.name}; once fixed, move them back: "
                  f"python -m generator redrive {where} {dlq.name}")
        return ExitCode.PROBLEMS
    print(f"Every DLQ is empty: the week-1 plan's success criterion {SUCCESS_CRITERION} is met.")
    return ExitCode.OK


# ── send ───────────────────────────────────────────────────────────────────────────────────────────────────


def _send_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("queue", metavar="QUEUE", help="queues.toml key or AWS name")
    parser.add_argument("body", nargs="?", default=None, metavar="BODY")
    parser.add_argument("--attribute", action="append", default=[], metavar="NAME[:Number]=VALUE",
                        help="a message attribute, String unless `:Number` (repeatable)")
    parser.add_argument("--group-id", default=None, help="MessageGroupId (FIFO queues: default `default`)")
    parser.add_argument("--deduplication-id", default=None,
                        help="MessageDeduplicationId (FIFO queues without content-based deduplication need one)")


def send(args: argparse.Namespace) -> int:
    from generator.local.demo import SEED_TEST_MESSAGE

    topology = topology_of(args)
    queue = topology.queue(args.queue, key_means="queue")
    config = topology.spec.queues[queue.key]
    request: dict[str, Any] = {"MessageBody": args.body if args.body is not None else json.dumps(SEED_TEST_MESSAGE)}
    attributes = dict(_attribute(item) for item in args.attribute)
    if attributes:
        request["MessageAttributes"] = attributes
    if queue.fifo:
        request["MessageGroupId"] = args.group_id or "default"
        if args.deduplication_id:
            request["MessageDeduplicationId"] = args.deduplication_id
        elif not config.content_based_deduplication and not queue.is_dlq:
            raise UsageError(f"{queue.name} is FIFO without content-based deduplication: pass --deduplication-id ID "
                             "(SQS drops a second message with the same id within 5 minutes)")
    elif args.deduplication_id:
        raise UsageError(f"{queue.name} is a standard queue: --deduplication-id is for FIFO queues only")
    elif args.group_id:
        request["MessageGroupId"] = args.group_id  # standard queues accept it too (fair queues)
    target = target_of(args)
    sqs = target.client("sqs")
    request["QueueUrl"] = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
    message_id = sqs.send_message(**request)["MessageId"]
    group = f", group {request['MessageGroupId']}" if "MessageGroupId" in request else ""
    print(f"sent {message_id} to {queue.name}{group} ({target.describe()})")
    return ExitCode.OK


def _attribute(item: str) -> tuple[str, MessageAttributeValueTypeDef]:
    from generator.local.lambda_service.events import parse_attribute  # (standard library only)

    try:
        return parse_attribute(item)
    except ValueError as error:
        raise UsageError(f"--attribute {error}") from None


# ── peek ───────────────────────────────────────────────────────────────────────────────────────────────────


def _peek_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("dlq", metavar="DLQ", help="queues.toml key (its DLQ) or the DLQ's AWS name")
    parser.add_argument("--max", type=positive, default=10, metavar="N", help="show at most N messages (10)")
    parser.add_argument("--json", action="store_true", help="the messages as JSON")


def peek(args: argparse.Namespace) -> int:
    from generator.ops import peek as peeking
    from generator.ops.sqs_messages import queue_counts

    dlq = topology_of(args).dlq(args.dlq)
    sqs = target_of(args).client("sqs")
    url = sqs.get_queue_url(QueueName=dlq.name)["QueueUrl"]
    total = sum(queue_counts(sqs, url))
    result = peeking.peek(sqs, url, args.max)
    if args.json:
        print_json({"queue": dlq.name, "total": total, "messages": [m.as_json() for m in result.messages],
                    "not_released": result.not_released})
    else:
        print("\n".join(peeking.format_peek(dlq.name, result, total)))
    return ExitCode.PROBLEMS if result.not_released else ExitCode.OK


# ── redrive ────────────────────────────────────────────────────────────────────────────────────────────────


def _redrive_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("dlq", metavar="DLQ", help="queues.toml key (its DLQ) or the DLQ's AWS name")
    parser.add_argument("--to", default=None, metavar="QUEUE",
                        help="another destination (same type) instead of the source queue")
    parser.add_argument("--method", choices=("auto", "move-task", "copy"), default="auto",
                        help="move-task: SQS's StartMessageMoveTask; copy: receive → send → delete; auto "
                             "(default): move-task where the endpoint has it, else copy")
    parser.add_argument("--max", type=positive, default=None, metavar="N", help="copy: move at most N messages")
    parser.add_argument("--rate", type=positive, default=None, metavar="N",
                        help="move-task: at most N messages per second (1–500; default: SQS decides)")
    parser.add_argument("--visibility", type=positive, default=30, metavar="SECONDS",
                        help="copy: how long a received message stays hidden before it is re-sent (30); an "
                             "interrupted run's messages are back in the DLQ after that")
    parser.add_argument("--json", action="store_true", help="the summary as JSON")


def redrive(args: argparse.Namespace) -> int:
    from generator.ops import redrive as redriving
    from generator.ops import redrive_copy
    from generator.progress import Progress

    topology = topology_of(args)
    dlq_ref = topology.dlq(args.dlq)
    to_ref = topology.queue(args.to, key_means="queue") if args.to is not None else None
    target = target_of(args)
    sqs = target.client("sqs")
    progress = Progress(sys.stderr if args.json else sys.stdout)
    dlq = redriving.queue_named(sqs, dlq_ref.name)
    sources, how = _sources(sqs, topology, dlq_ref, dlq)
    if to_ref is not None:
        destination: Queue | None = redriving.queue_named(sqs, to_ref.name)
        how = "--to"
    else:
        destination = sources[0] if len(sources) == 1 else None
    if destination is not None and destination.fifo != dlq.fifo:
        raise UsageError(f"{dlq.name} and {destination.name} are not both FIFO or both standard: SQS moves messages "
                         "only between queues of the same type")
    progress(f"redrive {dlq.name} → {destination.name if destination else 'the queue each message failed in'} "
             f"({how})")
    outcome = None
    if args.method in ("auto", "move-task"):
        from botocore.config import Config

        probe = target.session().client("sqs", endpoint_url=target.endpoint,
                                        config=Config(retries={"total_max_attempts": 1}))
        outcome = redriving.with_move_task(sqs, dlq, destination, progress, rate=args.rate, probe=probe)
        if outcome is None and args.method == "move-task":
            print(f"error: {target.describe()} has no StartMessageMoveTask: use --method copy", file=sys.stderr)
            return ExitCode.PROBLEMS
        if outcome is None:
            progress("the endpoint has no StartMessageMoveTask: moving by receive → send → delete")
    if outcome is None:
        journal = redrive_copy.Journal(_journal_path(args, target, dlq))
        outcome = redrive_copy.by_copy(sqs, dlq, _destinations(sqs, destination, sources), journal, progress,
                                       limit=args.max, visibility=args.visibility,
                                       in_flight_wait=args.visibility + 5)
    _print_outcome(args, dlq, destination, outcome)
    if outcome.interrupted:
        return ExitCode.INTERRUPTED
    return ExitCode.OK if outcome.complete else ExitCode.PROBLEMS


def _sources(sqs: SQSClient, topology: Topology, dlq_ref: QueueRef, dlq: Queue) -> tuple[list[Queue], str]:
    """The queues whose messages fail into this DLQ, as the target says (RedrivePolicy, RedriveAllowPolicy), else
    as queues.toml says; and how they were found."""
    from generator.ops.redrive import queue_named

    names = []
    for page in sqs.get_paginator("list_dead_letter_source_queues").paginate(QueueUrl=dlq.url):
        names += [url.rsplit("/", 1)[-1] for url in page.get("queueUrls", [])]
    how = "the queue whose RedrivePolicy names it"
    if not names:
        attributes = sqs.get_queue_attributes(QueueUrl=dlq.url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]
        policy = json.loads(attributes.get("RedriveAllowPolicy") or "{}")
        names = [arn.rsplit(":", 1)[-1] for arn in policy.get("sourceQueueArns", [])]
        how = "its RedriveAllowPolicy"
    if not names:
        names = [topology.source_of(dlq_ref).name]
        how = f"{topology.spec_path} (no queue on the target names it as its DLQ)"
    if len(names) > 1:
        how = f"{len(names)} queues use it as their DLQ: each message goes back to the one it failed in"
    return [queue_named(sqs, name) for name in sorted(set(names))], how


def _destinations(sqs: SQSClient, destination: Queue | None,
                  sources: list[Queue]) -> Callable[[MessageTypeDef], Queue | None]:
    """message → the queue it goes back to: --to, else the queue SQS says it failed in, else the only source."""
    from generator.ops.redrive import queue_named

    by_name = {queue.name: queue for queue in sources}

    def choose(message: MessageTypeDef) -> Queue | None:
        if destination is not None:
            return destination
        arn = message.get("Attributes", {}).get("DeadLetterQueueSourceArn")
        if arn:
            name = arn.rsplit(":", 1)[-1]
            if name not in by_name:
                by_name[name] = queue_named(sqs, name)
            return by_name[name]
        return sources[0] if len(sources) == 1 else None

    return choose


def _journal_path(args: argparse.Namespace, target: Target, dlq: Queue) -> Path:
    from generator.local.state import LocalState

    root = args.spec.resolve().parent
    _, _, _, region, account, name = dlq.arn.split(":")
    folder = LocalState(root).dir if target.name == "local" else root / "build"
    return folder / "redrive" / f"{target.name}-{region}-{account}-{name}.jsonl"


def _print_outcome(args: argparse.Namespace, dlq: Queue, destination: Queue | None,
                   outcome: RedriveOutcome) -> None:
    if args.json:
        print_json({"dlq": dlq.name, "destination": destination.name if destination else None,
                    **outcome.as_json()})
        return
    how = "StartMessageMoveTask" if outcome.method == "move-task" else "receive → send → delete"
    parts = [f"{outcome.moved} moved"]
    if outcome.resumed:
        parts.append(f"{outcome.resumed} deleted that an interrupted run had already sent")
    parts.append(f"{len(outcome.failed)} failed")
    parts.append(f"{outcome.left} left in {dlq.name}")
    print(f"redrive {dlq.name} ({how}): " + ", ".join(parts) + f" ({outcome.seconds:.1f} s)")
    for message_id, reason in sorted(outcome.failed.items())[:20]:
        print(f"  {message_id}: {reason}")
    if len(outcome.failed) > 20:
        print(f"  … and {len(outcome.failed) - 20} more")
    if outcome.note:
        print(f"  {outcome.note}")
    if outcome.interrupted:
        print("  interrupted: run the same command again to finish (nothing is lost or sent twice)")


# ── disable / enable ───────────────────────────────────────────────────────────────────────────────────────


def _switch_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("name", metavar="FUNCTION|QUEUE",
                        help="a function (all its triggers) or a consumed queue; keys or AWS names")
    parser.add_argument("--queue", default=None, metavar="QUEUE", help="only the function's trigger on QUEUE")


def disable(args: argparse.Namespace) -> int:
    return _switch(args, enabled=False)


def enable(args: argparse.Namespace) -> int:
    return _switch(args, enabled=True)


def _switch(args: argparse.Namespace, *, enabled: bool) -> int:
    from generator.ops import switch
    from generator.progress import Progress

    topology = topology_of(args)
    triggers = topology.consumers(args.name, queue=args.queue)
    target = target_of(args)
    lambda_, sqs = target.client("lambda"), target.client("sqs")
    progress = Progress()
    for trigger in triggers:
        switched = switch.switch(lambda_, sqs, trigger, enabled, progress)
        print(switch.describe(switched, enabled))
        print("\n".join(switch.advice(topology, switched, enabled)))
    return ExitCode.OK


# ── rollback ───────────────────────────────────────────────────────────────────────────────────────────────


def _rollback_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("function", metavar="FUNCTION", help="queues.toml key or AWS name of the function")
    parser.add_argument("--to", default=None, metavar="VERSION",
                        help="the version to move live to (default: the one before the current)")


def rollback(args: argparse.Namespace) -> int:
    from generator.naming import alias_label
    from generator.ops import rollback as rollbacks
    from generator.progress import Progress

    topology = topology_of(args)
    name = topology.function_name(args.function) or (args.function if args.function in topology.function_names()
                                                       else None)
    if name is None:
        raise UsageError(f"{args.function!r} is not a function of {topology.spec_path}; its functions: "
                         f"{', '.join(sorted(topology.spec.functions))}")
    key = next(key for key in topology.spec.functions if topology.function_name(key) == name)
    target = target_of(args)
    in_use = None
    if target.name == "local":
        from generator.local.state import LocalState, RunnerRecord

        state = LocalState(args.spec.resolve().parent)

        def in_use(version: str) -> bool:  # the local runner switched: its next batch runs this version
            record = RunnerRecord.read(state)
            return record is not None and record.live_versions.get(name) == version

    rolled = rollbacks.rollback(target.client("lambda"), name, args.to, in_use=in_use, progress=Progress())
    print("\n".join(rollbacks.describe(rolled, f"module.pipeline.aws_lambda_alias.{alias_label(key)}")))
    return ExitCode.OK


# ── purge ──────────────────────────────────────────────────────────────────────────────────────────────────


def _purge_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("queue", metavar="QUEUE", help="queues.toml key (the queue) or an AWS name (a DLQ too)")
    parser.add_argument("--yes-purge", default=None, metavar="QUEUE-NAME",
                        help="confirm without a prompt: the queue's AWS name, exactly")


def purge(args: argparse.Namespace) -> int:
    from generator.ops.sqs_messages import queue_counts
    from generator.progress import Progress

    queue = topology_of(args).queue(args.queue, key_means="queue")
    target = target_of(args)
    sqs = target.client("sqs")
    url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
    before = sum(queue_counts(sqs, url))
    confirmation = args.yes_purge
    if confirmation is None:
        if not sys.stdin.isatty():
            raise UsageError(f"purge deletes all {before} messages in {queue.name} ({target.describe()}) for good: "
                             f"confirm with --yes-purge {queue.name}")
        confirmation = input(f"purge deletes all {before} messages in {queue.name} ({target.describe()}) for good.\n"
                             f"Type the queue's name to go ahead: ").strip()
    if confirmation != queue.name:
        raise UsageError(f"{confirmation!r} is not {queue.name}: nothing was purged")
    try:
        sqs.purge_queue(QueueUrl=url)
    except sqs.exceptions.PurgeQueueInProgress:
        print(f"error: a purge of {queue.name} is still in progress (SQS allows one per 60 s); try again in a "
              "minute", file=sys.stderr)
        return ExitCode.PROBLEMS
    progress = Progress()
    deadline = time.monotonic() + 60  # "the message deletion process takes up to 60 seconds"
    left = sum(queue_counts(sqs, url))
    while left and time.monotonic() < deadline:
        progress(f"{left} messages still in {queue.name}")
        time.sleep(2)
        left = sum(queue_counts(sqs, url))
    print(f"purged {queue.name}: {before} message{'' if before == 1 else 's'} before, {left} now "
          f"({target.describe()})")
    if left:
        print(f"  {left} arrived after the purge (a producer still sends), or SQS is still deleting")
    return ExitCode.OK


# ── adopt ──────────────────────────────────────────────────────────────────────────────────────────────────


def _adopt_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("spec_file", nargs="?", default=None, type=Path, metavar="SPEC",
                        help="queues.toml (the same as --spec)")


def adopt(args: argparse.Namespace) -> int:
    from generator.ops.adopt import report
    from generator.ops.adopt.verdict import Action
    from generator.progress import Progress

    if args.spec_file is not None:
        args.spec = args.spec_file
    topology = topology_of(args)
    target = target_of(args)
    Progress(sys.stderr)(f"looking up the generated module's resources in {target.describe()}")
    adopted = report.adopt(target, topology)
    print("\n".join(adopted.lines))
    print()
    print(adopted.written)
    if adopted.survey.of(Action.CONFLICT):
        raise report.conflict_error(adopted.survey)
    return ExitCode.OK


# ── logs, trace ────────────────────────────────────────────────────────────────────────────────────────────


def _logs_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("functions", nargs="*", metavar="FUNCTION", help="queues.toml keys or AWS names (default: "
                        "every function, and the local Lambda service's own lines)")
    parser.add_argument("--follow", "-f", action="store_true", help="keep printing lines as they come (Ctrl-C ends)")
    parser.add_argument("--since", default=None, metavar="WHEN", help="only lines since 30s, 10m, 2h, 1d ago or an "
                        "ISO 8601 time (default: everything; --aws: 10m)")
    parser.add_argument("--filter", default="", metavar="TEXT",
                        help="only lines holding TEXT (or with TEXT as their request, message or correlation id)")
    parser.add_argument("--json", action="store_true", help="one JSON record a line")


def logs(args: argparse.Namespace) -> int:
    import datetime as dt

    from generator.ops import logs as reading

    topology = topology_of(args)
    names = []
    for name in args.functions:
        found = topology.function_name(name) or (name if name in topology.function_names() else None)
        found = found or next((n for n in topology.function_names() if n.removeprefix(topology.prefix) == name), None)
        if found is None:
            raise UsageError(f"{name!r} is not a function of {topology.spec_path} (functions: "
                             f"{', '.join(sorted(topology.spec.functions))})")
        names.append(found)
    now = dt.datetime.now(dt.UTC)
    since = reading.parse_since(args.since, now) if args.since else None
    selection = reading.Selection(frozenset(names), since, args.filter)
    target = target_of(args)
    if target.name == "local":
        from generator.local.state import LocalState

        files = reading.LocalFiles(LocalState(args.spec.resolve().parent).dir)
        read, poll = files.read_new, reading.FOLLOW_POLL_SECONDS
    else:
        selection = reading.Selection(selection.functions, since or reading.parse_since("10m", now), args.filter)
        groups = {name: f"/aws/lambda/{name}" for name in (names or topology.function_names())}
        cloudwatch = reading.CloudWatchLogs(target.session().client("logs"), groups)

        def read() -> list[LogRecord]:
            return cloudwatch.read(selection.since, args.filter)

        poll = reading.AWS_POLL_SECONDS
    shown = reading.emit(read(), selection, args.json, print)
    if not args.follow:
        if not shown and not args.json:
            print(f"no log lines{' matching' if args.filter or since else ''} ({target.describe()})", file=sys.stderr)
        return ExitCode.OK
    for batch in reading.follow(read, poll):
        reading.emit(batch, selection, args.json, lambda line: print(line, flush=True))
    return ExitCode.OK


def _trace_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("job", metavar="JOB", help="the job's id (its correlation id: the router's answer names it)")
    parser.add_argument("--since", default="1d", metavar="WHEN", help="--aws: search lines since then (1d)")
    parser.add_argument("--json", action="store_true", help="the hops as JSON")


def trace(args: argparse.Namespace) -> int:
    import datetime as dt

    from generator import naming
    from generator.command import CommandError
    from generator.ops import logs as reading
    from generator.ops import trace as tracing

    topology = topology_of(args)
    target = target_of(args)
    if target.name == "local":
        from generator.local.state import LocalState

        rules = {}
        for key, queue in topology.spec.queues.items():
            name = topology.prefix + naming.queue_name(key, queue)
            rules[name] = tracing.QueueRules(queue.max_receive_count, topology.prefix + naming.dlq_name(key, queue))
        records = reading.LocalFiles(LocalState(args.spec.resolve().parent).dir).read_new()
        hops = tracing.local_hops(args.job, records, rules)
    else:
        since = reading.parse_since(args.since, dt.datetime.now(dt.UTC))
        groups = {name: f"/aws/lambda/{name}" for name in topology.function_names()}
        cloudwatch = reading.CloudWatchLogs(target.session().client("logs"), groups)
        hops = tracing.line_hops(args.job, cloudwatch.read(since, args.job))
    if not hops:
        raise CommandError(f"no log line of {target.describe()} names {args.job!r}: is it the id the router "
                           "answered with (job_id)? (--aws: older than --since?)")
    if args.json:
        print_json({"job": args.job, "hops": [hop.as_json() for hop in hops]})
    else:
        print("\n".join(hop.format() for hop in hops))
    return ExitCode.OK


COMMANDS = (
    Command("status", "queues, DLQs, consumers and alarms (the week-1 plan's Tests 2 and 3); exit 1 when a DLQ "
                      "holds messages", _status_arguments, status),
    Command("send", "send a message to a queue (the week-1 plan's Test 1 without BODY)", _send_arguments, send),
    Command("peek", "show a DLQ's failed messages without consuming them", _peek_arguments, peek),
    Command("redrive", "move a DLQ's messages back to their source queue", _redrive_arguments, redrive),
    Command("disable", "stop a consumer now (UpdateEventSourceMapping Enabled=false): the emergency rollback; then "
                       "set `enabled = false` in queues.toml", _switch_arguments, disable),
    Command("enable", "start a consumer again (UpdateEventSourceMapping Enabled=true)", _switch_arguments, enable),
    Command("rollback", "move a function's live alias to its previous (or a given) version now: the plan's "
                        "rollback step 3 in seconds", _rollback_arguments, rollback),
    Command("purge", "delete every message in a queue (asks for its name)", _purge_arguments, purge),
    Command("adopt", "look up every resource of the generated module in the target and write terraform/imports.tf "
                     "for those that exist (imported by the next apply instead of created); exit 1 on a conflict",
            _adopt_arguments, adopt),
    Command("logs", "the functions' log lines with their request and message ids (--follow, --since, --filter)",
            _logs_arguments, logs),
    Command("trace", "every hop one job took, in time order, by the correlation id the router assigned",
            _trace_arguments, trace),
)
