"""The stages end to end: load → rules → sources → package → plan → render → guard → write. No printing here.

Two folders are written, each as one journaled transaction with the same guards: the Terraform directory
(*.tf) and docs/ beside it (*.md: the runbook and the topology diagram, generated from the same plan)."""

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
from generator.plan.build import build_plan
from generator.plan.model import CodePlan, Plan
from generator.problems import GeneratorError, Level, Problem, error, has_errors, sorted_problems, warning
from generator.render import render
from generator.spec.load import LoadedSpec, load_spec

SCAFFOLD_FILES = ("versions.tf", "providers.tf", "variables.tf")

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


@dataclass(frozen=True)
class Docs:
    """The generated docs of a rendering: what goes into their folder, and what is there now."""

    directory: Path
    files: dict[Path, str] = field(default_factory=dict)
    stale: list[Path] = field(default_factory=list)  # generated docs no longer produced
    on_disk: journal.OnDisk = field(default_factory=journal.OnDisk)


@dataclass(frozen=True)
class Rendering:
    """Everything a generate run would write (file → content, generated files no longer wanted), and what
    writing it over the previous rendering in out_dir would do: moves, queues lost, hand edits overwritten."""

    warnings: list[Problem]
    files: dict[Path, str]
    stale: list[Path]
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


def render_tree(spec_path: Path, out_dir: Path, *, write_zips: bool = True, docs_dir: Path | None = None) -> Rendering:
    """Validate, package the Lambda zips under build/ (only those whose inputs changed) and render the
    Terraform files and the docs (into docs_dir, default docs/ beside out_dir) in memory; nothing is written to
    either. Raises GeneratorError before writing any zip. With write_zips=False the zips are prepared but left
    for the caller to write."""
    loaded = check(spec_path)
    spec = loaded.spec
    sources = function_sources(spec, spec_path.parent)
    build_dir = build_dir_of(spec_path)
    # Relative to the Terraform directory, so two clones in different places render identical files.
    zip_dir = Path(os.path.relpath(build_dir.resolve(), out_dir.resolve())).as_posix()
    try:
        prepared = prepare_packages(sources, build_dir)
        packages = [package.result for package in prepared]
        code = {package.key: _code_plan(package, zip_dir) for package in packages}
        needs_bucket = any(c.via_s3 for c in code.values())
        if problems := artifacts_bucket_problems(spec.project.name) if needs_bucket else []:
            raise GeneratorError(problems)
    except GeneratorError as exc:
        raise GeneratorError(loaded.located(exc.problems) + loaded.warnings) from None
    plan = build_plan(spec, spec_path.name, code)
    generated = {out_dir / name: header.stamp(text) for name, text in render(plan).items()}
    on_disk = journal.read_tree(out_dir)

    moved_path = out_dir / guard.MOVED_FILE
    moves, losses, blocks, redeclared = _against_previous(on_disk, generated, moved_path)
    if blocks:
        generated[moved_path] = header.stamp(render_moved(spec_path.name, blocks))
    warnings = loaded.warnings + redeclared

    files = dict(generated)
    kept = []
    for name in SCAFFOLD_FILES:
        path = out_dir / name
        if path.exists():
            kept.append(path)
        else:
            files[path] = resources.files("generator").joinpath("scaffold", name).read_text(encoding="utf-8")
    stale = sorted(path for path in on_disk.generated if path not in files)
    overwrites = guard.overwrites(on_disk, generated, stale, loaded.name, spec_path.name, blocks)
    docs = _render_docs(loaded, plan, docs_dir if docs_dir is not None else default_docs_dir(out_dir))
    overwrites = guard.combined(overwrites, guard.overwrites(docs.on_disk, docs.files, docs.stale, loaded.name,
                                                             spec_path.name, []))
    if write_zips:
        _write_zips(prepared)
    inputs = [spec_path, *dict.fromkeys(p for fn in sources for p in (fn.source_dir, fn.common_dir))]
    return Rendering(warnings, files, stale, kept, packages, moves=moves, losses=losses, loss_paths=_queue_paths(plan),
                     overwrites=overwrites, on_disk=on_disk, loaded=loaded, prepared=prepared, inputs=inputs,
                     docs=docs)


def _render_docs(loaded: LoadedSpec, plan: Plan, docs_dir: Path) -> Docs:
    files = {docs_dir / name: header.stamp(text) for name, text in render_docs(loaded.spec, plan).items()}
    on_disk = journal.read_tree(docs_dir, "*.md", "the generated docs")
    return Docs(docs_dir, files, sorted(path for path in on_disk.generated if path not in files), on_disk)


def _against_previous(on_disk: journal.OnDisk, generated: dict[Path, str], moved_path: Path,
                      ) -> tuple[list[Move], list[Loss], list[Move], list[Problem]]:
    """Compare the new rendering with the previous one on disk: the resources that only change address (new
    moves), the queues Terraform would destroy or replace, the moved blocks moved.tf keeps, and warnings."""
    existing = previous.moved_blocks(on_disk.generated.get(moved_path, ""))
    previous_files = {p: t for p, t in on_disk.generated.items() if p != moved_path}
    if previous_files == generated and not existing:  # the common no-change run: nothing to compare
        return [], [], [], []
    before = previous.resources({str(p): t for p, t in previous_files.items()})
    after = previous.resources({str(p): t for p, t in generated.items()})
    moves = find_moves(before, after)
    blocks = kept_moves(existing, moves, after)
    return moves, find_losses(before, after, moves), blocks, _redeclared(existing, after, moved_path)


def _redeclared(existing: list[Move], declared: Collection[str], moved_path: Path) -> list[Problem]:
    """Moved blocks dropped because their `from` address is declared again (Terraform refuses both)."""
    return [warning((), f"the moved block from {move.source} to {move.target} is dropped: {move.source} is "
                    "declared again", f"apply the earlier rename everywhere first: in a state that still has "
                    f"{move.source}, Terraform would now change that resource instead of moving it")
            .at(str(moved_path), 0, 0) for move in existing if move.source in declared]


def _queue_paths(plan: Plan) -> dict[str, tuple[str, ...]]:
    paths: dict[str, tuple[str, ...]] = {}
    for queue in plan.queues:
        paths[f"{QUEUE_TYPE}.{queue.label}"] = ("queues", queue.key)
        paths[f"{QUEUE_TYPE}.{queue.dlq_label}"] = ("queues", queue.key, "dlq")  # FIFO is the queue's setting
    return paths


def _code_plan(package: PackageResult, zip_dir: str) -> CodePlan:
    """Zips over Lambda's direct-upload limit go through the artifacts bucket, under a key that changes with
    their inputs (so a new zip is a new object, and the old one expires as a noncurrent version)."""
    digest = base64.urlsafe_b64encode(base64.b64decode(package.input_hash)).decode().rstrip("=")
    zip_file = f"{zip_dir}/{package.zip_path.name}"
    return CodePlan(
        filename=f'"${{path.module}}/{zip_file}"',
        source_code_hash=package.input_hash,
        via_s3=package.deployed_through_s3,
        s3_key=f"{package.key}/{digest}.zip",  # used when via_s3: zips over 50 MB, or all when signing code
        missing_zip_message=(f"Lambda zip {zip_file} is missing: it is built from the sources this "
                             "source_code_hash stands for, so run `make generate` (after every git pull too)."),
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
    with journal.exclusive(spec_path.parent if spec_path.parent.is_dir() else Path(".")):
        notices = _finish_interrupted(out_dir, check_only) + _finish_interrupted(docs_dir, check_only)
        rendering = render_tree(spec_path, out_dir, write_zips=False, docs_dir=docs_dir)
        docs = rendering.docs
        assert docs is not None
        refusals = _loss_problems(rendering, allow_destroy) + rendering.overwrites.blocked
        if not discard_edits:
            refusals += list(rendering.overwrites.edits.values())
        warnings = sorted_problems(notices + rendering.warnings + [p for p in refusals if p.level is Level.WARNING])
        if has_errors(refusals) and not check_only:  # the drift check reports; refusals are for runs that write
            raise GeneratorError(refusals + warnings)
        _write_zips(rendering.prepared)
        result = Result(warnings=warnings, packages=rendering.packages, moves=rendering.moves,
                        notes=dict(rendering.overwrites.notes), inputs=rendering.inputs, docs_dir=docs_dir)
        statuses = [(_status(rendering.on_disk, path, text), path) for path, text in rendering.files.items()]
        doc_statuses = [(_status(docs.on_disk, path, text), path) for path, text in docs.files.items()]
        if check_only:
            result.drift = [(status, path) for status, path in statuses + doc_statuses if status != "identical"]
            result.drift += [("removed", path) for path in rendering.stale + docs.stale]
            return result
        journal.commit(out_dir, {path: rendering.files[path] for status, path in statuses if status != "identical"},
                     rendering.stale)
        journal.commit(docs_dir, {path: docs.files[path] for status, path in doc_statuses if status != "identical"},
                     docs.stale, pause_prefix="docs-")
        if discard_edits:
            result.notes.update({path: "hand edit discarded" for path in rendering.overwrites.edits})
        result.files = [*statuses, *(("kept", path) for path in rendering.kept),
                        *(("removed", path) for path in rendering.stale),
                        *doc_statuses, *(("removed", path) for path in docs.stale)]
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
