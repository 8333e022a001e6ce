"""Every `python -m generator …` command the generated runbooks print is one the CLI accepts, and every queue or
function it names resolves in that runbook's topology the way the command resolves it (generator/ops/topology.py).

The runbook (generator/docs/) and the operations commands (generator/ops/commands.py) are written apart; this
is where a renamed flag or a name the commands would refuse shows up, before a reader copies it in an incident.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from generator import cli
from generator.command import UsageError
from generator.ops.topology import topology
from tests.conftest import ROOT

RUNBOOKS = {
    "seed": (ROOT / "tests/topologies/seed/queues.toml", ROOT / "tests/golden/seed/docs/runbook.md"),
    "marketplace": (ROOT / "tests/topologies/marketplace/queues.toml",
                    ROOT / "tests/golden/marketplace/docs/runbook.md"),
    "tenants": (ROOT / "tests/topologies/tenants/queues.toml", ROOT / "tests/golden/tenants/docs/runbook.md"),
    "live": (ROOT / "queues.toml", ROOT / "docs/runbook.md"),
}
_INLINE = re.compile(r"`(python -m generator [^`]+)`")
_PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*$")  # QUEUE, BODY: the reader fills them in


def commands_in(text: str) -> list[str]:
    found = [m.group(1) for m in _INLINE.finditer(text)]
    found += [line.strip() for line in text.splitlines() if line.strip().startswith("python -m generator ")]
    return sorted(set(found))


def resolve(argv: list[str], spec: Path) -> None:
    """Parse ARGV as the CLI does and resolve its names as the command would; raise on what it would refuse."""
    args = cli.parser(cli.command_table()).parse_args(argv)
    if not hasattr(args, "target"):
        return
    args = cli.parser(cli.command_table()).parse_args([*argv, "--spec", str(spec)])
    where = topology(spec, getattr(args, "environment", ""))
    if args.command == "send" and not _PLACEHOLDER.match(args.queue):
        where.queue(args.queue, key_means="queue")
    elif args.command in ("peek", "redrive"):
        where.dlq(args.dlq)
        if getattr(args, "to", None):
            where.queue(args.to, key_means="queue")
    elif args.command in ("disable", "enable") and not _PLACEHOLDER.match(args.name):
        where.consumers(args.name, queue=args.queue)
    elif args.command == "purge":
        where.queue(args.queue, key_means="queue")


@pytest.mark.parametrize("case", sorted(RUNBOOKS))
def test_every_runbook_command_parses_and_names_what_exists(case: str) -> None:
    spec, runbook = RUNBOOKS[case]
    commands = commands_in(runbook.read_text(encoding="utf-8"))
    assert any(c.split()[3] == "redrive" for c in commands), "the runbook's commands were not found"
    refused = []
    for command in commands:
        argv = shlex.split(command)[3:]
        try:
            resolve(argv, spec)
        except (SystemExit, UsageError) as error:
            refused.append(f"{command}: {error}")
    assert not refused, "\n".join(refused)


@pytest.mark.parametrize("argv", [
    ["peek", "--aws", "no-such-queue-dlq"],
    ["redrive", "--aws", "video-processing-queue"],  # a source queue, not a DLQ
    ["disable", "--aws", "router"],  # no trigger
    ["send", "video-processing"],  # no target
    ["purge", "--aws", "--yes", "email"],  # no such flag
])
def test_the_check_refuses_commands_the_cli_would_refuse(argv: list[str], capsys) -> None:
    with pytest.raises((SystemExit, UsageError)):
        resolve(argv, RUNBOOKS["seed"][0])
