"""What every command of `python -m generator` is made of, and the errors a command raises instead of printing.

Each family of commands (generator/commands.py: check, generate, …; generator/ops/commands.py: status, send,
…; generator/local/commands.py: up, down, job) lists its `Command`s in a `COMMANDS` tuple; generator/cli.py
builds the one parser from them and is the only place that turns an outcome or an error into an exit code.
Importing a family must stay cheap (no boto3, no moto, no pydantic): handlers import what they use.
"""

from __future__ import annotations

import argparse
import enum
from collections.abc import Callable
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    OK = 0
    PROBLEMS = 1  # problems in the spec, drift, a failed operation, a DLQ holding messages
    USAGE = 2  # the command line is wrong: unknown name, bad option, refused confirmation
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as a shell reports it)


class CommandError(Exception):
    """Something a command cannot do, said in one message: printed as `error: …`, exit 1."""

    exit_code = ExitCode.PROBLEMS


class UsageError(CommandError):
    """The command line names something that does not exist or asks for something refused: exit 2."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    # Problems in the spec end with a count and "nothing was written" (the generator's commands, which either
    # write everything or nothing); the others print the problems alone.
    footer: bool = False


def spec_argument(parser: argparse.ArgumentParser) -> None:
    """The optional positional SPEC most commands take (default: queues.toml in the current folder)."""
    from pathlib import Path

    parser.add_argument("spec", nargs="?", default="queues.toml", type=Path, metavar="SPEC")


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
