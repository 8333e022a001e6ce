"""Render time for topologies of 1, 100 and 1000 queue/DLQ pairs, and a no-change `make generate` of the seed.

    .venv/bin/python bench/render.py [--repeat N]

Prints medians of N runs (default 5). Goals on a 2-core machine: 1000 pairs render + validate <= 2 s;
no-change generate <= 0.5 s. The machine is shared: compare figures within one run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import tfcli  # noqa: E402
from generator.pipeline import generate  # noqa: E402
from generator.spec.load import load_spec  # noqa: E402


def synthetic_spec(pairs: int) -> str:
    """A topology of `pairs` queues, each consumed by its own function that sends to the next queue."""
    lines = ['[project]\nname = "bench"\n\n[alarms]\ntopic_name = "bench-alarms"\n'
             'email_subscribers = ["ops@example.com"]\n']
    for i in range(pairs):
        lines.append(f"[queues.q{i:04d}]\nvisibility_timeout_seconds = 180\nmax_receive_count = 5\n")
    for i in range(pairs):
        sends = f'sends_to = ["q{i + 1:04d}"]\n' if i + 1 < pairs else ""
        lines.append(f'[functions.f{i:04d}]\nsource = "worker"\ntimeout = 30\n{sends}'
                     f'trigger = {{ queue = "q{i:04d}", batch_size = 10, maximum_concurrency = 5 }}\n')
    return "\n".join(lines)


def make_project(directory: Path, pairs: int) -> Path:
    (directory / "lambdas" / "worker").mkdir(parents=True)
    (directory / "lambdas" / "worker" / "handler.py").write_text("def lambda_handler(event, context):\n    return {}\n")
    spec = directory / "queues.toml"
    spec.write_text(synthetic_spec(pairs))
    return spec


def timed(action, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--terraform", action="store_true",
                        help="also time `terraform validate` of the 1000-pair tree (Terraform's own cost, ~15 s)")
    args = parser.parse_args()

    print(f"{'pairs':>6} {'validate':>10} {'render+write':>13} {'no-change':>10}   (median of {args.repeat})")
    for pairs in (1, 100, 1000):
        with tempfile.TemporaryDirectory() as tmp:
            spec = make_project(Path(tmp), pairs)
            out = Path(tmp) / "terraform"
            validate = timed(lambda spec=spec: load_spec(spec), args.repeat)

            def fresh(spec: Path = spec, out: Path = out) -> None:
                for path in out.glob("*.tf"):
                    path.unlink()
                generate(spec, out)

            full = timed(fresh, args.repeat)
            unchanged = timed(lambda spec=spec, out=out: generate(spec, out), args.repeat)
            print(f"{pairs:>6} {validate * 1000:>8.0f}ms {full * 1000:>11.0f}ms {unchanged * 1000:>8.0f}ms")
            if args.terraform and pairs == 1000 and tfcli.terraform_binary():
                env = tfcli.terraform_env(Path(tmp) / "cli")
                tfcli.run(["init", "-backend=false", "-input=false"], cwd=out, env=env)
                seconds = timed(lambda out=out, env=env: tfcli.run(["validate"], cwd=out, env=env), 1)
                print(f"{'':>6} terraform validate of the 1000-pair tree: {seconds:.1f}s (Terraform's own time)")

    seed = ROOT / "queues.toml"
    if (ROOT / "lambdas" / "router").is_dir():
        command = [sys.executable, "-m", "generator", "generate", str(seed)]
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)  # warm: zips built, files current
        for path, extra in (("the no-change fast path", []), ("--full: every stage", ["--full"])):
            wall = timed(lambda extra=extra: subprocess.run([*command, *extra], cwd=ROOT, check=True,
                                                            capture_output=True), args.repeat)
            print(f"seed no-change `python -m generator generate` (new process, what `make generate` runs), "
                  f"{path}: {wall * 1000:.0f}ms")
    else:
        print("seed no-change generate: skipped (lambdas/ not present)")


if __name__ == "__main__":
    main()
