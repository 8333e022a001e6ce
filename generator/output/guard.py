"""What a write would lose, as problems: hand edits to generated files (and hand-written files in the way), and
queues Terraform would destroy or replace. Each is refused unless the user says so (--discard-edits,
--allow-destroy NAME,…); an allowed loss is still reported, as a warning."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.output.header import Origin, origin, without_hash
from generator.output.journal import OnDisk
from generator.output.moves import Loss, render_moved
from generator.output.previous import Move, moved_blocks
from generator.problems import Problem, error, warning

MOVED_FILE = "moved.tf"
# `python -m generator adopt` writes it; `make generate` keeps it, as it is, until the user deletes it.
IMPORTS_FILE = "imports.tf"

_EDITED_HINT = ("keep the change by moving it into {spec} (or into a hand-written .tf file of your own), drop it "
                "with `git checkout -- {path}`, or pass --discard-edits to let `make generate` replace it")
_EDITED_DOC_HINT = ("generated docs are rewritten from {spec} on every run: keep notes in a doc of your own beside "
                    "it, drop the edit with `git checkout -- {path}`, or pass --discard-edits to let `make generate` "
                    "replace it")


def _edited_hint(spec: str, path: Path) -> str:
    return (_EDITED_DOC_HINT if path.suffix == ".md" else _EDITED_HINT).format(spec=spec, path=path)


def _at(path: Path, message: str, hint: str) -> Problem:
    return error((), message, hint).at(str(path), 0, 0)


def moved_file_is_ours(text: str, source: str, kept: Collection[Move]) -> bool:
    """moved.tf is the one generated file users edit: they delete blocks once applied. It is still ours when
    it reads exactly as the generator would write the blocks left in it (blank lines aside) and this run
    keeps every one of them (an edited block that would be dropped is an edit that would be lost)."""
    if origin(text) is Origin.GENERATED:
        return True
    if origin(text) is Origin.HAND_WRITTEN:
        return False
    blocks = moved_blocks(text)

    def significant(content: str) -> list[str]:
        return [line for line in without_hash(content).splitlines() if line.strip()]
    return significant(text) == significant(render_moved(source, blocks)) and set(blocks) <= set(kept)


@dataclass
class Overwrites:
    """What writing a rendering over out_dir would destroy besides the generator's own files."""

    blocked: list[Problem] = field(default_factory=list)  # cannot be written at all (a directory in the way)
    edits: dict[Path, Problem] = field(default_factory=dict)  # hand edits / hand-written files, by path
    notes: dict[Path, str] = field(default_factory=dict)  # replaced without being checked


def combined(*found: Overwrites) -> Overwrites:
    """One run writes two folders (terraform/, docs/): what either write would destroy."""
    return Overwrites([p for f in found for p in f.blocked], {k: v for f in found for k, v in f.edits.items()},
                      {k: v for f in found for k, v in f.notes.items()})


def overwrites(on_disk: OnDisk, writes: Mapping[Path, str], removes: Iterable[Path], spec: str,
               source: str, kept_moves: Collection[Move]) -> Overwrites:
    """Files a write would overwrite or delete although the generator did not write them as they are; and
    notes for the files it may replace but cannot vouch for (a header without a hash)."""
    found = Overwrites()
    problems = found.edits

    def users_moved_file(path: Path, text: str) -> bool:
        return path.name == MOVED_FILE and moved_file_is_ours(text, source, kept_moves)

    for path, text in writes.items():
        if path in on_disk.not_files:
            found.blocked.append(_at(path, "is not a regular file (a directory, FIFO or "
                                     "device), but a generated file goes there", f"move {path} away and run again"))
        elif path in on_disk.hand_written:
            problems[path] = _at(path, "was not written by the generator (it has no generated header), and "
                                "`make generate` would overwrite it",
                                "rename it if it is yours (generated files own their names), or pass "
                                "--discard-edits to replace it")
        elif (current := on_disk.generated.get(path)) is not None and current != text:
            kind = origin(current)
            if kind is Origin.EDITED and not users_moved_file(path, current):
                problems[path] = _at(path, "was edited by hand since `make generate` wrote it (its content no "
                                    "longer matches the hash in its header); the edit would be overwritten",
                                    _edited_hint(spec, path))
            elif kind is Origin.UNHASHED:
                found.notes[path] = "written by an earlier generator without a content hash: not checked for edits"
    for path in removes:
        text = on_disk.generated[path]
        if users_moved_file(path, text):
            continue
        kind = origin(text)
        if kind is Origin.EDITED:
            problems[path] = _at(path, "is no longer generated and would be deleted, but it was edited by hand "
                                "(its content no longer matches the hash in its header)",
                                _edited_hint(spec, path))
        elif kind is Origin.UNHASHED:
            problems[path] = _at(path, "carries the generated header without a content hash, so it cannot be "
                                "told apart from a hand-written file; it is no longer generated and would be "
                                "deleted",
                                "if it is yours, remove its first line (the header); if it is an old generated "
                                "file, delete it, or pass --discard-edits")
    return found


_REASONS = {  # why a change of this ForceNew argument replaces the queue
    "fifo_queue": "fifo_queue changes from {was} to {becomes}: a queue cannot switch between standard and FIFO, "
                  "so Terraform destroys it and creates a new one",
    "name": "its name changes to {becomes}, and Terraform replaces a queue whose name changes",
    "name_prefix": "its name_prefix changes to {becomes}, and Terraform replaces a queue whose name changes",
}
_HOW_TO_KEEP = {
    None: "to rename a queue's key without losing it, set `name` (and `dlq.name`) under the new key to the AWS "
          "names it has now: the generator then writes moved blocks instead",
    "fifo_queue": "to keep the messages, add the new queue under a new key beside this one and remove this one "
                  "once it is drained",
    "name": "to keep the queue, keep its name (`name = \"{name}\"`)",
    "name_prefix": "to keep the queue, keep its name",
}


def _why(loss: Loss) -> tuple[str | None, str]:
    """The argument to blame (FIFO first: it also changes the default name) and the sentence saying why."""
    if not loss.changes:
        return None, f"{loss.address} is no longer generated"
    argument, was, becomes = loss.changes[0]
    return argument, _REASONS[argument].format(was=was, becomes=becomes)


def loss_problems(losses: Iterable[Loss], allowed: Collection[str], spec_paths: Mapping[str, tuple[str, ...]],
                  spec: str) -> list[Problem]:
    """Refusals (errors) for losses not allowed, warnings for allowed ones and for names allowed in vain.
    spec_paths: new Terraform address → the queues.toml path that declares it, to place a replacement."""
    losses = list(losses)
    refused = sorted({loss.name for loss in losses if loss.name not in allowed})
    spec_argument = "" if spec == "queues.toml" else f" {spec}"
    command = f"`python -m generator generate{spec_argument} --allow-destroy {','.join(refused)}`"
    problems = []
    for loss in losses:
        argument, why = _why(loss)
        what = f"{loss.name} would be {'replaced' if loss.changes else 'destroyed'}"
        if loss.name in allowed:
            problem = warning((), f"{what} when this is applied, as --allow-destroy says: messages in it are "
                              f"lost ({why})")
        else:
            problem = error((), f"{what}: messages in it are lost ({why})",
                            f"if losing them is intended, run {command}; "
                            + _HOW_TO_KEEP[argument].format(name=loss.name))
        # a change in queues.toml: point at it (a loss with a target is a replacement, so it has an argument)
        if loss.target is not None and loss.target in spec_paths and argument is not None:
            entry = spec_paths[loss.target]
            problems.append(replace(problem, path=(*entry[:2], argument) if argument == "fifo_queue"
                                    else (*entry, argument)))  # the caller places it in queues.toml
        else:  # gone from queues.toml: point at its declaration in the previous rendering
            problems.append(problem.at(loss.file, loss.line, 1))
    for name in sorted(set(allowed) - {loss.name for loss in losses}):
        problems.append(warning((), f"--allow-destroy {name}: no queue of that name would be destroyed or "
                                "replaced by this run", "check the spelling: it is the queue's AWS name, "
                                "e.g. email-dlq").at(spec, 0, 0))
    return problems
