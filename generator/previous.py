"""Reads generated HCL back: the resources a rendering declares and the `moved` blocks of moved.tf.

Only the generator's own output is read (files whose header it wrote, in `terraform fmt` layout: a block opens
on a line of its own at column 0 and closes with `}` alone at column 0), so a line scanner is enough; a full
HCL parser (python-hcl2, on lark) would cost a dependency and seconds on large trees for no gain here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

_BLOCK_OPEN = re.compile(r'^(resource|data|moved)\b\s*(?:"([^"]+)"\s*"([^"]+)"\s*)?\{\s*$')
_ATTRIBUTE = re.compile(r"^  ([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
# A reference to a managed resource: TYPE.LABEL not preceded by a dot (so `data.TYPE.LABEL` is not one).
_REFERENCE = re.compile(r"(?<![\w.])([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)")
# An AWS name as the templates print it: a literal, optionally behind the per-environment prefix.
_NAME = re.compile(r'^"(?:\$\{local\.name_prefix\})?(.*)"$')


@dataclass(frozen=True)
class Resource:
    type: str
    label: str
    attributes: dict[str, str]  # top-level argument → its HCL expression (first line only)
    references: frozenset[str]  # addresses of the other resources its body mentions
    file: str  # where it is declared, for messages
    line: int

    @property
    def address(self) -> str:
        return f"{self.type}.{self.label}"


@dataclass(frozen=True, order=True)
class Move:
    source: str  # the `from` address
    target: str  # the `to` address


def literal_name(expression: str | None) -> str | None:
    """`"email-queue"` and `"${local.name_prefix}email-queue"` → `email-queue`; anything else → None."""
    if expression is None:
        return None
    match = _NAME.match(expression)
    return match.group(1) if match else None


def _blocks(text: str) -> Iterable[tuple[re.Match[str], int, list[str]]]:
    """(opening line match, its 1-based line number, body lines) of every top-level block we read."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opened = _BLOCK_OPEN.match(lines[index])
        index += 1
        if opened is None:
            continue
        start, body = index, []
        while index < len(lines) and lines[index] != "}":
            body.append(lines[index])
            index += 1
        index += 1
        yield opened, start, body


def resources(files: Mapping[str, str]) -> dict[str, Resource]:
    """Address → resource over all the files (file name → text); references are resolved across them."""
    found: dict[str, Resource] = {}
    for file, text in files.items():
        for opened, line, body in _blocks(text):
            if opened.group(1) != "resource":
                continue
            attributes: dict[str, str] = {}
            for body_line in body:
                if attribute := _ATTRIBUTE.match(body_line):
                    attributes.setdefault(attribute.group(1), attribute.group(2))
            code = "\n".join(body_line for body_line in body if not body_line.lstrip().startswith("#"))
            mentioned = frozenset(f"{m.group(1)}.{m.group(2)}" for m in _REFERENCE.finditer(code))
            resource = Resource(opened.group(2), opened.group(3), attributes, mentioned, file, line)
            found.setdefault(resource.address, resource)
    return {address: replace(resource, references=(resource.references & found.keys()) - {address})
            for address, resource in found.items()}


def moved_blocks(text: str) -> list[Move]:
    moves = []
    for opened, _line, body in _blocks(text):
        if opened.group(1) != "moved":
            continue
        arguments = {m.group(1): m.group(2) for line in body if (m := _ATTRIBUTE.match(line))}
        if "from" in arguments and "to" in arguments:
            moves.append(Move(arguments["from"], arguments["to"]))
    return moves
