"""The local stack's commands: up, down, job (parsers and handlers; exit codes: generator/cli.py).

They share the loading of queues.toml with check and generate (generator.spec.load), so a queue is named the
way the user named it (its queues.toml key, or its AWS name). Only the demo (demo.py) knows the video pipeline.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from generator.command import Command, CommandError, ExitCode, UsageError, spec_argument

if TYPE_CHECKING:
    import boto3

    from generator.local.demo import JobArtefacts
    from generator.local.up import UpResult
    from generator.ops.topology import Topology
    from generator.progress import Progress


# ── up ─────────────────────────────────────────────────────────────────────────────────────────────────────


def _up_arguments(parser: argparse.ArgumentParser) -> None:
    spec_argument(parser)
    parser.add_argument("--retry-delay", type=int, default=None, metavar="SECONDS",
                        help="local only: a failed record is visible again after SECONDS instead of the queue's "
                             "visibility timeout (Lambda has no such setting; default: AWS behaviour)")
    parser.add_argument("--no-demo", action="store_true", help="do not submit the demo job")
    parser.add_argument("--no-reload", action="store_true",
                        help="do not redeploy a function when a file of it is saved (hot reload is on by default)")
    parser.add_argument("--emulator-only", action="store_true",
                        help="start the emulator alone (empty), print its endpoint and return, leaving it running: "
                             "set up an existing architecture there, then `adopt --local` and `up`")
    parser.add_argument("--no-iam", action="store_true",
                        help="do not enforce IAM: every function's calls are allowed whatever its role grants "
                             "(default: enforced, as on AWS)")
    parser.add_argument("--debug", default=None, metavar="FUNCTION",
                        help="run FUNCTION's execution environment under debugpy (127.0.0.1, waiting for the editor "
                             "to attach), its timeout and its queues' local visibility raised; no demo job")


def up(args: argparse.Namespace) -> int:
    from generator.local import demo
    from generator.local import up as stack
    from generator.local.state import local_session
    from generator.ops.topology import topology as load_topology
    from generator.progress import Progress

    progress = Progress()
    root = args.spec.resolve().parent
    if args.emulator_only:
        running = stack.emulator_only(root, progress)
        print(f"emulator: {running.endpoint}")
        return ExitCode.OK
    topology = load_topology(args.spec, "")  # `up` runs the default environment
    debug = None
    if args.debug is not None:
        debug = topology.function_name(args.debug) or (args.debug if args.debug in topology.function_names() else None)
        if debug is None:
            raise UsageError(f"--debug {args.debug}: not a function of {args.spec} "
                             f"(functions: {', '.join(sorted(topology.spec.functions))})")
    result = stack.up(root, root / "terraform", progress, retry_delay=args.retry_delay,
                      local_settings=demo.LOCAL_SETTINGS, iam=not args.no_iam, debug=debug)
    if not args.no_reload:
        stack.start_reloader(root, args.spec.resolve(), root / "terraform", result.emulator.endpoint, topology.spec)
        progress("hot reload on: saving a file of a function redeploys it (.local/reloader.log says when)")
    session = local_session(result.region)
    job = None
    if debug is not None:
        progress(f"no demo job: {debug} waits for the debugger (`python -m generator job --local sample` sends one)")
    elif not args.no_demo:
        router = demo.router_url(topology, result.runner.function_urls)
        if router is None:
            progress(f"no demo job: the demo needs a `{demo.ROUTER}` function with a URL (the video pipeline's)")
        else:
            video = demo.synthesize_video(root / ".local" / "media")
            url = f"{result.runner.media_url}/{video.name}"
            progress(f"demo job: {url} through {router}/jobs")
            answer = demo.submit_job(router, url, email=demo.DEMO_EMAIL)
            job = demo.wait_for_job(session, result.emulator.endpoint, answer["job_id"], progress, timeout=300)
            progress(f"demo job {job.job_id} complete" if job.complete else
                     f"demo job {job.job_id}: as far as the enabled consumers take it")
    _print_summary(topology, result, job, session, progress)
    if debug is not None:
        from generator.local.debugging import attach_hint

        key = next((k for k in topology.spec.functions if topology.function_name(k) == debug), debug)
        print()
        print("\n".join(attach_hint(debug, result.runner.debug_address, result.runner.debug_task_root, root, key)))
    return ExitCode.OK


def _print_summary(topology: Topology, result: UpResult, job: JobArtefacts | None, session: boto3.session.Session,
                   progress: Progress) -> None:
    from generator.local import demo
    from generator.ops import status

    endpoint = result.emulator.endpoint
    state_dir = Path(".local")
    print()
    print(f"The pipeline is up ({progress.elapsed():.0f} s). Emulator: {endpoint}")
    for interpreter in result.interpreters:
        print(f"  functions run on {interpreter.describe()}")
    print()
    found = status.snapshot(session, endpoint, topology)
    print("\n".join(status.format_queues(found.queues)))
    print()
    print("\n".join(status.format_alarms(found.alarms)))
    if job is not None:
        print()
        print(f"Demo job {job.job_id}:")
        for key in job.objects:
            print(f"  {key}")
        if job.email:
            to = ", ".join(job.email["destinations"].get("ToAddresses", []))
            print(f"  email from {job.email['source']} to {to}: {job.email['subject']!r}")
        print(f"  analytics counted: {', '.join(kind for kind, seen in job.milestones.items() if seen)}")
    settings = {name: lines for name, lines in result.runner.local_settings.items() if lines}
    print()
    print("Local-only settings (never in the generated Terraform):")
    print(f"  every function: AWS_ENDPOINT_URL={endpoint}, its role's credentials from the emulator's STS")
    if result.iam:
        print("  IAM enforced: each function's calls are authorized against its role's policies, as on AWS")
    else:
        print("  IAM NOT enforced (--no-iam): a permission the role lacks passes here and fails on AWS")
    for name, lines in sorted(settings.items()):
        for line in lines:
            print(f"  {name}: {line}")
    if result.runner.retry_delay is not None:
        print(f"  failed records are retried after {result.runner.retry_delay} s "
              "(AWS: the queue's visibility timeout)")
    routes = ", ".join(f"{name} {url}" for name, url in sorted(result.runner.function_urls.items()))
    queue = demo.test_queue(topology)
    more = [("python -m generator job --local sample --wait 120", "another job")] if job is not None else []
    more += [(f"python -m generator send --local {queue}", "the week-1 plan's Test 1"),
             ("python -m generator status --local", "Tests 2 and 3, alarms"),
             (f"python -m generator peek --local {queue}", "a DLQ's messages; then redrive"),
             (f"AWS_ENDPOINT_URL={endpoint} aws sqs list-queues", "the plan's own commands")]
    print()
    print(f"Function URLs: {routes or 'none'}")
    print(f"Logs: python -m generator logs --local [FUNCTION] --follow ({state_dir}/logs/<function>.log, "
          f"{state_dir}/runner.log, {state_dir}/emulator.log)")
    for index, (command, why) in enumerate(more):
        print(f"{'More: ' if index == 0 else '      '}{command:<54} ({why})")
    print("Stop: make down")


# ── down ───────────────────────────────────────────────────────────────────────────────────────────────────


def down(args: argparse.Namespace) -> int:
    from generator.local import up as stack

    stopped = stack.down(args.spec.resolve().parent)
    print(f"stopped: {', '.join(stopped)}; local state removed" if stopped else "nothing was running")
    return ExitCode.OK


# ── job ────────────────────────────────────────────────────────────────────────────────────────────────────


def _job_arguments(parser: argparse.ArgumentParser) -> None:
    from generator.local.demo import DEMO_EMAIL
    from generator.ops.commands import add_target_arguments

    add_target_arguments(parser, environment=False)
    parser.add_argument("video_url", metavar="VIDEO_URL",
                        help="URL to download; with --local, `sample` means the stack's test video")
    parser.add_argument("--email", default=DEMO_EMAIL)
    parser.add_argument("--quality", default="480p")
    parser.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                        help="wait up to SECONDS for the job's video, thumbnails, email and counters")


def job(args: argparse.Namespace) -> int:
    from generator.local import demo
    from generator.local.state import LocalState, RunnerRecord
    from generator.ops import target as targets
    from generator.ops.topology import topology as load_topology
    from generator.progress import Progress

    if args.target != "local":
        raise UsageError("`job --aws` needs a SigV4-signed request to the function URL; use `aws lambda invoke` or "
                         "a signed client against the function_urls output")
    target = targets.resolve(args.target, args.spec.resolve().parent)
    record = RunnerRecord.read(LocalState(args.spec.resolve().parent))
    router = demo.router_url(load_topology(args.spec, ""), record.function_urls if record else {})
    if record is None or router is None:
        raise CommandError(f"the local stack serves no URL for a `{demo.ROUTER}` function")
    url = f"{record.media_url}/{demo.SAMPLE}" if args.video_url == "sample" else args.video_url
    answer = demo.submit_job(router, url, email=args.email, quality=args.quality,
                             caller_key=os.environ.get("LOCAL_CALLER_KEY"))
    print(json.dumps(answer))
    if args.wait:
        progress = Progress(sys.stderr)
        found = demo.wait_for_job(target.session(), target.endpoint or "", answer["job_id"], progress,
                                  timeout=args.wait)
        print(json.dumps({"job_id": found.job_id, "objects": found.objects, "email": found.email,
                          "milestones": found.milestones}))
    return ExitCode.OK


# ── invoke, event ──────────────────────────────────────────────────────────────────────────────────────────


def _event_shape_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queue", default=None, metavar="QUEUE", help="sqs: the queue (queues.toml key or AWS name)")
    parser.add_argument("--body", default="{}", metavar="TEXT", help="the message body (sqs) or request body (http)")
    parser.add_argument("--attribute", action="append", default=[], metavar="NAME[:Number]=VALUE",
                        help="sqs: a message attribute, String unless `:Number` (repeatable)")
    parser.add_argument("--path", default="/", help="http: the request path (and ?query)")
    parser.add_argument("--method", default="POST", help="http: the request method")


def _invoke_arguments(parser: argparse.ArgumentParser) -> None:
    from generator.ops.commands import add_target_arguments

    add_target_arguments(parser, environment=False)
    parser.add_argument("function", metavar="FUNCTION", help="queues.toml key or AWS name")
    parser.add_argument("--event", default=None, metavar="sqs|http|FILE",
                        help="the event: a message of the function's queue (sqs), a function URL request (http) or "
                             "a JSON file (default: sqs for a queue's consumer, else http)")
    _event_shape_arguments(parser)
    parser.add_argument("--json", action="store_true", help="the event, the response and the lines as one JSON")


def invoke(args: argparse.Namespace) -> int:
    from generator.local import invoke as invoking
    from generator.local.state import LocalState, RunnerRecord
    from generator.ops import target as targets
    from generator.ops.topology import topology as load_topology

    if args.target != "local":
        raise UsageError("`invoke` runs a function of the local stack; on AWS use `aws lambda invoke`")
    root = args.spec.resolve().parent
    topology = load_topology(args.spec, "")
    function = topology.function_name(args.function) or (
        args.function if args.function in topology.function_names() else None)
    if function is None:
        raise UsageError(f"{args.function!r} is not a function of {args.spec} "
                         f"(functions: {', '.join(sorted(topology.spec.functions))})")
    queue = topology.queue(args.queue, key_means="queue").name if args.queue else None
    target = targets.resolve(args.target, root)
    record = RunnerRecord.read(LocalState(root))
    if record is None or not record.invoke_endpoint:
        raise CommandError("the local Lambda service serves no Invoke API: restart it with `make up`")
    lambda_ = target.client("lambda")
    configuration = lambda_.get_function_configuration(FunctionName=function)
    account, region = configuration["FunctionArn"].split(":")[4], configuration["FunctionArn"].split(":")[3]
    kind = args.event
    if kind is None:
        sources = invoking.mapping_sources(lambda_, function)
        kind = "sqs" if any(arn.startswith("arn:aws:sqs:") for arn in sources) else "http"
    event: object
    if kind == "sqs":
        arn = invoking.sqs_trigger(lambda_, function, queue)
        event = invoking.sqs_event_for(arn, args.body, invoking.attributes_from(args.attribute))
    elif kind == "http":
        try:
            url = lambda_.get_function_url_config(FunctionName=function)
            url_id, iam = url["FunctionUrl"].split("//", 1)[-1].split(".", 1)[0], url["AuthType"] == "AWS_IAM"
        except lambda_.exceptions.ResourceNotFoundException:
            url_id, iam = invoking.new_url_id(), False
        event = invoking.http_event_for(method=args.method, path=args.path, body=args.body, url_id=url_id,
                                        account=account, region=region, iam=iam)
    else:
        event = invoking.read_event_file(kind)
    timeout = int(configuration["Timeout"])
    if record.debug_address:
        timeout = 24 * 3600  # a debugged function waits for its editor
    invoked = invoking.invoke(record.invoke_endpoint, function, event, timeout + 30)
    lines = invoking.lines_of(LocalState(root).dir, function, invoked.request_id)
    failures = (invoked.payload.get("batchItemFailures") or []) if kind == "sqs" and isinstance(
        invoked.payload, dict) else []
    if args.json:
        print(json.dumps({"function": function, "request_id": invoked.request_id, "event": event,
                          "function_error": invoked.function_error or None, "response": invoked.payload,
                          "logs": [json.loads(line.to_json()) for line in lines]}, indent=2, sort_keys=True))
    else:
        outcome = f"error ({invoked.function_error})" if invoked.function_error else "ok"
        print(f"{function} {invoked.request_id}: {outcome}")
        print(json.dumps(invoked.payload, indent=2, sort_keys=True))
        if kind == "sqs" and not invoked.function_error:
            print(f"batch item failures: {', '.join(f.get('itemIdentifier', '?') for f in failures) or 'none'}")
        for line in lines:
            print(f"  {line.time} {line.text}")
    return ExitCode.PROBLEMS if invoked.function_error or failures else ExitCode.OK


def _event_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("sqs", "http"), help="an SQS event (one record) or a function URL request")
    _event_shape_arguments(parser)
    parser.add_argument("--spec", default="queues.toml", type=Path, metavar="SPEC")
    parser.add_argument("--region", default=None, help="default: AWS_REGION, else us-east-1")
    parser.add_argument("--account", default=None, metavar="ID", help="default: the emulator's, 123456789012")


def event(args: argparse.Namespace) -> int:
    from generator.local import invoke as invoking
    from generator.local.state import DEFAULT_REGION

    region = args.region or os.environ.get("AWS_REGION") or DEFAULT_REGION
    account = args.account or invoking.DEFAULT_ACCOUNT
    built: object
    if args.kind == "sqs":
        from generator.ops.topology import topology as load_topology

        if args.queue is None:
            raise UsageError("event sqs: name the queue with --queue (queues.toml key or AWS name)")
        name = load_topology(args.spec, "").queue(args.queue, key_means="queue").name
        built = invoking.sqs_event_for(f"arn:aws:sqs:{region}:{account}:{name}", args.body,
                                       invoking.attributes_from(args.attribute))
    else:
        built = invoking.http_event_for(method=args.method, path=args.path, body=args.body,
                                        url_id=invoking.new_url_id(), account=account, region=region, iam=False)
    print(json.dumps(built, indent=2, sort_keys=True))
    return ExitCode.OK


COMMANDS = (
    Command("up", "run the whole pipeline locally: emulator, apply, Lambda service, a demo job", _up_arguments, up),
    Command("down", "stop everything `up` started and remove the local state", spec_argument, down),
    Command("job", "submit a video job through the router's function URL and optionally wait", _job_arguments, job),
    Command("invoke", "invoke one function of the local stack with one event (as Lambda builds it); print its "
                      "response and log lines", _invoke_arguments, invoke),
    Command("event", "print an event as Lambda builds it (sqs: one message of a queue; http: a function URL "
                     "request)", _event_arguments, event),
)
