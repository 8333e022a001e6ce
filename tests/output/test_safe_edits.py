"""Never lose a hand edit: every generated file carries a content hash in its header line; a generated file
edited by hand, a hand-written file where a generated one goes, or a hand-written file with a copied header
is never overwritten or deleted silently: the run is refused naming the file, unless --discard-edits."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cli import main
from generator.output.header import GENERATED_MARKER, Origin, origin, stamp
from tests.output.safe_support import MODULE, case, shop_project, snapshot

FAMILY = "hand edit or hand-written file in the way (refused unless --discard-edits)"
HEADER = f"{GENERATED_MARKER} from queues.toml. DO NOT EDIT.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = shop_project(tmp_path)
    assert main(["generate", str(project / "queues.toml")]) == 0
    return project


def _append(name: str, text: str) -> Callable[[Path], Path]:
    def edit(out: Path) -> Path:
        path = out / name
        path.write_text(path.read_text() + text)
        return path
    return edit


def _replace(name: str, old: str, new: str) -> Callable[[Path], Path]:
    def edit(out: Path) -> Path:
        path = out / name
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new, 1))
        return path
    return edit


def _write(name: str, text: str) -> Callable[[Path], Path]:
    def edit(out: Path) -> Path:
        (out / name).write_text(text)
        return out / name
    return edit


# id → (what the user did to terraform/, whether the file is overwritten (True) or deleted (False), message)
EDITS: dict[str, tuple[Callable[[Path], Path], bool, str]] = {
    "comment appended to a generated file": (_append(f"{MODULE}/alarms.tf", "# paged at night: see runbook\n"),
                                             True, "was edited by hand"),
    "value changed in a generated file": (_replace(f"{MODULE}/queues.tf", "max_message_size           = 262144",
                                                   "max_message_size           = 1024"), True, "was edited by hand"),
    "resource added to a generated file": (_append(f"{MODULE}/alarms.tf", 'resource "aws_sns_topic" "mine" {\n}\n'),
                                           True, "was edited by hand"),
    "header line edited": (_replace(f"{MODULE}/kms.tf", "DO NOT EDIT.", "EDITED."), True, "was edited by hand"),
    "hash field rewritten": (lambda out: _write(f"{MODULE}/iam.tf", re.sub(
                                 r"sha256:[0-9a-f]+", "sha256:" + "0" * 16, (out / f"{MODULE}/iam.tf").read_text(),
                                 count=1))(out),
                             True, "was edited by hand"),
    "hand-written file under a generated name": (_write(f"{MODULE}/mappings.tf", '# mine\nlocals {\n  a = 1\n}\n'),
                                                 True, "was not written by the generator"),
    "hand-written file with a copied header": (_write("extra.tf", stamp(HEADER) + 'locals {\n  mine = 1\n}\n'),
                                               False, "it was edited by hand"),
    "hand-written file with an old header (no hash)": (_write("extra.tf", HEADER + 'locals {\n  mine = 1\n}\n'),
                                                       False, "without a content hash"),
}


def _change_the_spec(project: Path) -> Path:
    """A spec change that rewrites every generated file the edits touch (so the run would overwrite them)."""
    spec = project / "queues.toml"
    spec.write_text(spec.read_text().replace('name = "shop"', 'name = "shop2"')
                    .replace("visibility_timeout_seconds = 180", "visibility_timeout_seconds = 190"))
    return spec


@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_hand_edit_is_refused_naming_the_file(project: Path, name: str, capsys) -> None:
    edit, _, message = EDITS[name]
    with case(FAMILY):
        edited = edit(project / "terraform")
        spec = _change_the_spec(project)
        before = snapshot(project / "terraform")
        capsys.readouterr()

        assert main(["generate", str(spec)]) == 1

        err = capsys.readouterr().err
        assert f"{edited}: error: " in err and message in err, err
        assert "--discard-edits" in err
        assert snapshot(project / "terraform") == before, "a refused run changed terraform/"


@pytest.mark.parametrize("name", sorted(EDITS))
def test_discard_edits_replaces_or_deletes_the_file_and_says_so(project: Path, name: str, capsys) -> None:
    edit, overwritten, _ = EDITS[name]
    with case("hand edit discarded when --discard-edits says so"):
        edited = edit(project / "terraform")
        spec = _change_the_spec(project)
        capsys.readouterr()

        assert main(["generate", str(spec), "--discard-edits"]) == 0

        out = capsys.readouterr().out
        verb = "updated" if overwritten else "removed"
        assert f"  {verb:<9} {edited}  (hand edit discarded)\n" in out
        assert edited.exists() is overwritten
        if overwritten:
            assert origin(edited.read_text()) is Origin.GENERATED


def test_discarding_an_edit_that_added_a_queue_still_asks_before_destroying_it(project: Path, capsys) -> None:
    _append(f"{MODULE}/queues.tf", 'resource "aws_sqs_queue" "mine" {\n}\n')(project / "terraform")
    spec = project / "queues.toml"
    capsys.readouterr()

    assert main(["generate", str(spec), "--discard-edits"]) == 1
    mine = "module.pipeline.aws_sqs_queue.mine"  # no AWS name: known by its address, from the root
    assert f"error: {mine} would be destroyed: messages in it are lost" in capsys.readouterr().err
    assert main(["generate", str(spec), "--discard-edits", "--allow-destroy", mine]) == 0


def test_an_edit_identical_to_the_new_rendering_is_not_a_conflict(project: Path, capsys) -> None:
    # nothing would be lost: the file already reads as the generator would write it
    spec = _change_the_spec(project)
    assert main(["generate", str(spec), "--out", str(project / "expected")]) == 0
    (project / "terraform" / f"{MODULE}/kms.tf").write_text((project / "expected" / f"{MODULE}/kms.tf").read_text())
    assert main(["generate", str(spec)]) == 0


def test_hand_written_files_beside_the_generated_ones_are_left_alone(project: Path, capsys) -> None:
    backend = project / "terraform" / "backend.tf"
    backend.write_text('terraform {\n  backend "s3" {}\n}\n')
    spec = _change_the_spec(project)

    assert main(["generate", str(spec)]) == 0

    assert backend.read_text() == 'terraform {\n  backend "s3" {}\n}\n'
    assert "backend.tf" not in capsys.readouterr().out


def test_a_file_written_before_hashes_existed_is_replaced_with_a_note(project: Path, capsys) -> None:
    queues = project / "terraform" / f"{MODULE}/queues.tf"
    first, _, rest = queues.read_text().partition("\n")
    queues.write_text(first.split(" sha256:")[0] + "\n" + rest)  # as the generator wrote it before hashes
    spec = _change_the_spec(project)
    capsys.readouterr()

    assert main(["generate", str(spec)]) == 0

    assert f"  updated   {queues}  (written by an earlier generator without a content hash" in capsys.readouterr().out
    assert origin(queues.read_text()) is Origin.GENERATED


def test_a_stale_generated_file_with_its_hash_intact_is_removed(project: Path, capsys) -> None:
    old = project / "terraform" / "old.tf"
    old.write_text(stamp(HEADER + 'locals {\n  gone = 1\n}\n'))
    capsys.readouterr()

    assert main(["generate", str(project / "queues.toml")]) == 0

    assert f"  removed   {old}\n" in capsys.readouterr().out and not old.exists()


# --- the hash itself ----------------------------------------------------------------------------------------


def test_the_header_stays_one_readable_line() -> None:
    stamped = stamp(HEADER + "# Change queues.toml and run `make generate`.\nlocals {}\n")
    first = stamped.splitlines()[0]
    assert first.startswith(HEADER.rstrip("\n") + " sha256:") and len(first) <= 100
    assert origin(stamped) is Origin.GENERATED


def test_every_single_character_edit_is_detected() -> None:
    stamped = stamp(HEADER + 'resource "aws_sqs_queue" "a" {\n  name = "a-queue"\n}\n')
    hash_field = range(stamped.index(" sha256:"), stamped.index("\n"))
    edits = 0
    for position in range(len(stamped)):
        if position in hash_field:
            continue
        changed = stamped[:position] + ("#" if stamped[position] != "#" else "x") + stamped[position + 1:]
        assert origin(changed) is not Origin.GENERATED, f"edit at {position} went unnoticed"
        edits += 1
    assert edits > 60
    assert origin(stamped + "\n") is Origin.EDITED  # an added line too
