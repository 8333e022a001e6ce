"""The local-stack and operations commands of `python -m generator`: up, down, status, send, job.

They share the loading of queues.toml with check and generate (generator.spec.load), so a queue is named the
way the user named it (its queues.toml key, or its AWS name).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# The week-1 plan's Test 1 message, as written there.
SEED_TEST_MESSAGE = {
    "job_id": "test-123",
    "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "user_email": "test@example.com",
    "quality": "720p",
}
SUCCESS_CRITERION = '"No messages in DLQ after testing"'


def add_parsers(commands: argparse._SubParsersAction) -> None:
    up = commands.add_parser("up", help="run the whole pipeline locally: emulator, apply, runner, a demo job")
    up.add_argument("spec", nargs="?", default="queues.toml", type=Path, metavar="SPEC")
    up.add_argument("--retry-delay", type=int, default=None, metavar="SECONDS",
                    help="local only: a failed record is visible again after SECONDS instead of the queue's "
                         "visibility timeout (Lambda has no such setting; default: AWS behaviour)")
    up.add_argument("--no-demo", action="store_true", help="do not submit the demo job")

    down = commands.add_parser("down", help="stop everything `up` started and remove the local state")
    down.add_argument("spec", nargs="?", default="queues.toml", type=Path, metavar="SPEC")

    for name, text in (("status", "queues, DLQs and alarms (the week-1 plan's Tests 2 and 3); exit 1 when a DLQ "
                                  "holds messages"),
                       ("send", "send a message to a queue (the week-1 plan's Test 1 without BODY)"),
                       ("job", "submit a video job through the router's function URL and optionally wait")):
        command = commands.add_parser(name, help=text)
        where = command.add_mutually_exclusive_group(required=True)
        where.add_argument("--local", dest="target", action="store_const", const="local",
                           help="the stack `make up` started")
        where.add_argument("--aws", dest="target", action="store_const", const="aws",
                           help="AWS, with boto3's configuration (AWS_PROFILE, AWS_REGION, …)")
        command.add_argument("--spec", default="queues.toml", type=Path, metavar="SPEC")
        if name == "send":
            command.add_argument("queue", metavar="QUEUE", help="queues.toml key or AWS name")
            command.add_argument("body", nargs="?", default=None, metavar="BODY")
            command.add_argument("--attribute", action="append", default=[], metavar="NAME=VALUE",
                                 help="a String message attribute (repeatable)")
            command.add_argument("--group-id", default=None, help="FIFO queues: MessageGroupId")
            command.add_argument("--deduplication-id", default=None, help="FIFO queues: MessageDeduplicationId")
        if name == "job":
            command.add_argument("video_url", metavar="VIDEO_URL",
                                 help="URL to download; with --local, `sample` means the stack's test video")
            command.add_argument("--email", default="ada@example.com")
            command.add_argument("--quality", default="480p")
            command.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                                 help="wait up to SECONDS for the job's video, thumbnails, email and counters")


def run(args: argparse.Namespace) -> int:
    handler = {"up": _up, "down": _down, "status": _status, "send": _send, "job": _job}[args.command]
    return handler(args)


def _loaded(spec_path: Path):  # type: ignore[no-untyped-def]
    from generator.spec.load import load_spec

    return load_spec(spec_path).spec


def _up(args: argparse.Namespace) -> int:
    from generator.local import demo, up
    from generator.local.progress import Progress

    progress = Progress()
    root = args.spec.resolve().parent
    result = up.up(root, root / "terraform", progress, retry_delay=args.retry_delay)
    spec = _loaded(args.spec)
    target_session = _local_session(result.outputs)
    job = None
    if not args.no_demo:
        router = next(iter(result.runner["function_urls"].values()), None)
        if router is None:
            progress("no function has a URL: no demo job")
        else:
            video = demo.synthesize_video(root / ".local" / "media")
            url = f"{result.runner['media_url']}/{video.name}"
            progress(f"demo job: {url} through {router}/jobs")
            answer = demo.submit_job(router, url, email="ada@example.com")
            job = demo.wait_for_job(target_session, result.emulator.endpoint, answer["job_id"], progress, timeout=300)
            progress(f"demo job {job.job_id} complete")
    _print_summary(spec, result, job, target_session, progress)
    return EXIT_OK


def _local_session(outputs: dict):  # type: ignore[no-untyped-def]
    import boto3

    from generator.local.up import _region

    return boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=_region(outputs))


def _queue_names(spec) -> list[tuple[str, str, bool]]:  # type: ignore[no-untyped-def]
    from generator.naming import dlq_name, queue_name

    found = []
    for key, queue in sorted(spec.queues.items()):
        found.append((key, queue_name(key, queue), False))
        found.append((key, dlq_name(key, queue), True))
    return found


def _function_names(spec) -> list[str]:  # type: ignore[no-untyped-def]
    from generator.naming import function_name

    return sorted(function_name(key, fn) for key, fn in spec.functions.items())


def _print_summary(spec, result, job, session, progress) -> None:  # type: ignore[no-untyped-def]
    from generator.local import queues_status

    endpoint = result.emulator.endpoint
    state_dir = Path(".local")
    print()
    print(f"The pipeline is up ({progress.elapsed():.0f} s). Emulator: {endpoint}")
    for interpreter in result.interpreters:
        print(f"  functions run on {interpreter.describe()}")
    print()
    statuses = queues_status.queue_statuses(session, endpoint, _queue_names(spec))
    print("\n".join(queues_status.format_queues(statuses)))
    print()
    resources = {s.name for s in statuses} | set(_function_names(spec))
    print("\n".join(queues_status.format_alarms(queues_status.alarm_statuses(session, endpoint, resources))))
    if job is not None:
        print()
        print(f"Demo job {job.job_id}:")
        for key in job.objects:
            print(f"  {key}")
        if job.email:
            to = ", ".join(job.email["destinations"].get("ToAddresses", []))
            print(f"  email from {job.email['source']} to {to}: {job.email['subject']!r}")
        print(f"  analytics counted: {', '.join(kind for kind, seen in job.milestones.items() if seen)}")
    settings = {name: lines for name, lines in result.runner.get("local_settings", {}).items() if lines}
    print()
    print("Local-only settings (never in the generated Terraform):")
    print(f"  every function: AWS_ENDPOINT_URL={endpoint}, fake credentials")
    for name, lines in sorted(settings.items()):
        for line in lines:
            print(f"  {name}: {line}")
    if result.runner.get("retry_delay") is not None:
        print(f"  failed records are retried after {result.runner['retry_delay']} s "
              "(AWS: the queue's visibility timeout)")
    routes = ", ".join(f"{name} {url}" for name, url in sorted(result.runner["function_urls"].items()))
    print()
    print(f"Function URLs: {routes or 'none'}")
    print(f"Logs: {state_dir}/logs/<function>.log, {state_dir}/runner.log, {state_dir}/emulator.log")
    print("More: python -m generator job --local sample --wait 120     (another job)")
    print("      python -m generator send --local video-processing      (the week-1 plan's Test 1)")
    print("      python -m generator status --local                     (Tests 2 and 3, alarms)")
    print(f"      AWS_ENDPOINT_URL={endpoint} aws sqs list-queues        (the plan's own commands)")
    print("Stop: make down")


def _down(args: argparse.Namespace) -> int:
    from generator.local import up

    root = args.spec.resolve().parent
    stopped = up.down(root)
    print(f"stopped: {', '.join(stopped)}; local state removed" if stopped else "nothing was running")
    return EXIT_OK


def _target(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from generator.local import target

    return target.resolve(args.target, args.spec.resolve().parent)


def _status(args: argparse.Namespace) -> int:
    from generator.local import queues_status

    spec = _loaded(args.spec)
    target = _target(args)
    session = target.session()
    statuses = queues_status.queue_statuses(session, target.endpoint, _queue_names(spec))
    print(f"{target.describe()}:")
    print("\n".join(queues_status.format_queues(statuses)))
    resources = {s.name for s in statuses} | set(_function_names(spec))
    print()
    print("\n".join(queues_status.format_alarms(queues_status.alarm_statuses(session, target.endpoint, resources))))
    holding = [s for s in statuses if s.is_dlq and s.total]
    print()
    if holding:
        names = ", ".join(f"{s.name} ({s.total})" for s in holding)
        print(f"DLQs holding messages: {names}. The week-1 plan's success criterion {SUCCESS_CRITERION} is NOT met.")
        return EXIT_FAILED
    print(f"Every DLQ is empty: the week-1 plan's success criterion {SUCCESS_CRITERION} is met.")
    return EXIT_OK


def _resolve_queue(spec, name: str) -> str:  # type: ignore[no-untyped-def]
    for key, aws_name, _is_dlq in _queue_names(spec):
        if name in (aws_name, key) and not (name == key and _is_dlq):
            return aws_name
    known = ", ".join(sorted({key for key, *_ in _queue_names(spec)}))
    raise SystemExit(f"error: {name!r} is not a queue of {spec.project.name} (queues.toml keys: {known})")


def _send(args: argparse.Namespace) -> int:
    spec = _loaded(args.spec)
    name = _resolve_queue(spec, args.queue)
    target = _target(args)
    sqs = target.client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    body = args.body if args.body is not None else json.dumps(SEED_TEST_MESSAGE)
    request = {"QueueUrl": url, "MessageBody": body}
    attributes = {}
    for item in args.attribute:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"error: --attribute {item!r}: use NAME=VALUE")
        attributes[key] = {"DataType": "String", "StringValue": value}
    if attributes:
        request["MessageAttributes"] = attributes
    if name.endswith(".fifo"):
        request["MessageGroupId"] = args.group_id or "default"
        if args.deduplication_id:
            request["MessageDeduplicationId"] = args.deduplication_id
    message_id = sqs.send_message(**request)["MessageId"]
    print(f"sent {message_id} to {name} ({target.describe()})")
    return EXIT_OK


def _job(args: argparse.Namespace) -> int:
    from generator.local import demo
    from generator.local.progress import Progress
    from generator.local.state import LocalState

    target = _target(args)
    if target.name != "local":
        raise SystemExit("error: `job --aws` needs a SigV4-signed request to the function URL; use "
                         "`aws lambda invoke` or a signed client against the function_urls output")
    record = LocalState(args.spec.resolve().parent).read("runner.json") or {}
    router = next(iter((record.get("function_urls") or {}).values()), None)
    if router is None:
        raise SystemExit("error: the local stack serves no function URL")
    url = f"{record['media_url']}/{demo.SAMPLE}" if args.video_url == "sample" else args.video_url
    answer = demo.submit_job(router, url, email=args.email, quality=args.quality,
                             caller_key=os.environ.get("LOCAL_CALLER_KEY"))
    print(json.dumps(answer))
    if args.wait:
        progress = Progress(sys.stderr)
        found = demo.wait_for_job(target.session(), target.endpoint, answer["job_id"], progress, timeout=args.wait)
        print(json.dumps({"job_id": found.job_id, "objects": found.objects, "email": found.email,
                          "milestones": found.milestones}))
    return EXIT_OK


