"""A function that sends to a FIFO queue must set MessageGroupId, or SQS refuses every send: `check` warns when
the code cannot be shown to.

A small static scan (ast, never imported), so a warning, not an error: the code counts as setting it when the
function's folder or `common/` passes `MessageGroupId` to a call (a keyword, or a key of a dict literal such as
a send_message_batch entry), or when the function sends through `common.sqs` and common/sqs.py mentions
`MessageGroupId` (the shared helper sets it for FIFO queues).
"""

from __future__ import annotations

import ast

from generator.naming import queue_name
from generator.package.imports import parse_python
from generator.package.inputs import FunctionSource, source_tree
from generator.problems import Problem, warning
from generator.spec.model import Spec

_GROUP_ID = "MessageGroupId"
_SHARED_SENDER = "common/sqs.py"


def fifo_producer_warnings(spec: Spec, sources: list[FunctionSource]) -> list[Problem]:
    problems = []
    for fn in sources:
        function = spec.functions[fn.key]
        fifo = [queue_name(key, spec.queues[key]) for key in dict.fromkeys(function.sends_to)
                if key in spec.queues and spec.queues[key].fifo_queue]
        if not fifo or not fn.source_dir.is_dir():
            continue
        trees = [(item.file.archive_name, item.tree) for item in parse_python(source_tree(fn).files)
                 if item.tree is not None]
        if _sets_group_id(trees):
            continue
        queues = ", ".join(fifo)
        problems.append(warning(
            ("functions", fn.key, "sends_to"),
            f"sends to the FIFO queue{'s' if len(fifo) > 1 else ''} {queues}, but neither {fn.shown}/ nor "
            f"{fn.common_root.shown} passes {_GROUP_ID} to SQS",
            f"SQS refuses FIFO sends without it: pass {_GROUP_ID}= (and MessageDeduplicationId= unless "
            "content_based_deduplication is on) in each send to that queue"))
    return problems


def _sets_group_id(trees: list[tuple[str, ast.Module]]) -> bool:
    """trees: (archive name, parsed module) of each file that parses."""
    if any(_passes_group_id(tree) for _, tree in trees):
        return True
    own = [tree for name, tree in trees if not name.startswith("common/")]
    shared = [tree for name, tree in trees if name == _SHARED_SENDER]
    return any(_uses_shared_sender(tree) for tree in own) and any(_mentions(tree) for tree in shared)


def _passes_group_id(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if any(keyword.arg == _GROUP_ID for keyword in node.keywords):
                return True
            for value in [*node.args, *(keyword.value for keyword in node.keywords)]:
                for inner in ast.walk(value):
                    if isinstance(inner, ast.Dict) and any(_is_group_id(key) for key in inner.keys):
                        return True
    return False


def _mentions(tree: ast.Module) -> bool:
    return any(_is_group_id(node) or (isinstance(node, ast.keyword) and node.arg == _GROUP_ID)
               for node in ast.walk(tree))


def _is_group_id(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value == _GROUP_ID


def _uses_shared_sender(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (
                node.module == "common.sqs" or (node.module == "common" and any(a.name == "sqs" for a in node.names))):
            return True
        if isinstance(node, ast.Import) and any(alias.name == "common.sqs" for alias in node.names):
            return True
    return False
