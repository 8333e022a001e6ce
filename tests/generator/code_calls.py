"""The AWS calls a function's code makes, read from its source with `ast` (never imported): every module the
handler reaches (its own folder and lambdas/common/), each call on a client from `aws.client("<service>", …)`,
and the calls of the libraries it hands a client to (Powertools idempotency's persistence layer).

Used by test_least_privilege.py to derive each role's grants from the code, independently of the generator's
least-privilege table, and compare the two.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

# A library that makes calls with a client the function gives it: the name the function uses → (service, the
# module whose `self.client.<operation>(…)` calls are the library's).
LIBRARY_CALLERS = {
    "DynamoDBPersistenceLayer": ("dynamodb", "aws_lambda_powertools.utilities.idempotency.persistence.dynamodb"),
}
# The item actions of a DynamoDB transaction, by the key of a TransactItems entry.
TRANSACTION_ITEMS = {"ConditionCheck": "ConditionCheckItem", "Delete": "DeleteItem", "Put": "PutItem",
                     "Update": "UpdateItem"}


@dataclass
class CodeCalls:
    calls: set[tuple[str, str]] = field(default_factory=set)  # (service, operation in snake_case)
    transaction_items: set[str] = field(default_factory=set)  # DynamoDB item actions inside transactions
    modules: list[Path] = field(default_factory=list)  # what was read


def module_closure(handler: Path, common: Path) -> list[Path]:
    """The handler and every module of its folder or of common/ it imports, directly or not."""
    folder, seen, todo = handler.parent, [], [handler]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.append(path)
        for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            head, _, rest = name.partition(".")
            if head == "common":
                candidates = [common / f"{rest}.py"] if rest else [common / "__init__.py"]
            else:
                candidates = [folder / f"{name.replace('.', '/')}.py"]
            todo.extend(candidate for candidate in candidates if candidate.is_file())
    return sorted(seen)


def _imported(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]  # `from common import sqs`
    return names


def _client_service(node: ast.AST) -> str | None:
    """"sqs" for `aws.client("sqs", …)` (or `client("sqs", …)`), else None."""
    if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
        return None
    func = node.func
    named = (isinstance(func, ast.Attribute) and func.attr == "client" and isinstance(func.value, ast.Name)
             and func.value.id == "aws") or (isinstance(func, ast.Name) and func.id == "client")
    return str(node.args[0].value) if named else None


def calls_in(tree: ast.AST) -> set[tuple[str, str]]:
    """(service, operation) of every `<client>.<operation>(…)`, the client made here by aws.client()."""
    found = set()
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]:
        clients = {}  # names assigned a client in this scope
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and (service := _client_service(node.value)):
                clients.update({target.id: service for target in node.targets if isinstance(target, ast.Name)})
        for node in ast.walk(scope):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                receiver = node.func.value
                service = _client_service(receiver) or (
                    clients.get(receiver.id) if isinstance(receiver, ast.Name) else None)
                if service:
                    found.add((service, node.func.attr))
    return found


def library_calls(module: str) -> set[str]:
    """The operations of `self.client.<operation>(…)` calls in an installed library module."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, module
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    return {node.func.attr for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "client"}


def code_calls(handler: Path, common: Path) -> CodeCalls:
    result = CodeCalls(modules=module_closure(handler, common))
    for path in result.modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = calls_in(tree)
        result.calls |= calls
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        for name, (service, module) in LIBRARY_CALLERS.items():
            if name in used:
                result.calls |= {(service, operation) for operation in library_calls(module)}
        if ("dynamodb", "transact_write_items") in calls:
            result.transaction_items |= {TRANSACTION_ITEMS[key.value] for node in ast.walk(tree)
                                         if isinstance(node, ast.Dict) for key in node.keys
                                         if isinstance(key, ast.Constant) and key.value in TRANSACTION_ITEMS}
    return result
