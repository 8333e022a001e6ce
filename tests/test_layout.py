"""The folders are the table of contents: module-level imports form no cycle, the operations commands never load
the emulator (they serve --aws and --local alike), and only the emulator process and the Lambda service's filter
matcher load moto."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "generator"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def test_module_level_imports_form_no_cycle() -> None:
    known = modules()
    graph = {name: {m for m in _imports(path, top_level_only=True) if m in known and m != name}
             for name, path in known.items()}
    cycles = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(" → ".join([*trail[trail.index(target):], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_operations_commands_never_load_moto() -> None:
    loading = {name for name, path in modules().items()
               if name.startswith("generator.ops") and any(m.split(".")[0] == "moto"
                                                           for m in _imports(path, top_level_only=False))}
    assert loading == set()


def test_only_the_emulator_and_the_filter_matcher_load_moto() -> None:
    loading = {name for name, path in modules().items()
               if any(m.split(".")[0] == "moto" for m in _imports(path, top_level_only=False))}
    outside = {name for name in loading if not name.startswith("generator.local.emulator")}
    assert outside == {"generator.local.lambda_service.filters"}


def test_the_old_flat_local_modules_are_gone_everywhere() -> None:
    old = ("operations", "ops_handlers", "names", "queues_status", "compat", "message_moves")
    hits = []
    for path in ROOT.rglob("*"):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(ROOT).parts):
            continue
        if path.suffix not in (".py", ".md", ".toml", ".yml", ".j2", ".txt") and path.name != "Makefile":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits += [f"{path.relative_to(ROOT)}: generator.local.{name}" for name in old
                 if f"generator.local.{name}" in text and path != Path(__file__)]
    assert hits == []
