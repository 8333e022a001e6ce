"""TOML syntax errors: placed where the mistake is written, read in plain words, with a hint."""

from __future__ import annotations

import pytest

from generator.problems import GeneratorError, Problem
from generator.spec.load import load_spec_text


def syntax_problem(text: str) -> Problem:
    with pytest.raises(GeneratorError) as raised:
        load_spec_text(text, "q.toml")
    (problem,) = raised.value.problems
    return problem


def test_a_key_repeated_after_a_multi_line_value_is_placed_at_the_repeated_key() -> None:
    # GIVEN the second `sends_to` ends three lines below where it starts
    text = 'sends_to = ["a"]\nsends_to = [\n  "b",\n  "c",\n]\n'
    problem = syntax_problem(text)
    # THEN the problem points at the start of the repeated key, not at the end of its value
    assert (problem.line, problem.column) == (2, 1)
    assert problem.message == "TOML syntax: key 'sends_to' is already set in this table"


def test_a_repeated_dotted_key_is_named_in_full() -> None:
    problem = syntax_problem('[queues.orders]\ndlq.name = "a"\n  dlq.name = "b"\n')
    assert (problem.line, problem.column) == (3, 3)
    assert "'dlq.name'" in problem.message


def test_a_table_declared_twice_is_placed_at_its_second_header() -> None:
    problem = syntax_problem("[project]\nname = \"a\"\n\n  [project]\n")
    assert (problem.line, problem.column) == (4, 3)
    assert problem.message == "TOML syntax: table [project] is declared twice"
    assert "merge the two [project] sections" in problem.hint


def test_a_table_header_for_a_key_set_inline_says_so() -> None:
    problem = syntax_problem('[queues.orders]\ndlq = { name = "a" }\n[queues.orders.dlq]\n')
    assert problem.line == 3
    assert "[queues.orders.dlq]" in problem.message


@pytest.mark.parametrize(("text", "reading"), [
    ('[project]\nname = "shop"\nsends_to = ["a"\n', "the array is never closed"),
    ('[project]\nname = "shop"\nsends_to = ["a",\n', "the file ends where a value should be"),
])
def test_an_error_at_the_end_of_the_document_points_after_the_last_line(text: str, reading: str) -> None:
    # tomllib says "(at end of document)" without a line; the last written line is where the ] is missing
    problem = syntax_problem(text)
    assert (problem.line, problem.column) == (3, len(text.splitlines()[-1]) + 1)
    assert problem.message == f"TOML syntax: {reading}"


@pytest.mark.parametrize(("text", "reading", "hint"), [
    ('name = "shop\n', "the string is not closed on this line", '"""'),
    ("fifo_queue = True\n", "this is not a TOML value", "lowercase true/false"),
    ("name: 1\n", "expected '=' after the key", '"=", not ":"'),
    ('t = { a = 1,\n b = 2 }\n', "expected a key here", "one line"),
    ('name = "a", \n', "unexpected text after the value", "no trailing comma"),
    ('path = "C:\\q"\n', "a backslash", "literal string"),
])
def test_common_mistakes_read_in_plain_words(text: str, reading: str, hint: str) -> None:
    problem = syntax_problem(text)
    assert problem.message == f"TOML syntax: {reading}" or reading in problem.message
    assert hint in problem.hint
    assert problem.line >= 1 and problem.column >= 1
