"""Packaging benchmark: how long `generate` takes cold, with cached wheels, with nothing changed, and after
one function changed (next to what pip alone needs to install that function's cached wheels); zip sizes.

    python bench/package.py [--spec queues.toml] [--runs 3] [--function KEY]

Works on a copy of the project in a temporary folder (the repository is never touched). Without --spec it
uses the repository's queues.toml, with its lambdas/ when every function's folder exists, else with stub
handlers and the seed's pinned requirements. Figures are medians; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.package import limits  # noqa: E402
from generator.package.inputs import function_sources  # noqa: E402
from generator.package.pins import parse_pins  # noqa: E402
from generator.package.target import Target  # noqa: E402
from generator.spec.load import load_spec  # noqa: E402

# The seed's requirements (as on the Lambda sources branch), for stub handlers when lambdas/ is not there yet.
_POWERTOOLS = "aws-lambda-powertools==3.37.0\njmespath==1.1.0\ntyping_extensions==4.16.0\n"
SEED_REQUIREMENTS = {
    "router": _POWERTOOLS,
    "downloader": _POWERTOOLS + "yt-dlp==2026.10.26\n",
    "thumbnail": _POWERTOOLS + "imageio-ffmpeg==0.8.1\npillow==13.0.0\n",
    "email": _POWERTOOLS,
    "analytics": _POWERTOOLS,
}
_STUB_HANDLER = "def lambda_handler(event, context):\n    return {}\n"


def _project_copy(spec: Path, destination: Path) -> str:
    """Copy queues.toml and its lambdas folder; returns what was copied, for the report."""
    loaded = load_spec(spec)
    lambdas_dir = loaded.spec.project.lambdas_dir
    destination.mkdir(parents=True)
    shutil.copy2(spec, destination / "queues.toml")
    sources = function_sources(loaded.spec, spec.parent)
    if all(fn.source_dir.is_dir() for fn in sources):
        shutil.copytree(spec.parent / lambdas_dir, destination / lambdas_dir,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return f"{spec} with its {lambdas_dir}/"
    for fn in sources:
        folder = destination / lambdas_dir / fn.source_dir.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "handler.py").write_text(_STUB_HANDLER)
        (folder / "requirements.txt").write_text(SEED_REQUIREMENTS.get(fn.key, ""))
    (destination / lambdas_dir / "common").mkdir(exist_ok=True)
    (destination / lambdas_dir / "common" / "__init__.py").write_text("")
    return f"{spec} with stub handlers and the seed's requirements ({lambdas_dir}/ not found)"


def _generate(project: Path, **environment: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **environment}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "generator", "generate", "queues.toml"], cwd=project,
                            env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"generate failed:\n{result.stdout}{result.stderr}")
    return elapsed


def _median(runs: int, before: Callable[[int], None], measure: Callable[[], float]) -> float:
    timings = []
    for run in range(runs):
        before(run)
        timings.append(measure())
    return statistics.median(timings)


def _pip_install_seconds(project: Path, key: str) -> float:
    """What pip alone needs to install the function's pins from the already-downloaded wheels, offline."""
    loaded = load_spec(project / "queues.toml")
    fn = next(fn for fn in function_sources(loaded.spec, project) if fn.key == key)
    target = Target(fn.runtime, fn.architecture)
    pins, _ = parse_pins(fn, target)
    if not pins:
        return 0.0
    with tempfile.TemporaryDirectory() as installed:
        wheel_cache = str(project / "build" / "wheels")
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                   "--no-compile", "--disable-pip-version-check", "--find-links", wheel_cache,
                   "--target", installed, *target.pip_arguments(), *(pin.requirement for pin in pins)]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - started


def _zip_sizes(project: Path) -> list[str]:
    lines = []
    for manifest_path in sorted((project / "build" / "lambda").glob("*.json")):
        manifest = json.loads(manifest_path.read_text())
        route = "  (through S3)" if limits.deployed_through_s3(manifest["zip_size"]) else ""
        lines.append(f"  {manifest_path.stem:<14} {limits.megabytes(manifest['zip_size']):>9} zipped  "
                     f"{limits.megabytes(manifest['unzipped_size']):>9} unzipped{route}")
    return lines


def _largest_function(project: Path) -> str:
    manifests = (project / "build" / "lambda").glob("*.json")
    return max((json.loads(path.read_text())["zip_size"], path.stem) for path in manifests)[1]


def run(spec: Path, runs: int, function: str | None) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="bench-package-") as temporary:
        project = Path(temporary) / "project"
        described = _project_copy(spec, project)
        count = len(load_spec(project / "queues.toml").spec.functions)

        def clean_everything(_: int) -> None:
            shutil.rmtree(project / "build", ignore_errors=True)

        def clean_zips(_: int) -> None:
            shutil.rmtree(project / "build" / "lambda", ignore_errors=True)

        # pip's own HTTP cache is off too, so "cold" really downloads every wheel.
        cold = _median(runs, clean_everything, lambda: _generate(project, PIP_NO_CACHE_DIR="1"))
        cached = _median(runs, clean_zips, lambda: _generate(project))
        unchanged = _median(runs, lambda _: None, lambda: _generate(project))
        key = function or _largest_function(project)
        sources = function_sources(load_spec(project / "queues.toml").spec, project)
        source_dir = next(fn.source_dir for fn in sources if fn.key == key)
        handler = sorted(source_dir.glob("*.py"))[0]

        def edit(run_number: int) -> None:
            with handler.open("a") as file:
                file.write(f"# bench edit {run_number}\n")

        one_changed = _median(runs, edit, lambda: _generate(project))
        pip_alone = _median(runs, lambda _: None, lambda: _pip_install_seconds(project, key))
        return [
            f"Packaging {count} functions from {described}; median of {runs} run{'s' if runs != 1 else ''}",
            f"  cold, nothing cached (pip downloads every wheel)  {cold:7.2f} s",
            f"  cold, wheels cached (no index needed)             {cached:7.2f} s",
            f"  no change                                         {unchanged:7.2f} s   (budget: 0.50 s)",
            f"  one function changed ({key})".ljust(52) + f"{one_changed:7.2f} s",
            f"  pip install of {key}'s cached wheels alone".ljust(52)
            + f"{pip_alone:7.2f} s   (--no-deps, offline)",
            "zip sizes:",
            *_zip_sizes(project),
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "queues.toml", help="queues.toml to benchmark")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is printed)")
    parser.add_argument("--function", default=None, help="function to change (default: the largest zip)")
    args = parser.parse_args(argv)
    for line in run(args.spec.resolve(), args.runs, args.function):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
