"""What `check` verifies about the function sources before anything is built: folders and handlers, the
source walk (links, special files, names), requirements.txt, imports, and FIFO producers.

The import check wants to know what each pinned wheel installs. First each pin is taken to provide its own name
(`aws-lambda-powertools` → `aws_lambda_powertools`); only when an import is still unexplained are the wheels
read (downloaded when not cached yet, as `generate` would) for their exact top-level names. `generate` repeats
the check with the exact names of every wheel, after checking each against its RECORD.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from generator.package.build import broken_wheel_problem, wheels_for
from generator.package.fifo_producers import fifo_producer_warnings
from generator.package.imports import import_problems, missing_imports, parse_python, top_level_modules
from generator.package.inputs import FunctionSource, handler_problems, missing_folder_problem, source_tree
from generator.package.pins import Pin, parse_pins
from generator.package.target import Target
from generator.package.tree import SourceFile
from generator.package.wheels import WheelCache, installed_files
from generator.problems import Problem, has_errors
from generator.spec.model import Spec


def function_problems(spec: Spec, sources: list[FunctionSource], wheel_dir: Path) -> list[Problem]:
    problems = []
    cache = WheelCache(wheel_dir)
    for fn in sources:
        if (missing := missing_folder_problem(fn)) is not None:
            problems.append(missing)
            continue
        tree = source_tree(fn)
        problems += tree.problems + handler_problems(fn, tree)
        target = Target(fn.runtime, fn.architecture)
        pins, pin_problems = parse_pins(fn, target)
        problems += pin_problems
        if not pin_problems and not has_errors(tree.problems):
            problems += _import_check(fn, tree.files, pins, target, cache)
    return problems + fifo_producer_warnings(spec, sources)


def _import_check(fn: FunctionSource, files: list[SourceFile], pins: list[Pin], target: Target,
                  cache: WheelCache) -> list[Problem]:
    parsed = parse_python(files)
    own = top_level_modules(file.archive_name for file in files)
    # Cheap first: each pin provides its own name. Only an import that this leaves unexplained costs reading
    # the wheels (downloading those not cached yet), which gives their exact top-level names.
    guessed = {pin.name.replace("-", "_") for pin in pins}
    if not pins or not missing_imports(fn, parsed, own, guessed):
        return import_problems(fn, parsed, own, guessed)
    # Names only, nothing copied: the full check of each wheel (wheel_integrity.py) is the build's.
    wheels, wheel_problems = wheels_for(fn, pins, target, cache, verify=False)
    if wheel_problems:
        return wheel_problems
    exact = set()
    for wheel in wheels.values():
        try:
            exact |= top_level_modules(file.archive_name for file in installed_files(wheel))
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError) as exc:
            return [broken_wheel_problem(fn, wheel, f"is not a valid wheel ({exc})")]
    return import_problems(fn, parsed, own, exact)
