"""Both majors of hashicorp/aws: the version constraints admit 5.100.0 and every 6.x, and docs/guide/terraform.md
("Provider versions") lists every resource type and data source the templates emit, with every argument they set,
beside its status on 6.x. A template that starts emitting a new type or argument fails here until the table says
what 6.x does with it."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import ROOT

TEMPLATES = ROOT / "generator" / "templates"
GUIDE = ROOT / "docs" / "guide" / "terraform.md"
CONSTRAINT = ">= 5.100.0, < 7.0.0"

_OPEN = re.compile(r'^(resource|data) "([a-z0-9_]+)" "[^"]*"\s*\{(\})?$')
_BLOCK = re.compile(r'^(?:dynamic "([a-z_][a-z0-9_]*)"|([a-z_][a-z0-9_]*))\s*\{(\})?$')
_ARGUMENT = re.compile(r"^([a-z_][a-z0-9_]*)\s*=\s*(.*)$")
_NOT_ARGUMENTS = {"count", "for_each", "depends_on", "provider", "content"}  # meta-arguments, dynamic's body
_SKIPPED_BLOCKS = {"lifecycle", "precondition", "postcondition"}  # Terraform's, not the provider's


def _depth(text: str) -> int:
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    return sum(text.count(c) for c in "{[(") - sum(text.count(c) for c in "}])")


def emitted_arguments(text: str) -> dict[tuple[str, str], set[str]]:
    """(resource|data, type) → every argument and nested block name a template sets, at any depth; what sits inside
    an expression (a map, jsonencode's object) is not an argument. Jinja statements are skipped."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    stack: list[tuple[str, int]] = []  # ("block" | "skip" | "expression", open brackets)
    key = ("", "")
    for line in (raw.strip() for raw in text.splitlines()):
        if not line or line.startswith(("#", "{%", "{#")):
            continue
        if not stack:
            if (opened := _OPEN.match(line)) is not None:
                key = (opened.group(1), opened.group(2))
                found[key] = set()
                if opened.group(3) is None:
                    stack.append(("block", 0))
            continue
        kind, depth = stack[-1]
        if kind == "expression":
            stack.pop()
            if depth + _depth(line) > 0:
                stack.append(("expression", depth + _depth(line)))
        elif line == "}":
            stack.pop()
        elif (block := _BLOCK.match(line)) is not None:
            name = block.group(1) or block.group(2)
            skipped = kind == "skip" or name in _SKIPPED_BLOCKS
            if not skipped and name not in _NOT_ARGUMENTS:
                found[key].add(name)
            if block.group(3) is None:
                stack.append(("skip" if skipped else "block", 0))
        elif (argument := _ARGUMENT.match(line)) is not None:
            if kind == "block" and argument.group(1) not in _NOT_ARGUMENTS:
                found[key].add(argument.group(1))
            if _depth(argument.group(2)) > 0:
                stack.append(("expression", _depth(argument.group(2))))
        elif _depth(line) > 0:
            stack.append(("expression", _depth(line)))
    return found


def _template_arguments() -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for template in sorted([*TEMPLATES.glob("*.tf.j2"), *TEMPLATES.glob("_*.j2")]):
        for key, arguments in emitted_arguments(template.read_text(encoding="utf-8")).items():
            found[key] |= arguments
    return found


def _table_rows() -> dict[tuple[str, str], str]:
    """The provider table's rows: (resource|data, type) → the "what the templates set" cell."""
    section = GUIDE.read_text(encoding="utf-8").split("## Provider versions\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 3 and (named := re.fullmatch(r"`(aws_[a-z0-9_]+)`( \(data\))?", cells[0])):
            rows[("data" if named.group(2) else "resource", named.group(1))] = cells[1]
    return rows


def test_the_parser_reads_arguments_not_expression_keys() -> None:
    text = '''resource "aws_x" "a" {
  name = "n"
  dimensions = {
    QueueName = aws_sqs_queue.q.name
  }
  body = jsonencode({
    widgets = []
  })
  scaling_config {
    maximum_concurrency = 2
  }
  filter {}
  dynamic "statement" {
    for_each = []
    content {
      sid = "S"
    }
  }
  lifecycle {
    precondition {
      condition     = true
      error_message = "m"
    }
  }
}
data "aws_y" "b" {}
'''
    assert emitted_arguments(text) == {
        ("resource", "aws_x"): {"name", "dimensions", "body", "scaling_config", "maximum_concurrency", "filter",
                                "statement", "sid"},
        ("data", "aws_y"): set(),
    }


def test_every_emitted_type_and_argument_is_in_the_provider_table() -> None:
    emitted, rows = _template_arguments(), _table_rows()
    assert len(emitted) >= 33
    assert sorted(set(emitted) - set(rows)) == [], "emitted but not in docs/guide/terraform.md's provider table"
    assert sorted(set(rows) - set(emitted)) == [], "in the provider table but no longer emitted"
    missing = {f"{kind} {type_}": sorted(name for name in arguments if f"`{name}`" not in rows[(kind, type_)])
               for (kind, type_), arguments in emitted.items()}
    assert {key: names for key, names in missing.items() if names} == {}


def _admits(constraint: str, version: str) -> bool:
    def parsed(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    checks = {">=": lambda a, b: a >= b, "<": lambda a, b: a < b}
    return all(checks[operator](parsed(version), parsed(bound))
               for operator, bound in (part.strip().split(" ") for part in constraint.split(",")))


@pytest.mark.parametrize("path", [TEMPLATES / "versions.tf.j2", ROOT / "generator" / "scaffold" / "versions.tf",
                                  ROOT / "terraform" / "versions.tf", ROOT / "terraform" / "modules" / "pipeline" /
                                  "versions.tf"], ids=lambda path: str(path.relative_to(ROOT)))
def test_the_constraint_admits_both_majors(path: Path) -> None:
    (constraint,) = re.findall(r'^\s*version\s*=\s*"([^"]+)"', path.read_text(encoding="utf-8"), re.M)
    assert constraint == CONSTRAINT
    assert [_admits(constraint, v) for v in ("5.99.1", "5.100.0", "6.0.0", "6.32.0", "7.0.0")] == [
        False, True, True, True, False]
