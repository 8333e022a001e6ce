"""One function per operations command (parsers and exit codes: operations.py). Each reads its arguments, asks
the modules that do the work (queues_status, peek, redrive, rollback) and prints; nothing here talks to AWS
beyond resolving names to URLs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator.local import target as targets
from generator.local.names import QueueRef, Topology, UsageError
from generator.local.operations import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    SEED_TEST_MESSAGE,
    SUCCESS_CRITERION,
    loaded,
    print_json,
)
from generator.local.progress import Progress
from generator.local.state import LocalState


def _target(args: argparse.Namespace) -> targets.Target:
    return targets.resolve(args.target, args.spec.resolve().parent)


def _queue(sqs, name: str):  # type: ignore[no-untyped-def]
    from generator.local.redrive import Queue

    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Queue(name, url, arn, name.endswith(".fifo"))


# ── status ─────────────────────────────────────────────────────────────────────────────────────────────────


def status(args: argparse.Namespace) -> int:
    from generator.local import queues_status

    topology = loaded(args)
    target = _target(args)
    session = target.session()
    found = queues_status.snapshot(session, target.endpoint, topology)
    statuses, mappings, alarms = found.queues, found.mappings, found.alarms
    holding = [s for s in statuses if s.is_dlq and s.total]
    if args.json:
        print_json({
            "target": target.describe(),
            "queues": [{"key": s.key, "name": s.name, "role": "dlq" if s.is_dlq else "queue", "exists": s.exists,
                        "visible": s.visible, "in_flight": s.in_flight, "delayed": s.delayed,
                        "oldest_age_seconds": s.oldest_age_seconds} for s in statuses],
            "mappings": [{"function": m.function, "queue": m.queue, "state": m.state} for m in mappings],
            "alarms": [{"name": a.name, "state": a.state, "reason": a.reason} for a in alarms],
            "dlqs_holding_messages": [s.name for s in holding],
            "success_criterion_met": not holding,
        })  # fmt: skip
        return EXIT_FAILED if holding else EXIT_OK
    print(f"{target.describe()}:")
    print("\n".join(queues_status.format_queues(statuses)))
    if mappings:
        print()
        print("\n".join(queues_status.format_mappings(mappings)))
    print()
    print("\n".join(queues_status.format_alarms(alarms)))
    print()
    if holding:
        names = ", ".join(f"{s.name} ({s.total})" for s in holding)
        print(f"DLQs holding messages: {names}. The week-1 plan's success criterion {SUCCESS_CRITERION} is NOT met.")
        where = f"--{args.target}" + (f" --environment {args.environment}" if args.environment else "")
        for dlq in holding:
            print(f"  look at them: python -m generator peek {where} {dlq.name}; once fixed, move them back: "
                  f"python -m generator redrive {where} {dlq.name}")
        return EXIT_FAILED
    print(f"Every DLQ is empty: the week-1 plan's success criterion {SUCCESS_CRITERION} is met.")
    return EXIT_OK


# ── send ───────────────────────────────────────────────────────────────────────────────────────────────────


def send(args: argparse.Namespace) -> int:
    topology = loaded(args)
    queue = topology.queue(args.queue, key_means="queue")
    config = topology.spec.queues[queue.key]
    request: dict = {"MessageBody": args.body if args.body is not None else json.dumps(SEED_TEST_MESSAGE)}
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
    target = _target(args)
    sqs = target.client("sqs")
    request["QueueUrl"] = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
    message_id = sqs.send_message(**request)["MessageId"]
    group = f", group {request['MessageGroupId']}" if "MessageGroupId" in request else ""
    print(f"sent {message_id} to {queue.name}{group} ({target.describe()})")
    return EXIT_OK


def _attribute(item: str) -> tuple[str, dict]:
    name, sep, value = item.partition("=")
    name, _, kind = name.partition(":")
    if not sep or not name:
        raise UsageError(f"--attribute {item!r}: use NAME=VALUE (or NAME:Number=VALUE)")
    if kind not in ("", "String", "Number"):
        raise UsageError(f"--attribute {item!r}: the type is String (the default) or Number")
    return name, {"DataType": kind or "String", "StringValue": value}


# ── peek ───────────────────────────────────────────────────────────────────────────────────────────────────


def peek(args: argparse.Namespace) -> int:
    from generator.local import peek as peeking
    from generator.local.sqs_messages import queue_counts

    topology = loaded(args)
    dlq = topology.dlq(args.dlq)
    target = _target(args)
    sqs = target.client("sqs")
    url = sqs.get_queue_url(QueueName=dlq.name)["QueueUrl"]
    total = sum(queue_counts(sqs, url))
    result = peeking.peek(sqs, url, args.max)
    if args.json:
        print_json({"queue": dlq.name, "total": total, "messages": [m.as_json() for m in result.messages],
                    "not_released": result.not_released})
    else:
        print("\n".join(peeking.format_peek(dlq.name, result, total)))
    return EXIT_OK if not result.not_released else EXIT_FAILED


# ── redrive ────────────────────────────────────────────────────────────────────────────────────────────────


def redrive(args: argparse.Namespace) -> int:
    from generator.local import redrive as redriving
    from generator.local import redrive_copy

    topology = loaded(args)
    dlq_ref = topology.dlq(args.dlq)
    to_ref = topology.queue(args.to, key_means="queue") if args.to is not None else None
    target = _target(args)
    sqs = target.client("sqs")
    progress = Progress(sys.stderr if args.json else sys.stdout)
    dlq = _queue(sqs, dlq_ref.name)
    sources, how = _sources(sqs, topology, dlq_ref, dlq)
    if to_ref is not None:
        destination = _queue(sqs, to_ref.name)
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
            return EXIT_FAILED
        if outcome is None:
            progress("the endpoint has no StartMessageMoveTask: moving by receive → send → delete")
    if outcome is None:
        journal = redrive_copy.Journal(_journal_path(args, target, dlq))
        outcome = redrive_copy.by_copy(sqs, dlq, _destinations(sqs, destination, sources), journal, progress,
                                    limit=args.max, visibility=args.visibility,
                                    in_flight_wait=args.visibility + 5)
    _print_outcome(args, dlq, destination, outcome)
    if outcome.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if outcome.complete else EXIT_FAILED


def _sources(sqs, topology: Topology, dlq_ref: QueueRef, dlq) -> tuple[list, str]:  # type: ignore[no-untyped-def]
    """The queues whose messages fail into this DLQ, as the target says (RedrivePolicy, RedriveAllowPolicy), else
    as queues.toml says; and how they were found."""
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
    return [_queue(sqs, name) for name in sorted(set(names))], how


def _destinations(sqs, destination, sources: list):  # type: ignore[no-untyped-def]
    """message → the queue it goes back to: --to, else the queue SQS says it failed in, else the only source."""
    by_name = {queue.name: queue for queue in sources}

    def choose(message: dict):  # type: ignore[no-untyped-def]
        if destination is not None:
            return destination
        arn = message.get("Attributes", {}).get("DeadLetterQueueSourceArn")
        if arn:
            name = arn.rsplit(":", 1)[-1]
            if name not in by_name:
                by_name[name] = _queue(sqs, name)
            return by_name[name]
        return sources[0] if len(sources) == 1 else None

    return choose


def _journal_path(args: argparse.Namespace, target: targets.Target, dlq) -> Path:  # type: ignore[no-untyped-def]
    root = args.spec.resolve().parent
    _, _, _, region, account, name = dlq.arn.split(":")
    folder = LocalState(root).dir if target.name == "local" else root / "build"
    return folder / "redrive" / f"{target.name}-{region}-{account}-{name}.jsonl"


def _print_outcome(args: argparse.Namespace, dlq, destination, outcome) -> None:  # type: ignore[no-untyped-def]
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


def disable(args: argparse.Namespace) -> int:
    return _switch(args, enabled=False)


def enable(args: argparse.Namespace) -> int:
    return _switch(args, enabled=True)


def _switch(args: argparse.Namespace, *, enabled: bool) -> int:
    from generator.local import rollback

    topology = loaded(args)
    triggers = topology.consumers(args.name, queue=args.queue)
    target = _target(args)
    session = target.session()
    lambda_ = session.client("lambda", endpoint_url=target.endpoint)
    sqs = session.client("sqs", endpoint_url=target.endpoint)
    progress = Progress()
    for trigger in triggers:
        switched = rollback.switch(lambda_, sqs, trigger, enabled, progress)
        print(rollback.describe(switched, enabled))
        print("\n".join(rollback.advice(topology, switched, enabled)))
    return EXIT_OK


# ── purge ──────────────────────────────────────────────────────────────────────────────────────────────────


def purge(args: argparse.Namespace) -> int:
    import time

    from generator.local.sqs_messages import queue_counts

    topology = loaded(args)
    queue = topology.queue(args.queue, key_means="queue")
    target = _target(args)
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
        return EXIT_FAILED
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
    return EXIT_OK
