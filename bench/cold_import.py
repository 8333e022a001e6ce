"""Cold import time of each Lambda handler, as a fresh Lambda container would pay it.

For each function, a fresh interpreter (with lambdas/<fn> and lambdas/ on sys.path, every configuration
variable set to a dummy value) imports the handler N times; the median is printed, with the heavy modules it
pulled in (yt-dlp, PIL, imageio-ffmpeg must only load in the functions that use them) and the size of
build/lambda/<fn>-<hash>.zip. Two columns: with the .pyc files this machine already has, and with no .pyc at all
(every module compiled from source: the worst case, close to a zip built with --no-compile).

Prints figures; asserts nothing.   Usage: python bench/cold_import.py [-n RUNS]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAMBDAS = ROOT / "lambdas"
FUNCTIONS = ("router", "downloader", "thumbnail", "email", "analytics")
HEAVY = {"yt_dlp": "yt-dlp", "PIL": "pillow", "imageio_ffmpeg": "imageio-ffmpeg"}
NEEDS = {"downloader": {"yt_dlp"}, "thumbnail": {"PIL", "imageio_ffmpeg"}}
ROUTER_BUDGET_MS = 250

DUMMY_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "dummy",
    "AWS_SECRET_ACCESS_KEY": "dummy",
    "LOG_LEVEL": "INFO",
    "VIDEO_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/video-processing-queue",
    "THUMBNAIL_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/thumbnail-generation-queue",
    "EMAIL_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/email-queue",
    "ANALYTICS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/analytics-queue",
    "QUOTAS_TABLE": "quotas",
    "ALLOWED_VIDEO_HOSTS": "youtube.com,vimeo.com",
    "DAILY_QUOTA": "10",
    "MEDIA_BUCKET": "media-bucket",
    "ALLOW_LOOPBACK_URLS": "false",
    "THUMBNAIL_SIZES": "1280x720,320x180",
    "SENDER_EMAIL": "pipeline@example.com",
    "IDEMPOTENCY_TABLE": "idempotency",
    "ANALYTICS_TABLE": "analytics",
}

# Runs in the fresh interpreter: import the handler the way Lambda does (its folder on sys.path, plus lambdas/
# standing in for the zip root's `common/`), time it, and list the heavy modules that came with it.
PROBE = """
import json, sys, time
sys.path[:0] = [{function_dir!r}, {lambdas_dir!r}]
started = time.perf_counter()
import handler
elapsed_ms = (time.perf_counter() - started) * 1000
print(json.dumps({{"ms": elapsed_ms, "loaded": sorted(m for m in {heavy!r} if m in sys.modules)}}))
"""


def measure(function: str, runs: int, *, without_pyc: bool) -> tuple[list[float], set[str]]:
    probe = PROBE.format(function_dir=str(LAMBDAS / function), lambdas_dir=str(LAMBDAS), heavy=sorted(HEAVY))
    timings, loaded = [], set()
    for _ in range(runs):
        environment = {**os.environ, **DUMMY_ENVIRONMENT, "POWERTOOLS_SERVICE_NAME": function}
        environment.pop("AWS_ENDPOINT_URL", None)
        with tempfile.TemporaryDirectory() as empty_cache:
            if without_pyc:
                environment.update(PYTHONPYCACHEPREFIX=empty_cache, PYTHONDONTWRITEBYTECODE="1")
            result = subprocess.run(
                [sys.executable, "-c", probe],
                env=environment,
                cwd=empty_cache,
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            )
        report = json.loads(result.stdout.strip().splitlines()[-1])
        timings.append(report["ms"])
        loaded.update(report["loaded"])
    return timings, loaded


def zip_size(function: str) -> str:
    try:  # the manifest names the zip: build/lambda/<fn>-<16 hex of its input hash>.zip
        manifest = json.loads((ROOT / "build" / "lambda" / f"{function}.json").read_text())
        path = ROOT / "build" / "lambda" / manifest["zip"]
    except (OSError, ValueError, KeyError):
        return "not built (run make generate)"
    if not path.is_file():
        return "not built (run make generate)"
    return f"{path.stat().st_size / 1024 / 1024:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-n", "--runs", type=int, default=7, help="fresh interpreters per function (default 7)"
    )
    args = parser.parse_args()

    python = sys.version.split()[0]
    print(
        f"cold import of lambdas/<fn>/handler.py: median of {args.runs} fresh interpreters, Python {python}"
    )
    header = (
        f"{'function':<11} {'import ms':>10} {'(min-max)':>14} {'no-pyc ms':>10}  {'heavy modules':<34} zip"
    )
    print(header)
    print("-" * len(header))
    for function in FUNCTIONS:
        warm, loaded = measure(function, args.runs, without_pyc=False)
        cold, loaded_cold = measure(function, max(3, args.runs // 2), without_pyc=True)
        loaded |= loaded_cold
        unexpected = loaded - NEEDS.get(function, set())
        heavy = ", ".join(HEAVY[m] for m in sorted(loaded)) or "none"
        if unexpected:
            heavy += f"  UNEXPECTED: {', '.join(HEAVY[m] for m in sorted(unexpected))}"
        spread = f"({min(warm):.0f}-{max(warm):.0f})"
        print(
            f"{function:<11} {statistics.median(warm):>10.0f} {spread:>14} {statistics.median(cold):>10.0f}"
            f"  {heavy:<34} {zip_size(function)}"
        )
    print(f"router budget: {ROUTER_BUDGET_MS} ms of import time on this machine. boto3 is imported at init;")
    print("clients are created on first use, once per container. no-pyc: every module compiled from source,")
    print("stdlib included (an upper bound; the Lambda runtime ships compiled stdlib and boto3).")


if __name__ == "__main__":
    main()
