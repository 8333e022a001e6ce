"""The stages end to end: load → rules → sources → package → plan → render → guard → write. No printing here.

Two transactions are written, each journaled, with the same guards: the Terraform directory — the root that calls
the generated module (terraform/*.tf: the module call, its outputs, moved.tf; beside the root's hand-written files)
and the module (terraform/modules/pipeline/*.tf: every resource) at once — then docs/ beside it (*.md: the runbook
and the topology diagram, generated from the same plan)."""

from __future__ import annotations

import base64
import os
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from generator.docs.render import DOCS_FOLDER, render_docs
from generator.output import guard, header, journal, previous
from generator.output.header import GENERATED_MARKER  # noqa: F401 - re-exported: other tools look for the marker
from generator.output.moves import QUEUE_TYPE, Loss, find_losses, find_moves, kept_moves, render_moved
from generator.output.previous import Move
from generator.package.build import (
    PackageResult,
    PreparedPackage,
    default_wheel_dir,
    prepare_packages,
    write_packages,
)
from generator.package.checks import function_problems
from generator.package.inputs import function_sources
from generator.plan.buckets import artifacts_bucket_problems
from generator.plan.build import MODULE_NAME, build_plan
from generator.plan.model import CodePlan, Plan, ZipDirs
from generator.problems import GeneratorError, Level, Problem, error, has_errors, sorted_problems, warning
from generator.render import render, render_root
from generator.spec.load import LoadedSpec, load_spec

SCAFFOLD_FILES = ("versions.tf", "providers.tf", "variables.tf")  # the root's hand-written files
# The module's files: its configuration, and the `terraform test` file of its contract (contract.tftest.hcl).
MODULE_PATTERNS = ("*.tf", "*.tftest.hcl")
MODULE_ADDRESS = f"module.{MODULE_NAME}."  # the module's resources' addresses from the root start with it

Status = str  # "created" | "updated" | "identical" | "removed" | "kept"


@dataclass
class Result:
    warnings: list[Problem]
    files: list[tuple[Status, Path]] = field(default_factory=list)
    drift: list[tuple[Status, Path]] = field(default_factory=list)
    packages: list[PackageResult] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)  # resources that only changed address this run
    notes: dict[Path, str] = field(default_factory=dict)  # a word on how a file was written, for the CLI
    inputs: list[Path] = field(default_factory=list)  # files and folders the run read (for the fast path)
    docs_dir: Path | None = None  # where the generated docs are (an output the fast path checks too)
    module_dir: Path | None = None  # where the generated module is (likewise)


def check(spec_path: Path) -> LoadedSpec:
    """Validate the spec, the function sources it points at (their files, requirements.txt and imports).
    Raises GeneratorError; the returned warnings include those about the sources."""
    loaded = load_spec(spec_path, display_name(spec_path))
    sources = function_sources(loaded.spec, spec_path.parent)
    found = function_problems(loaded.spec, sources, default_wheel_dir(build_dir_of(spec_path)))
    if has_errors(found):
        raise GeneratorError(loaded.located(found) + loaded.warnings)
    return replace(loaded, warnings=sorted_problems(loaded.warnings + loaded.located(found)))


def build_dir_of(spec_path: Path) -> Path:
    """Where the spec's Lambda zips are built."""
    return spec_path.parent / "build" / "lambda"


def default_docs_dir(out_dir: Path) -> Path:
    """The generated docs go beside the Terraform directory: docs/ next to terraform/."""
    return out_dir.parent / DOCS_FOLDER


def module_dir_of(out_dir: Path) -> Path:
    """The generated module, inside the root that calls it: terraform/modules/pipeline/."""
    return out_dir / "modules" / MODULE_NAME


@dataclass(frozen=True)
class Folder:
    """One folder a rendering writes: what goes into it, and what is there now."""

    directory: Path
    files: dict[Path, str] = field(default_factory=dict)
    stale: list[Path] = field(default_factory=list)  # generated files no longer produced
    on_disk: journal.OnDisk = field(default_factory=journal.OnDisk)


Docs = Folder  # the generated docs' folder


@dataclass(frozen=True)
class Rendering:
    """Everything a generate run would write (file → content, generated files no longer wanted), and what
    writing it over the previous rendering in out_dir would do: moves, queues lost, hand edits overwritten."""

    warnings: list[Problem]
    files: dict[Path, str]  # the module's and the root's
    stale: list[Path]  # the module's and the root's
    kept: list[Path]  # hand-written files that exist and are left alone
    packages: list[PackageResult]  # every function's zip, built or reused
    moves: list[Move] = field(default_factory=list)  # new this run (moved.tf may keep earlier ones too)
    losses: list[Loss] = field(default_factory=list)  # queues Terraform would destroy or replace
    loss_paths: dict[str, tuple[str, ...]] = field(default_factory=dict)  # new queue address → its queues.toml path
    overwrites: guard.Overwrites = field(default_factory=guard.Overwrites)
    on_disk: journal.OnDisk = field(default_factory=journal.OnDisk)
    loaded: LoadedSpec | None = None
    prepared: list[PreparedPackage] = field(default_factory=list, repr=False)  # zips, written once the run may go ahead
    inputs: list[Path] = field(default_factory=list)  # the spec, every function's source folder and common/
    docs: Docs | None = None  # the generated docs beside out_dir
    folders: list[Folder] = field(default_factory=list)  # module, root, docs: in the order they are written


def render_tree(spec_path: Path, out_dir: Path, *, write_zips: bool = True, docs_dir: Path | None = None) -> Rendering:
    """Validate, package the Lambda zips under build/ (only those whose inputs changed) and render the module,
    the root and the docs (into docs_dir, default docs/ beside out_dir) in memory; nothing is written to them.
    Raises GeneratorError before writing any zip. With write_zips=False the zips are prepared but left for the
    caller to write."""
    loaded = check(spec_path)
    spec = loaded.spec
    sources = function_sources(spec, spec_path.parent)
    build_dir = build_dir_of(spec_path)
    module_dir = module_dir_of(out_dir)
    # Relative to the module and to the root, so two clones in different places render identical files.
    zip_dirs = ZipDirs(from_module=Path(os.path.relpath(build_dir.resolve(), module_dir.resolve())).as_posix(),
                       from_root=Path(os.path.relpath(build_dir.resolve(), out_dir.resolve())).as_posix())
    try:
        prepared = prepare_packages(sources, build_dir)
        packages = [package.result for package in prepared]
        code = {package.key: _code_plan(package) for package in packages}
        needs_bucket = any(c.via_s3 for c in code.values())
        if problems := artifacts_bucket_problems(spec.project.name) if needs_bucket else []:
            raise GeneratorError(problems)
    except GeneratorError as exc:
        raise GeneratorError(loaded.located(exc.problems) + loaded.warnings) from None
    plan = build_plan(spec, spec_path.name, code, zip_dirs)
    module_files = {module_dir / name: header.stamp(text) for name, text in render(plan).items()}
    root_files = {out_dir / name: header.stamp(text) for name, text in render_root(plan).items()}
    on_disk, module_on_disk = journal.read_tree(out_dir), journal.read_tree(module_dir, MODULE_PATTERNS)

    compared = _against_previous(on_disk, module_on_disk, module_files, out_dir, module_dir)
    if compared.root_blocks:
        root_files[out_dir / guard.MOVED_FILE] = header.stamp(render_moved(spec_path.name, compared.root_blocks))
    if compared.module_blocks:
        module_files[module_dir / guard.MOVED_FILE] = header.stamp(render_moved(spec_path.name,
                                                                                compared.module_blocks))
    warnings = loaded.warnings + compared.redeclared

    generated_root = dict(root_files)
    kept = []
    for name in SCAFFOLD_FILES:
        path = out_dir / name
        if path.exists():
            kept.append(path)
        else:
            root_files[path] = resources.files("generator").joinpath("scaffold", name).read_text(encoding="utf-8")
    imports = out_dir / guard.IMPORTS_FILE  # adopt's: kept until the user deletes it (edited or not)
    if imports in on_disk.generated or imports in on_disk.hand_written:
        kept.append(imports)
    module = Folder(module_dir, module_files, sorted(p for p in module_on_disk.generated if p not in module_files),
                    module_on_disk)
    root = Folder(out_dir, root_files, sorted(p for p in on_disk.generated if p not in root_files and p != imports),
                  on_disk)
    overwrites = guard.combined(
        guard.overwrites(module_on_disk, module_files, module.stale, loaded.name, spec_path.name,
                         compared.module_blocks),
        guard.overwrites(on_disk, generated_root, root.stale, loaded.name, spec_path.name, compared.root_blocks),
    )
    docs = _render_docs(loaded, plan, docs_dir if docs_dir is not None else default_docs_dir(out_dir))
    overwrites = guard.combined(overwrites, guard.overwrites(docs.on_disk, docs.files, docs.stale, loaded.name,
                                                             spec_path.name, []))
    if write_zips:
        _write_zips(prepared)
    inputs = [spec_path, *dict.fromkeys(p for fn in sources for p in (fn.source_dir, fn.common_dir))]
    return Rendering(warnings, {**module_files, **root_files}, [*module.stale, *root.stale], kept, packages,
                     moves=compared.moves, losses=compared.losses, loss_paths=_queue_paths(plan),
                     overwrites=overwrites, on_disk=on_disk, loaded=loaded, prepared=prepared, inputs=inputs,
                     docs=docs, folders=[module, root, docs])


def _render_docs(loaded: LoadedSpec, plan: Plan, docs_dir: Path) -> Docs:
    files = {docs_dir / name: header.stamp(text) for name, text in render_docs(loaded.spec, plan).items()}
    on_disk = journal.read_tree(docs_dir, ("*.md",), "the generated docs")
    return Docs(docs_dir, files, sorted(path for path in on_disk.generated if path not in files), on_disk)


@dataclass(frozen=True)
class Compared:
    """The new rendering against the previous one on disk."""

    moves: list[Move]  # resources that only change address this run (from the root: module.pipeline.…)
    losses: list[Loss]  # queues Terraform would destroy or replace
    root_blocks: list[Move]  # the root's moved.tf: moves into the module (from the root-only layout of old)
    module_blocks: list[Move]  # the module's moved.tf: renames inside it (addresses within the module)
    redeclared: list[Problem]  # warnings: moved blocks dropped


def _against_previous(on_disk: journal.OnDisk, module_on_disk: journal.OnDisk, module_files: dict[Path, str],
                      out_dir: Path, module_dir: Path) -> Compared:
    """Compare the new rendering with the previous one on disk, by the addresses Terraform sees from the root:
    the module's resources as module.pipeline.…, and the resources a generator of old declared in the root itself
    (they move into the module). A move inside the module goes to its moved.tf, so every root that calls the
    module gets it; a move into the module goes to the root's."""
    root_moved, module_moved = out_dir / guard.MOVED_FILE, module_dir / guard.MOVED_FILE
    existing = previous.moved_blocks(on_disk.generated.get(root_moved, "")) + [
        Move(MODULE_ADDRESS + move.source, MODULE_ADDRESS + move.target)
        for move in previous.moved_blocks(module_on_disk.generated.get(module_moved, ""))]
    previous_root = {str(p): t for p, t in on_disk.generated.items() if p != root_moved}
    # Resources are declared in the .tf files only (not in contract.tftest.hcl)
    previous_module = {p: t for p, t in module_on_disk.generated.items() if p != module_moved and p.suffix == ".tf"}
    module_config = {p: t for p, t in module_files.items() if p.suffix == ".tf"}
    before = previous.resources(previous_root)
    if previous_module == module_config and not existing and not before:  # the common no-change run
        return Compared([], [], [], [], [])
    before.update(previous.resources({str(p): t for p, t in previous_module.items()}, MODULE_ADDRESS))
    after = previous.resources({str(p): t for p, t in module_config.items()}, MODULE_ADDRESS)
    moves = find_moves(before, after)
    blocks = kept_moves(existing, moves, after)
    inside = [move for move in blocks if move.source.startswith(MODULE_ADDRESS)
              and move.target.startswith(MODULE_ADDRESS)]
    root_blocks = [move for move in blocks if move not in inside]
    module_blocks = [Move(move.source.removeprefix(MODULE_ADDRESS), move.target.removeprefix(MODULE_ADDRESS))
                     for move in inside]
    redeclared = [*_redeclared([m for m in existing if not m.source.startswith(MODULE_ADDRESS)], after, root_moved),
                  *_redeclared([m for m in existing if m.source.startswith(MODULE_ADDRESS)], after, module_moved,
                               MODULE_ADDRESS)]
    return Compared(moves, find_losses(before, after, moves), root_blocks, module_blocks, redeclared)


def _redeclared(existing: list[Move], declared: Collection[str], moved_path: Path, module: str = "") -> list[Problem]:
    """Moved blocks dropped because their `from` address is declared again (Terraform refuses both); named as
    the file names them (inside a module: without the module's prefix)."""
    problems = []
    for move in existing:
        if move.source in declared:
            source, target = move.source.removeprefix(module), move.target.removeprefix(module)
            problems.append(warning((), f"the moved block from {source} to {target} is dropped: {source} is declared "
                                    "again", "apply the earlier rename everywhere first: in a state that still has "
                                    f"{source}, Terraform would now change that resource instead of moving it")
                            .at(str(moved_path), 0, 0))
    return problems


def _queue_paths(plan: Plan) -> dict[str, tuple[str, ...]]:
    paths: dict[str, tuple[str, ...]] = {}
    for queue in plan.queues:
        paths[f"{MODULE_ADDRESS}{QUEUE_TYPE}.{queue.label}"] = ("queues", queue.key)
        paths[f"{MODULE_ADDRESS}{QUEUE_TYPE}.{queue.dlq_label}"] = ("queues", queue.key, "dlq")  # FIFO: the queue's
    return paths


def _code_plan(package: PackageResult) -> CodePlan:
    """Zips over Lambda's direct-upload limit go through the artifacts bucket, under a key that changes with
    their inputs (so a new zip is a new object, and the old one expires as a noncurrent version). The zips'
    folder is the module's input (var.lambda_zip_dir, local.lambda_zip_dir)."""
    digest = base64.urlsafe_b64encode(base64.b64decode(package.input_hash)).decode().rstrip("=")
    name = package.zip_path.name
    return CodePlan(
        filename=f'"${{local.lambda_zip_dir}}/{name}"',
        source_code_hash=package.input_hash,
        via_s3=package.deployed_through_s3,
        s3_key=f"{package.key}/{digest}.zip",  # used when via_s3: zips over 50 MB, or all when signing code
        missing_zip_message=(f'"Lambda zip {name} is missing from ${{local.lambda_zip_dir}}: it is built from the '
                             "sources this source_code_hash stands for, so run `make generate` (after every git "
                             'pull too)."'),
    )


def generate(spec_path: Path, out_dir: Path, *, check_only: bool = False, allow_destroy: Collection[str] = (),
             discard_edits: bool = False, docs_dir: Path | None = None) -> Result:
    """Package the zips and render terraform/ and docs/ (default: beside out_dir) for the spec, one run at a
    time, each folder written as one transaction (Terraform first: the docs describe it).

    Refuses (GeneratorError, nothing written to out_dir) when the write would make Terraform destroy or
    replace a queue not named in allow_destroy, or overwrite a file the generator did not write as it is
    (unless discard_edits). With check_only, write nothing to out_dir and report the files that would change
    (zips are still built: whether one goes through S3 depends on its size)."""
    docs_dir = docs_dir if docs_dir is not None else default_docs_dir(out_dir)
    module_dir = module_dir_of(out_dir)
    with journal.exclusive(spec_path.parent if spec_path.parent.is_dir() else Path(".")):
        notices = _finish_interrupted(out_dir, check_only) + _finish_interrupted(docs_dir, check_only)
        rendering = render_tree(spec_path, out_dir, write_zips=False, docs_dir=docs_dir)
        refusals = _loss_problems(rendering, allow_destroy) + rendering.overwrites.blocked
        if not discard_edits:
            refusals += list(rendering.overwrites.edits.values())
        warnings = sorted_problems(notices + rendering.warnings + [p for p in refusals if p.level is Level.WARNING])
        if has_errors(refusals) and not check_only:  # the drift check reports; refusals are for runs that write
            raise GeneratorError(refusals + warnings)
        _write_zips(rendering.prepared)
        result = Result(warnings=warnings, packages=rendering.packages, moves=rendering.moves,
                        notes=dict(rendering.overwrites.notes), inputs=rendering.inputs, docs_dir=docs_dir,
                        module_dir=module_dir)
        statuses = [[(_status(folder.on_disk, path, text), path) for path, text in folder.files.items()]
                    for folder in rendering.folders]
        if check_only:
            result.drift = [(status, path) for found in statuses for status, path in found if status != "identical"]
            result.drift += [("removed", path) for folder in rendering.folders for path in folder.stale]
            return result
        module, root, docs = statuses
        module_folder, root_folder, docs_folder = rendering.folders

        def changed(folder: Folder, found: list[tuple[Status, Path]]) -> dict[Path, str]:
            return {path: folder.files[path] for status, path in found if status != "identical"}

        # The root and its module in one transaction: Terraform never reads one without the other it goes with.
        journal.commit(out_dir, {**changed(module_folder, module), **changed(root_folder, root)},
                       [*module_folder.stale, *root_folder.stale])
        journal.commit(docs_dir, changed(docs_folder, docs), docs_folder.stale, pause_prefix="docs-")
        if discard_edits:
            result.notes.update({path: "hand edit discarded" for path in rendering.overwrites.edits})
        result.files = [*root, *(("kept", path) for path in rendering.kept),
                        *(("removed", path) for path in root_folder.stale),
                        *module, *(("removed", path) for path in module_folder.stale),
                        *docs, *(("removed", path) for path in docs_folder.stale)]
        return result


def _write_zips(prepared: list[PreparedPackage]) -> None:
    try:
        write_packages(prepared)
    except OSError as exc:  # e.g. build/ is a file, or not writable
        where = Path(exc.filename) if exc.filename else Path("build")
        raise GeneratorError([error((), f"cannot write the Lambda zips: {exc.strerror or exc}",
                                    "build/ beside queues.toml must be a folder you can write to")
                              .at(str(where), 0, 0)]) from None


def _finish_interrupted(out_dir: Path, check_only: bool) -> list[Problem]:
    """A journal left in out_dir means the last generate was killed while writing: complete its write first,
    so the tree is whole again even if this run stops early."""
    if not journal.interrupted(out_dir):
        if not check_only:
            journal.complete_interrupted(out_dir)  # deletes temporary files of a run killed before committing
        return []
    if check_only:
        raise GeneratorError([error((), "the last generate was interrupted while writing these files, so "
                                    "some of them may be old and some new",
                                    "run `make generate`: it completes the interrupted write").at(str(out_dir), 0, 0)])
    finished = journal.complete_interrupted(out_dir)
    return [warning((), f"the last generate was interrupted while writing {len(finished)} files here; this run "
                    "completed that write first, so they are not a mix of old and new").at(str(out_dir), 0, 0)]


def _loss_problems(rendering: Rendering, allowed: Collection[str]) -> list[Problem]:
    assert rendering.loaded is not None
    spec = rendering.loaded.name
    problems = guard.loss_problems(rendering.losses, set(allowed), rendering.loss_paths, spec)
    unplaced = [p for p in problems if not p.file]  # about queues.toml entries: placed at their key
    return [p for p in problems if p.file] + rendering.loaded.located(unplaced)


def display_name(spec_path: Path) -> str:
    try:
        return str(spec_path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(spec_path)


def _status(on_disk: journal.OnDisk, path: Path, text: str) -> Status:
    if path in on_disk.generated:
        return "identical" if on_disk.generated[path] == text else "updated"
    return "updated" if path in on_disk.hand_written or path in on_disk.not_files else "created"
