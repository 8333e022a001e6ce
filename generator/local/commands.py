"""The local-stack commands of `python -m generator`: up, down, job; and where the operations commands
(operations.py: status, send, peek, redrive, disable, enable, purge) are registered.

They share the loading of queues.toml with check and generate (generator.spec.load), so a queue is named the
way the user named it (its queues.toml key, or its AWS name).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from generator.local import operations

EXIT_OK = 0


def add_parsers(commands: argparse._SubParsersAction) -> None:
    up = commands.add_parser("up", help="run the whole pipeline locally: emulator, apply, runner, a demo job")
    up.add_argument("spec", nargs="?", default="queues.toml", type=Path, metavar="SPEC")
    up.add_argument("--retry-delay", type=int, default=None, metavar="SECONDS",
                    help="local only: a failed record is visible again after SECONDS instead of the queue's "
                         "visibility timeout (Lambda has no such setting; default: AWS behaviour)")
    up.add_argument("--no-demo", action="store_true", help="do not submit the demo job")

    down = commands.add_parser("down", help="stop everything `up` started and remove the local state")
    down.add_argument("spec", nargs="?", default="queues.toml", type=Path, metavar="SPEC")

    job = commands.add_parser("job", help="submit a video job through the router's function URL and optionally wait")
    operations.add_target_arguments(job, environment=False)
    job.add_argument("video_url", metavar="VIDEO_URL",
                     help="URL to download; with --local, `sample` means the stack's test video")
    job.add_argument("--email", default="ada@example.com")
    job.add_argument("--quality", default="480p")
    job.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                     help="wait up to SECONDS for the job's video, thumbnails, email and counters")
    operations.add_parsers(commands)


def run(args: argparse.Namespace) -> int:
    if args.command in operations.COMMANDS:
        return operations.run(args)
    handler = {"up": _up, "down": _down, "job": _job}[args.command]
    return handler(args)


def _up(args: argparse.Namespace) -> int:
    from generator.local import demo, names, up
    from generator.local.progress import Progress

    progress = Progress()
    root = args.spec.resolve().parent
    result = up.up(root, root / "terraform", progress, retry_delay=args.retry_delay)
    topology = names.topology(args.spec, "")  # `up` runs the default environment
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
            progress(f"demo job {job.job_id} complete" if job.complete else
                     f"demo job {job.job_id}: as far as the enabled consumers take it")
    _print_summary(topology, result, job, target_session, progress)
    return EXIT_OK


def _local_session(outputs: dict):  # type: ignore[no-untyped-def]
    import boto3

    from generator.local.up import _region

    return boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=_region(outputs))


def _print_summary(topology, result, job, session, progress) -> None:  # type: ignore[no-untyped-def]
    from generator.local import queues_status

    endpoint = result.emulator.endpoint
    state_dir = Path(".local")
    print()
    print(f"The pipeline is up ({progress.elapsed():.0f} s). Emulator: {endpoint}")
    for interpreter in result.interpreters:
        print(f"  functions run on {interpreter.describe()}")
    print()
    found = queues_status.snapshot(session, endpoint, topology)
    print("\n".join(queues_status.format_queues(found.queues)))
    print()
    print("\n".join(queues_status.format_alarms(found.alarms)))
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
    print("      python -m generator peek --local video-processing      (a DLQ's messages; then redrive)")
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


