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
    result = stack.up(root, root / "terraform", progress, retry_delay=args.retry_delay,
                      local_settings=demo.LOCAL_SETTINGS, iam=not args.no_iam)
    if not args.no_reload:
        stack.start_reloader(root, args.spec.resolve(), root / "terraform", result.emulator.endpoint, topology.spec)
        progress("hot reload on: saving a file of a function redeploys it (.local/reloader.log says when)")
    session = local_session(result.region)
    job = None
    if not args.no_demo:
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
    print(f"Logs: {state_dir}/logs/<function>.log, {state_dir}/runner.log, {state_dir}/emulator.log")
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


COMMANDS = (
    Command("up", "run the whole pipeline locally: emulator, apply, Lambda service, a demo job", _up_arguments, up),
    Command("down", "stop everything `up` started and remove the local state", spec_argument, down),
    Command("job", "submit a video job through the router's function URL and optionally wait", _job_arguments, job),
)
