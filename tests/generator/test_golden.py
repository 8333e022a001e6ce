"""Golden outputs of the fixed topologies: a copy of the seed (tests/topologies/seed/, stub functions) renders
to tests/golden/seed/ (its generated docs, the runbook and the topology diagram, to tests/golden/seed/docs/),
the marketplace topology (12 pairs, 3 FIFO) to tests/golden/marketplace/, and so on. The repository's own
queues.toml is the user's: its terraform/ and docs/ are checked by tests/terraform/test_live_topology.py with
checks that hold for any topology.

After an intended change, `make goldens` (UPDATE_GOLDENS=1) re-renders both; review the diff before
committing.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from generator.pipeline import SCAFFOLD_FILES, generate, render_tree
from tests.conftest import GOLDEN, ROOT, TOPOLOGIES

SCAFFOLD = ROOT / "generator" / "scaffold"
CASES = {
    "seed": (TOPOLOGIES / "seed" / "queues.toml", GOLDEN / "seed"),
    "marketplace": (TOPOLOGIES / "marketplace" / "queues.toml", GOLDEN / "marketplace"),
    "tenants": (TOPOLOGIES / "tenants" / "queues.toml", GOLDEN / "tenants"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendering_matches_the_committed_files(case: str) -> None:
    spec, golden = CASES[case]
    if os.environ.get("UPDATE_GOLDENS") == "1":
        generate(spec, golden, docs_dir=golden / "docs")

    rendering = render_tree(spec, golden, docs_dir=golden / "docs")

    assert rendering.docs is not None
    assert not rendering.stale + rendering.docs.stale, f"generated files no longer produced: {rendering.stale}"
    assert sorted(path.name for path in rendering.docs.files) == ["runbook.md", "topology.md"]
    for path, text in {**rendering.files, **rendering.docs.files}.items():
        committed = path.read_text(encoding="utf-8") if path.exists() else ""
        if committed != text:
            diff = "".join(difflib.unified_diff(
                committed.splitlines(keepends=True), text.splitlines(keepends=True),
                f"committed/{path.name}", f"rendered/{path.name}", n=2))
            pytest.fail(f"{path.relative_to(ROOT)} differs from what {spec.relative_to(ROOT)} produces "
                        f"(run `make goldens` if intended):\n{diff[:4000]}")


def test_every_golden_directory_has_a_case() -> None:  # (docs/ lives inside its case's directory)
    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} == set(CASES)


def test_two_renderings_are_byte_identical(tmp_path: Path) -> None:
    spec, _ = CASES["marketplace"]
    first, second = tmp_path / "a" / "tf", tmp_path / "b" / "tf"
    generate(spec, first)
    generate(spec, second)
    def files(directory: Path) -> dict[str, bytes]:
        return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}

    assert files(first) == files(second)
    assert files(first.parent / "docs") == files(second.parent / "docs")
    assert sorted(files(first.parent / "docs")) == ["runbook.md", "topology.md"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_golden_scaffold_files_are_what_a_new_user_gets(case: str) -> None:
    """Scaffold files are created once and never overwritten, so a golden tree keeps the ones it got first;
    they must stay the current scaffold (delete them and run `make goldens` after changing it)."""
    _, golden = CASES[case]
    for name in SCAFFOLD_FILES:
        assert (golden / name).read_text(encoding="utf-8") == (SCAFFOLD / name).read_text(encoding="utf-8"), name
