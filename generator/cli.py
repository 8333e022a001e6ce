"""The only place that reads argv, prints and picks exit codes: 0 ok, 1 problems or drift, 2 usage."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from generator import fastpath, pipeline
from generator.package.build import PackageResult
from generator.package.inputs import function_sources
from generator.package.limits import megabytes
from generator.package.listing import zip_listing
from generator.problems import GeneratorError, Problem

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Generate Terraform for SQS queues between Lambda functions from queues.toml.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate queues.toml (and the function sources it names)")
    check.add_argument("spec", nargs="?", default="queues.toml", type=Path, metavar="SPEC")

    listing = commands.add_parser("zip-list", help="list what a function's zip holds and what was left out")
    listing.add_argument("function", metavar="FUNCTION", help="the function's key in SPEC")
    listing.add_argument("spec", nargs="?", default="queues.toml", type=Path, metavar="SPEC")

    generate = commands.add_parser("generate", help="render terraform/ (and package the Lambda zips)")
    generate.add_argument("spec", nargs="?", default="queues.toml", type=Path, metavar="SPEC")
    generate.add_argument("--out", default=None, type=Path, metavar="DIR",
                          help="directory of the Terraform files (default: terraform/ beside SPEC)")
    generate.add_argument("--check", action="store_true",
                          help="write nothing; exit 1 if the committed files differ from what SPEC produces")
    generate.add_argument("--allow-destroy", action="append", default=[], type=_names, metavar="QUEUE,…",
                          help="let this run destroy or replace the queues named (AWS names, comma-separated; "
                               "their messages are lost). Without it such a run is refused")
    generate.add_argument("--discard-edits", action="store_true",
                          help="replace or delete generated files that were edited by hand (the edits are lost)")
    generate.add_argument("--full", action="store_true",
                          help="run every stage even when nothing changed since the last generate")

    cost = commands.add_parser("cost", help="estimate the monthly cost from the volumes `expected` in SPEC")
    cost.add_argument("spec", nargs="?", default="queues.toml", type=Path, metavar="SPEC")

    diff = commands.add_parser("diff", help="the topology change between a git ref and the working tree, as "
                                            "Markdown for a pull-request comment")
    diff.add_argument("base", metavar="BASE_REF", help="the git ref to compare with, e.g. origin/main")
    diff.add_argument("spec", nargs="?", default="queues.toml", type=Path, metavar="SPEC")
    from generator.local import commands as local_commands

    local_commands.add_parsers(commands)
    return parser


def _names(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"{value!r}: expected queue names separated by commas, e.g. email-dlq")
    return names


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)


def _print_packages(packages: list[PackageResult]) -> None:
    for package in packages:
        route = "  (over 50 MB: deployed through S3)" if package.deployed_through_s3 else ""
        print(f"  {package.status:<9} {package.zip_path}  {megabytes(package.zip_size)}{route}")


LOCAL_COMMANDS = ("up", "down", "job", "status", "send", "peek", "redrive", "disable", "enable", "purge")


def _run_local(args: argparse.Namespace) -> int:
    from generator.local import commands as local_commands
    from generator.local.state import LocalError

    try:
        return local_commands.run(args)
    except GeneratorError as exc:
        _print_problems(exc.problems)
        return EXIT_PROBLEMS
    except LocalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_PROBLEMS


def _review(args: argparse.Namespace) -> str:
    """`cost` and `diff`: what the topology costs, what a change does to it (Markdown)."""
    name = pipeline.display_name(args.spec)
    if args.command == "diff":
        from generator.review.diff import diff

        return diff(args.base, args.spec, name)
    from generator.cost.estimate import estimate
    from generator.cost.report import markdown
    from generator.plan.without_code import plan_without_code
    from generator.spec.load import load_spec

    loaded = load_spec(args.spec, name)
    _print_problems(loaded.warnings)
    return "\n".join(markdown(estimate(loaded.spec, plan_without_code(loaded.spec, args.spec.name)), name,
                               heading="#"))


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage error
        return EXIT_OK if exc.code == 0 else EXIT_USAGE

    if args.command in LOCAL_COMMANDS:
        return _run_local(args)
    try:
        if args.command == "check":
            loaded = pipeline.check(args.spec)
            _print_problems(loaded.warnings)
            spec = loaded.spec
            counts = [_count(len(spec.queues), "queue"), _count(len(spec.functions), "function")]
            if loaded.warnings:
                counts.append(_count(len(loaded.warnings), "warning"))
            print(f"{args.spec}: ok ({', '.join(counts)})")
            return EXIT_OK
        if args.command in ("cost", "diff"):
            print(_review(args))
            return EXIT_OK
        if args.command == "zip-list":
            loaded = pipeline.check(args.spec)
            sources = function_sources(loaded.spec, args.spec.parent)
            listing = zip_listing(sources, args.function, pipeline.build_dir_of(args.spec))
            print("\n".join(listing.lines()))
            return EXIT_OK

        out = args.out if args.out is not None else args.spec.parent / "terraform"
        started_ns = time.time_ns()
        if not args.check:
            fastpath.forget(args.spec)  # a run that fails or is interrupted leaves no stamp behind
        result = pipeline.generate(args.spec, out, check_only=args.check, discard_edits=args.discard_edits,
                                   allow_destroy={name for names in args.allow_destroy for name in names})
    except GeneratorError as exc:
        _print_problems(exc.problems)
        errors = sum(1 for p in exc.problems if p.level.value == "error")
        print(f"{_count(errors, 'error')}; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS

    if not args.check:
        fastpath.record(args.spec, out, result, started_ns=started_ns)  # lets the next no-change run skip it all
    _print_problems(result.warnings)
    _print_packages(result.packages)
    if args.check:
        for status, path in result.drift:
            print(f"  would be {status:<9} {path}", file=sys.stderr)
        folders = f"{out} and {result.docs_dir}"
        if result.drift:
            print(f"{folders} are out of date with {args.spec}: run `make generate` and commit the result",
                  file=sys.stderr)
            return EXIT_PROBLEMS
        print(f"{folders} are up to date with {args.spec}")
        return EXIT_OK
    for status, path in result.files:
        note = "hand-written" if status == "kept" else result.notes.get(path)
        print(f"  {status:<9} {path}" + (f"  ({note})" if note else ""))
    for move in result.moves:
        print(f"  moved     {move.source} → {move.target}")
    if result.moves:
        print(f"{_count(len(result.moves), 'resource')} only changed Terraform address: `terraform apply` moves "
              f"them instead of destroying them (see {out / 'moved.tf'})")
    return EXIT_OK
