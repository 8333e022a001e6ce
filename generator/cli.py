"""The only place that reads argv and picks exit codes: one command table, one mapping of outcomes to codes.

    0   done (ExitCode.OK)
    1   problems: in the spec, drift, a failed operation, AWS refused, a DLQ holds messages (ExitCode.PROBLEMS)
    2   usage: a wrong command line, an unknown name, a refused confirmation (ExitCode.USAGE)
    130 interrupted (Ctrl-C) (ExitCode.INTERRUPTED)

The commands come from each family's COMMANDS (generator/commands.py, generator/ops/commands.py,
generator/local/commands.py); their handlers print their own results and raise instead of printing errors.
"""

from __future__ import annotations

import argparse
import sys

from generator import commands as generator_commands
from generator.command import Command, CommandError, ExitCode, count
from generator.local import commands as local_commands
from generator.ops import commands as ops_commands
from generator.problems import GeneratorError

FAMILIES: tuple[tuple[Command, ...], ...] = (
    generator_commands.COMMANDS, local_commands.COMMANDS, ops_commands.COMMANDS,
)


def command_table() -> dict[str, Command]:
    table: dict[str, Command] = {}
    for family in FAMILIES:
        for command in family:
            assert command.name not in table, f"two commands named {command.name}"
            table[command.name] = command
    return table


def parser(table: dict[str, Command]) -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m generator",
        description="Generate Terraform for SQS queues between Lambda functions from queues.toml, run it locally, "
                    "and operate it.",
    )
    subcommands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in table.values():
        command.add_arguments(subcommands.add_parser(command.name, help=command.help))
    return root


def main(argv: list[str] | None = None) -> int:
    table = command_table()
    try:
        args = parser(table).parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage error (or the help)
        return ExitCode.OK if exc.code == 0 else ExitCode.USAGE
    command = table[args.command]
    try:
        return int(command.run(args))
    except GeneratorError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        if command.footer:
            errors = sum(1 for p in exc.problems if p.level.value == "error")
            print(f"{count(errors, 'error')}; nothing was written", file=sys.stderr)
        return ExitCode.PROBLEMS
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # commands that hold messages put them back before this reaches here
        print("interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as exc:
        message = _aws_failure(exc, getattr(args, "target", None))
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return ExitCode.PROBLEMS


def _aws_failure(exc: Exception, target: str | None) -> str | None:
    """An AWS error (botocore's, so only when botocore was loaded) said in one message with a hint; else None."""
    if "botocore" not in sys.modules:
        return None
    from botocore.exceptions import BotoCoreError, ClientError

    from generator.ops.target import aws_error

    if isinstance(exc, ClientError):
        return aws_error(exc)
    if isinstance(exc, BotoCoreError):  # no credentials, no region, endpoint unreachable
        hint = ("start the stack with `make up`" if target == "local"
                else "configure AWS as the AWS CLI is configured (AWS_PROFILE, AWS_REGION)")
        return f"{exc}\n  hint: {hint}"
    return None
