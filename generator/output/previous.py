"""Reads generated HCL back: the resources a rendering declares and the `moved` blocks of moved.tf.

Only the generator's own output is read (files whose header it wrote, in `terraform fmt` layout: a block opens
on a line of its own at column 0 and closes with `}` alone at column 0), so regular expressions do; a full
HCL parser (python-hcl2, on lark) would cost a dependency and seconds on large trees for no gain here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

# The opening line of a top-level block (the text is scanned with a newline in front, so every line has one);
# its body runs to the first `}` alone at column 0. Patterns that start with a literal newline are fast to scan.
_BLOCK_OPEN = re.compile(r'\n(resource|data|moved)\b[ \t]*(?:"([^"\n]+)"[ \t]*"([^"\n]+)"[ \t]*)?\{[ \t]*(?=\n)')
_ATTRIBUTE = re.compile(r"\n  ([A-Za-z_][A-Za-z0-9_-]*)[ \t]*=[ \t]*([^\n]*)")
_COMMENT_LINE = re.compile(r"\n[ \t]*#[^\n]*")
# A reference to a managed resource: TYPE.LABEL not preceded by a dot (so `data.TYPE.LABEL` is not one).
_REFERENCE = re.compile(r"(?<![\w.])([a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*)")
# An AWS name as the templates print it: a literal, optionally behind the per-environment prefix.
_NAME = re.compile(r'^"(?:\$\{local\.name_prefix\})?(.*)"$')


@dataclass(frozen=True)
class Resource:
    type: str
    label: str
    attributes: dict[str, str]  # top-level argument → its HCL expression (first line only)
    file: str  # where it is declared, for messages
    line: int
    body: str = field(repr=False, compare=False, default="")
    module: str = ""  # "module.NAME." when it is declared in a child module (its address from the root)

    def mentions(self) -> set[str]:
        """Every TYPE.LABEL its code mentions (comments aside), as addresses from the root (references stay
        inside a module); which of them are resources is up to the caller. Computed on demand: only resources
        without a name of their own need it."""
        found = {self.module + reference for reference in _REFERENCE.findall(_COMMENT_LINE.sub("\n", self.body))}
        return found - {self.address}

    @property
    def address(self) -> str:
        return f"{self.module}{self.type}.{self.label}"


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


def _blocks(text: str, kind: str) -> Iterator[tuple[re.Match[str], str, int]]:
    """Every top-level block of that kind: its opening line, its body (with a leading newline), and the 1-based
    line it opens on."""
    text = "\n" + text
    position, line, counted_to = 0, 0, 0
    while (opened := _BLOCK_OPEN.search(text, position)) is not None:
        end = text.find("\n}", opened.end())
        end = len(text) if end < 0 else end
        line += text.count("\n", counted_to, opened.start() + 1)
        counted_to = opened.start() + 1
        if opened.group(1) == kind:
            yield opened, text[opened.end():end], line
        position = end


def _arguments(body: str) -> dict[str, str]:
    """Top-level arguments (two-space indent) → their expression's first line; the first one written wins."""
    return {name: value.rstrip() for name, value in reversed(_ATTRIBUTE.findall(body))}


def resources(files: Mapping[str, str], module: str = "") -> dict[str, Resource]:
    """Address → resource over all the files (file name → text) of one module; `module` is "module.NAME." for a
    child module's files, whose addresses from the root carry it."""
    found: dict[str, Resource] = {}
    for file, text in files.items():
        for opened, body, line in _blocks(text, "resource"):
            resource = Resource(opened.group(2), opened.group(3), _arguments(body), file, line, body, module)
            found.setdefault(resource.address, resource)
    return found


def moved_blocks(text: str) -> list[Move]:
    moves = []
    for _opened, body, _line in _blocks(text, "moved"):
        arguments = _arguments(body)
        if "from" in arguments and "to" in arguments:
            moves.append(Move(arguments["from"], arguments["to"]))
    return moves
