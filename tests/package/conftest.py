"""Packaging tests reach no package index: pip sees only a local folder of wheels the test made."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def local_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The only place pip may find wheels (no index, no user or site configuration)."""
    index = tmp_path / "index"
    index.mkdir()
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    return index


# Galleries mark each case with its attack family; the figures section at the end of pytest prints, per family,
# how many cases ran and how many were handled (passed). Counted from the test outcomes, never typed in.
_FAMILIES: dict[str, list[int]] = {}  # family → [tried, handled]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "family(name): the attack family a packaging gallery case belongs to")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("family")
    if marker is None or report.skipped or report.when not in ("setup", "call"):
        return
    if report.when == "setup" and report.passed:
        return  # counted when the case itself has run
    tally = _FAMILIES.setdefault(marker.args[0], [0, 0])
    tally[0] += 1
    tally[1] += int(report.passed)


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.conftest import SUMMARY

    for family, (tried, handled) in sorted(_FAMILIES.items()):
        SUMMARY.append(f"packaging gallery, {family}: {tried} tried, {handled} handled")
