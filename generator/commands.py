"""The generator's commands: check, generate, zip-list, cost, diff (parsers and handlers; exit codes: cli.py)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from generator.command import Command, count, spec_argument

if TYPE_CHECKING:
    from generator.problems import Problem


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)


# ── check ──────────────────────────────────────────────────────────────────────────────────────────────────


def check(args: argparse.Namespace) -> int:
    from generator import pipeline

    loaded = pipeline.check(args.spec)
    _print_problems(loaded.warnings)
    spec = loaded.spec
    counts = [count(len(spec.queues), "queue"), count(len(spec.functions), "function")]
    if loaded.warnings:
        counts.append(count(len(loaded.warnings), "warning"))
    print(f"{args.spec}: ok ({', '.join(counts)})")
    return 0


# ── zip-list ───────────────────────────────────────────────────────────────────────────────────────────────


def _zip_list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("function", metavar="FUNCTION", help="the function's key in SPEC")
    spec_argument(parser)


def zip_list(args: argparse.Namespace) -> int:
    from generator import pipeline
    from generator.package.inputs import function_sources
    from generator.package.listing import zip_listing

    loaded = pipeline.check(args.spec)
    sources = function_sources(loaded.spec, args.spec.parent)
    listing = zip_listing(sources, args.function, pipeline.build_dir_of(args.spec))
    print("\n".join(listing.lines()))
    return 0


# ── generate ───────────────────────────────────────────────────────────────────────────────────────────────


def _generate_arguments(parser: argparse.ArgumentParser) -> None:
    spec_argument(parser)
    parser.add_argument("--out", default=None, type=Path, metavar="DIR",
                        help="directory of the Terraform files (default: terraform/ beside SPEC)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the committed files differ from what SPEC produces")
    parser.add_argument("--allow-destroy", action="append", default=[], type=_names, metavar="QUEUE,…",
                        help="let this run destroy or replace the queues named (AWS names, comma-separated; "
                             "their messages are lost). Without it such a run is refused")
    parser.add_argument("--discard-edits", action="store_true",
                        help="replace or delete generated files that were edited by hand (the edits are lost)")
    parser.add_argument("--full", action="store_true",
                        help="run every stage even when nothing changed since the last generate")


def _names(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"{value!r}: expected queue names separated by commas, e.g. email-dlq")
    return names


def generate(args: argparse.Namespace) -> int:
    from generator import fastpath, pipeline
    from generator.package.limits import megabytes

    out = args.out if args.out is not None else args.spec.parent / "terraform"
    started_ns = time.time_ns()
    if not args.check:
        fastpath.forget(args.spec)  # a run that fails or is interrupted leaves no stamp behind
    result = pipeline.generate(args.spec, out, check_only=args.check, discard_edits=args.discard_edits,
                               allow_destroy={name for names in args.allow_destroy for name in names})
    if not args.check:
        fastpath.record(args.spec, out, result, started_ns=started_ns)  # lets the next no-change run skip it all
    _print_problems(result.warnings)
    for package in result.packages:
        route = "  (over 50 MB: deployed through S3)" if package.deployed_through_s3 else ""
        print(f"  {package.status:<9} {package.zip_path}  {megabytes(package.zip_size)}{route}")
    if args.check:
        for status, path in result.drift:
            print(f"  would be {status:<9} {path}", file=sys.stderr)
        folders = f"{out} and {result.docs_dir}"
        if result.drift:
            print(f"{folders} are out of date with {args.spec}: run `make generate` and commit the result",
                  file=sys.stderr)
            return 1
        print(f"{folders} are up to date with {args.spec}")
        return 0
    for status, path in result.files:
        note = "hand-written" if status == "kept" else result.notes.get(path)
        print(f"  {status:<9} {path}" + (f"  ({note})" if note else ""))
    for move in result.moves:
        print(f"  moved     {move.source} → {move.target}")
    if result.moves:
        moved_files = " and ".join(str(path) for status, path in result.files
                                   if path.name == "moved.tf" and status != "removed")
        print(f"{count(len(result.moves), 'resource')} only changed Terraform address: `terraform apply` moves "
              f"them instead of destroying them (see {moved_files})")
    return 0


# ── cost, diff ─────────────────────────────────────────────────────────────────────────────────────────────


def cost(args: argparse.Namespace) -> int:
    """What the topology costs a month, from the volumes `expected` in SPEC (Markdown)."""
    from generator import pipeline
    from generator.cost.estimate import estimate
    from generator.cost.report import markdown
    from generator.plan.without_code import plan_without_code
    from generator.spec.load import load_spec

    name = pipeline.display_name(args.spec)
    loaded = load_spec(args.spec, name)
    _print_problems(loaded.warnings)
    print("\n".join(markdown(estimate(loaded.spec, plan_without_code(loaded.spec, args.spec.name)), name,
                              heading="#")))
    return 0


def _diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", metavar="BASE_REF", help="the git ref to compare with, e.g. origin/main")
    spec_argument(parser)


def diff(args: argparse.Namespace) -> int:
    """What a change does to the topology, between a git ref and the working tree (Markdown)."""
    from generator import pipeline
    from generator.review.diff import diff as topology_diff

    print(topology_diff(args.base, args.spec, pipeline.display_name(args.spec)))
    return 0


COMMANDS = (
    Command("check", "validate queues.toml (and the function sources it names)", spec_argument, check,
            footer=True),
    Command("zip-list", "list what a function's zip holds and what was left out", _zip_list_arguments, zip_list,
            footer=True),
    Command("generate", "render terraform/ (and package the Lambda zips)", _generate_arguments, generate,
            footer=True),
    Command("cost", "estimate the monthly cost from the volumes `expected` in SPEC", spec_argument, cost,
            footer=True),
    Command("diff", "the topology change between a git ref and the working tree, as Markdown for a pull-request "
                    "comment", _diff_arguments, diff, footer=True),
)
