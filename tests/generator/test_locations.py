"""The TOML locator: where each key of a (valid) document is written, so problems can say file:LINE:COL."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from generator.spec.locations import Location, locate
from tests.conftest import ROOT, SEED, TOPOLOGIES


def at(text: str, *path: str | int) -> tuple[int, int] | None:
    tomllib.loads(text)  # every document here is valid TOML, as the locator assumes
    found = locate(text).of(tuple(path))
    return (found.line, found.column) if found else None


# ── table headers and keys ────────────────────────────────────────────────────────────────────────────────

def test_a_table_header_locates_each_of_its_parts() -> None:
    text = "[project]\nname = \"shop\"\n\n[queues.orders]\nmax_receive_count = 5\n"
    assert at(text, "project") == (1, 2)
    assert at(text, "queues") == (4, 2)
    assert at(text, "queues", "orders") == (4, 9)
    assert at(text, "queues", "orders", "max_receive_count") == (5, 1)


def test_spaces_inside_a_header_do_not_shift_the_parts() -> None:
    assert at("[ queues . orders ]\nx = 1\n", "queues", "orders") == (1, 12)


def test_dotted_keys_are_located_part_by_part() -> None:
    text = '[queues.orders]\n  dlq.name = "orders-failed"\n'
    assert at(text, "queues", "orders", "dlq") == (2, 3)
    assert at(text, "queues", "orders", "dlq", "name") == (2, 7)


def test_top_level_dotted_keys_create_their_tables() -> None:
    text = "queues.orders.max_receive_count = 5\n"
    assert at(text, "queues", "orders", "max_receive_count") == (1, 15)


def test_quoted_keys_are_located_by_their_value() -> None:
    text = '[queues."video-processing"]\n"max_receive_count" = 3\n\'a.b\' = 1\n'
    assert at(text, "queues", "video-processing") == (1, 9)
    assert at(text, "queues", "video-processing", "max_receive_count") == (2, 1)
    assert at(text, "queues", "video-processing", "a.b") == (3, 1)  # one key with a dot, not two


def test_a_key_in_a_later_table_gets_the_later_line() -> None:
    text = "[queues.a]\nname = \"a\"\n[queues.b]\nname = \"b\"\n"
    assert at(text, "queues", "a", "name") == (2, 1)
    assert at(text, "queues", "b", "name") == (4, 1)


# ── inline tables and arrays ──────────────────────────────────────────────────────────────────────────────

def test_inline_table_keys_are_located_inside_the_braces() -> None:
    text = '[functions.worker]\ntrigger = { queue = "orders", batch_size = 10 }\n'
    assert at(text, "functions", "worker", "trigger") == (2, 1)
    assert at(text, "functions", "worker", "trigger", "queue") == (2, 13)
    assert at(text, "functions", "worker", "trigger", "batch_size") == (2, 31)


def test_nested_inline_tables_and_arrays_inside_them() -> None:
    text = 'trigger = { filter_patterns = [{ body = { kind = ["video", "audio"] } }] }\n'
    assert at(text, "trigger", "filter_patterns", 0) == (1, 32)
    assert at(text, "trigger", "filter_patterns", 0, "body") == (1, 34)
    assert at(text, "trigger", "filter_patterns", 0, "body", "kind") == (1, 43)
    assert at(text, "trigger", "filter_patterns", 0, "body", "kind", 1) == (1, 60)


def test_an_empty_inline_table_and_array_are_fine() -> None:
    assert at("a = {}\nb = []\nc = 1\n", "c") == (3, 1)


def test_array_elements_are_located_one_by_one() -> None:
    assert at('subscribers = ["a@example.com", "b@example.com"]\n', "subscribers", 1) == (1, 33)


def test_multi_line_arrays_with_comments_and_a_trailing_comma() -> None:
    text = (
        "sends_to = [\n"
        '  "orders",    # the first, [not a table]\n'
        "  # a comment line = not a key\n"
        '  "invoices",\n'
        "]\n"
        "after = 1\n"
    )
    assert at(text, "sends_to", 0) == (2, 3)
    assert at(text, "sends_to", 1) == (4, 3)
    assert at(text, "after") == (6, 1)


# ── things that look like keys or headers but are not ─────────────────────────────────────────────────────

def test_comments_containing_equals_and_brackets_are_skipped() -> None:
    text = '# name = "decoy"\n# [queues.decoy]\n[project]  # [queues.decoy2] x = 1\nname = "shop" # = [x]\n'
    assert at(text, "project", "name") == (4, 1)
    assert at(text, "queues") is None


@pytest.mark.parametrize("string", [
    '"""\n[queues.decoy]\nname = "x"\n"""',
    "'''\n[queues.decoy]\nname = 'x'\n'''",
    '"""an escaped \\""" does not end it\n[queues.decoy]\n"""',
    '"""ends with quotes"""""',
    '"a \\" [queues.decoy] = 1"',
    "'C:\\path\\[queues.decoy]'",
])
def test_strings_containing_table_lines_do_not_create_tables(string: str) -> None:
    text = f"[queues.orders]\ndescription = {string}\nmax_receive_count = 5\n"
    assert at(text, "queues", "decoy") == at(text, "queues")  # not written: falls back to its parent
    line = text.splitlines().index("max_receive_count = 5") + 1
    assert at(text, "queues", "orders", "max_receive_count") == (line, 1)


def test_windows_line_endings() -> None:
    text = "[queues.orders]\r\nsends_to = [\r\n  \"a\",\r\n]\r\nmax_receive_count = 5\r\n"
    assert at(text, "queues", "orders", "sends_to", 0) == (3, 3)
    assert at(text, "queues", "orders", "max_receive_count") == (5, 1)


def test_columns_count_characters_not_bytes() -> None:
    assert at('description = "café"; x = 1\n'.replace("; ", "\n"), "x") == (2, 1)
    assert at('[t]\n"naïve" = 1\nb = { "é" = 1, k = 2 }\n', "t", "b", "k") == (3, 16)


# ── arrays of tables ──────────────────────────────────────────────────────────────────────────────────────

def test_arrays_of_tables_are_indexed() -> None:
    text = "[[queues]]\nname = \"a\"\n[[queues]]\nname = \"b\"\n"
    assert at(text, "queues") == (1, 3)
    assert at(text, "queues", 0) == (1, 3)
    assert at(text, "queues", 1, "name") == (4, 1)


def test_a_table_inside_an_array_of_tables_belongs_to_the_latest_element() -> None:
    text = "[[a]]\nx = 1\n[[a]]\nx = 2\n[a.b]\ny = 3\n[[a.c]]\nz = 4\n"
    assert tomllib.loads(text)["a"][1]["b"] == {"y": 3}
    assert at(text, "a", 1, "b", "y") == (6, 1)
    assert at(text, "a", 1, "c", 0, "z") == (8, 1)


# ── what a problem points at when its key is not written ──────────────────────────────────────────────────

def test_a_missing_key_points_at_its_table() -> None:
    text = "[project]\nname = \"shop\"\n\n[queues.orders]\nvisibility_timeout_seconds = 60\n"
    # GIVEN max_receive_count is not written THEN its problem points at the [queues.orders] header
    assert at(text, "queues", "orders", "max_receive_count") == (4, 9)


def test_a_missing_nested_key_points_at_the_nearest_written_ancestor() -> None:
    text = "[queues.orders]\nmax_receive_count = 5\n"
    assert at(text, "queues", "orders", "dlq", "message_retention_seconds") == (1, 9)


def test_a_missing_key_of_an_inline_table_points_at_the_inline_table() -> None:
    text = "[functions.worker]\ntimeout = 3\ntrigger = { batch_size = 1 }\n"
    assert at(text, "functions", "worker", "trigger", "queue") == (3, 1)


def test_a_missing_top_level_table_has_no_location() -> None:
    assert at('[alarms]\ntopic_name = "x"\n', "project") is None
    assert at("", "project") is None


def test_locations_order_by_line_then_column() -> None:
    assert Location(2, 1) < Location(2, 5) < Location(10, 1)


# ── every key of the real specs ───────────────────────────────────────────────────────────────────────────

def _parses(path: Path) -> bool:
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError:  # the gallery's syntax-error cases
        return False
    return True


SPECS = [SEED, TOPOLOGIES / "marketplace" / "queues.toml",
         *[p for p in sorted((ROOT / "tests" / "gallery").rglob("*.toml")) if _parses(p)]]


def _paths(value: object, prefix: tuple = ()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key), key
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index), None
            yield from _paths(item, (*prefix, index))


@pytest.mark.parametrize("spec", SPECS, ids=[p.relative_to(ROOT).as_posix() for p in SPECS])
def test_every_key_of_a_real_spec_is_found_where_it_is_written(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    locations = locate(text)
    lines = text.splitlines()
    for path, key in _paths(data):
        found = locations.of(path)
        assert found is not None, f"{path} has no location"
        written = lines[found.line - 1][found.column - 1:]
        if key is not None:
            assert written.lstrip("\"'").startswith(key), f"{path} located at {found}: {written!r}"
