"""Every module a function's code imports is in its zip or in the Lambda runtime, or `check` says which is not.

Read with `ast`, never imported. An absolute import's top-level name must be one of: the target runtime's
standard library (generator/package/runtime.py), the runtime's AWS SDK, a module or package of the function's
own folder or `common`, or a top-level name a pinned wheel installs. Relative imports are local; imports
guarded by `try: … except ImportError` are optional and imports under `if TYPE_CHECKING:` never run, so both
are skipped. Dynamic imports (`importlib.import_module`) cannot be seen and are not checked.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from packaging.utils import canonicalize_name

from generator.package.inputs import FunctionSource
from generator.package.runtime import RUNTIME_MODULES, stdlib_modules
from generator.package.tree import SourceFile
from generator.problems import Problem, error, warning

_OPTIONAL_GUARDS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_IMPORTABLE_SUFFIXES = (".py", ".so", ".pyd")


@dataclass(frozen=True)
class Import:
    module: str  # top-level name
    line: int


@dataclass(frozen=True)
class ParsedFile:
    file: SourceFile
    tree: ast.Module | None
    problem: str = ""  # why it could not be parsed
    imports: tuple[Import, ...] = ()


def parse_python(files: Iterable[SourceFile]) -> list[ParsedFile]:
    """The .py files among the sources, parsed (never executed)."""
    parsed = []
    for file in files:
        if file.archive_name.endswith(".py"):
            parsed.append(_parse(file))
    return parsed


def _parse(file: SourceFile) -> ParsedFile:
    try:
        tree, problem, imports = _parsed(file.path.read_bytes(), file.shown)
    except OSError as exc:
        return ParsedFile(file, None, exc.strerror or str(exc))
    return ParsedFile(file, tree, problem, imports)


@lru_cache(maxsize=512)
def _parsed(content: bytes, shown: str) -> tuple[ast.Module | None, str, tuple[Import, ...]]:
    """Keyed by content: common/ is the same for every function, so it is parsed once per run."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # e.g. invalid escapes: the runtime's business
            tree = ast.parse(content, filename=shown)
    except SyntaxError as exc:
        return None, f"line {exc.lineno}: {exc.msg}", ()
    except ValueError as exc:  # e.g. NUL bytes
        return None, str(exc), ()
    return tree, "", tuple(imports_of(tree))


def top_level_modules(archive_names: Iterable[str]) -> set[str]:
    """The names `import x` can find at the zip root, from the paths of the files there."""
    modules = set()
    for name in archive_names:
        first, slash, _rest = name.partition("/")
        if slash:
            if first.isidentifier():
                modules.add(first)  # a package, or a namespace package
        elif first.endswith(_IMPORTABLE_SUFFIXES):
            stem = first.split(".", 1)[0]
            if stem.isidentifier():
                modules.add(stem)
    return modules


def imports_of(tree: ast.Module) -> list[Import]:
    """Absolute imports that run when the module (or the function holding them) runs."""
    found: list[Import] = []

    def visit(node: ast.AST, optional: bool) -> None:
        if isinstance(node, ast.Import):
            if not optional:
                found.extend(Import(alias.name.split(".")[0], node.lineno) for alias in node.names)
            return
        if isinstance(node, ast.ImportFrom):
            if not optional and node.level == 0 and node.module:
                found.append(Import(node.module.split(".")[0], node.lineno))
            return
        if isinstance(node, ast.Try | ast.TryStar):
            guarded = optional or any(_catches_import_error(handler) for handler in node.handlers)
            for child in node.body:
                visit(child, guarded)
            for branch in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(branch, optional)
            return
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child, optional)
            return
        # Imports are statements: only statement lists need walking, never expressions.
        for _field, value in ast.iter_fields(node):
            if isinstance(value, list):
                for child in value:
                    if isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
                        visit(child, optional)

    visit(tree, False)
    return found


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(_name(node) in _OPTIONAL_GUARDS for node in caught)


def _is_type_checking(test: ast.expr) -> bool:
    return _name(test) == "TYPE_CHECKING"


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def missing_imports(fn: FunctionSource, parsed: list[ParsedFile], zip_modules: set[str],
                    pinned_modules: set[str]) -> dict[str, list[str]]:
    """Each imported module nothing provides → the `file:line` places that import it, in file order."""
    provided = stdlib_modules(fn.python_version) | RUNTIME_MODULES | zip_modules | pinned_modules
    missing: dict[str, list[str]] = {}
    # The function's own files first: the line a user is most likely to change.
    for item in sorted(parsed, key=lambda p: (p.file.archive_name.startswith("common/"), p.file.archive_name)):
        for found in item.imports:
            if found.module not in provided:
                missing.setdefault(found.module, []).append(f"{item.file.shown}:{found.line}")
    return missing


def import_problems(fn: FunctionSource, parsed: list[ParsedFile], zip_modules: set[str],
                    pinned_modules: set[str]) -> list[Problem]:
    """One problem per module the function's code imports and nothing provides (naming the first file and
    line that imports it), plus one per file that cannot be parsed."""
    problems = unparsable_problems(fn, parsed)
    requirements = f"{fn.shown}/requirements.txt"
    for module, places in sorted(missing_imports(fn, parsed, zip_modules, pinned_modules).items()):
        more = f" (and {len(places) - 1} more)" if len(places) > 1 else ""
        problems.append(error(("functions", fn.key),
                              f"{places[0]}{more} imports {module}, which is neither in the {fn.runtime} "
                              f"standard library nor in the Lambda runtime, nor in {fn.shown}/ or a wheel its "
                              f"requirements.txt pins{_removed_note(module, fn.python_version)}",
                              _hint(module, requirements)))
    return problems


def unparsable_problems(fn: FunctionSource, parsed: list[ParsedFile]) -> list[Problem]:
    return [_unparsable(fn, item) for item in parsed if item.tree is None]


def _unparsable(fn: FunctionSource, item: ParsedFile) -> Problem:
    """A syntax error is the function's bug when this Python knows the target's grammar; when the target is
    newer, the file may use syntax this Python cannot read, so it only goes unchecked."""
    target = tuple(int(part) for part in fn.python_version.split("."))
    message = f"{item.file.shown} cannot be parsed ({item.problem})"
    if sys.version_info[:2] >= target:
        return error(("functions", fn.key), message, f"fix it: {fn.runtime} would fail to import it")
    return warning(("functions", fn.key), f"{message} by Python {sys.version_info[0]}.{sys.version_info[1]}, "
                   f"so its imports are not checked", f"run the generator on Python {fn.python_version} or newer")


def _removed_note(module: str, python_version: str) -> str:
    """Say so when the module is in the standard library of an older Python than the target."""
    major, minor = (int(part) for part in python_version.split("."))
    for older in range(minor - 1, 10, -1):
        if module in stdlib_modules(f"{major}.{older}"):
            return f" (it left the standard library after Python {major}.{older})"
    return ""


def _hint(module: str, requirements: str) -> str:
    installed = _installed_distribution(module)
    if installed:
        return (f"add `{installed}` (the version installed here) to {requirements}, and the dependencies "
                "`check` then asks for")
    return f"pin the distribution that provides {module} in {requirements} (`name==version`), or drop the import"


@cache
def _installed_distribution(module: str) -> str | None:
    """`name==version` of the distribution that provides the module in the generator's own environment."""
    distributions = importlib.metadata.packages_distributions().get(module, [])
    if not distributions:
        return None
    name = distributions[0]
    try:
        return f"{canonicalize_name(name)}=={importlib.metadata.version(name)}"
    except importlib.metadata.PackageNotFoundError:
        return None
