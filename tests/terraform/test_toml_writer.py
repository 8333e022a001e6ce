"""The day-two edits write queues.toml back with a small TOML writer: it must give back exactly the data."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, TOPOLOGIES
from tests.terraform.day_two import dumps

SPECS = [ROOT / "queues.toml", *sorted(TOPOLOGIES.glob("*/queues.toml"))]


@pytest.mark.parametrize("spec", SPECS, ids=[p.parent.name for p in SPECS])
def test_a_spec_written_back_reads_the_same(spec: Path) -> None:
    data = tomllib.loads(spec.read_text(encoding="utf-8"))
    assert tomllib.loads(dumps(data)) == data


def test_strings_keys_and_nesting_survive() -> None:
    data = {"functions": {"a": {"environment": {"TEXT": 'line\n"quoted" é \\'}, "x.y": {"filter_patterns": [
        {"body": {"kind": ["video"]}}]}, "empty": {}}}}
    assert tomllib.loads(dumps(data)) == data
