"""Lambda's filter pattern grammar (generator/spec/filter_grammar.py): what AWS accepts passes, what it refuses
("Invalid filter pattern definition.") is named with its place. The gallery (tests/gallery/1xx-filter-*) shows
the messages `check` prints; the emulator's CreateEventSourceMapping uses the same grammar
(tests/local/emulator/compat_probes.py)."""

from __future__ import annotations

import json

import pytest

from generator.spec.filter_grammar import MAX_PATTERN_CHARACTERS, pattern_problems, pattern_text_problems, where_text

# Patterns from Lambda's filtering documentation and EventBridge's operator table (the forms Lambda supports).
ACCEPTED = [
    {"body": {"kind": ["video"]}},
    {"body": {"kind": ["video", "audio"], "size": [{"numeric": [">", 0, "<=", 100]}]}},
    {"body": {"Temperature": [{"numeric": [">", 0, "<=", 100]}], "Location": ["New York"]}},
    {"body": {"count": [{"numeric": ["=", 5]}], "ratio": [{"numeric": ["<", -2.5]}]}},
    {"body": {"LastName": [""]}, "attributes": {"SenderId": [None]}},
    {"body": {"Name": [{"anything-but": ["Alice", "Bob"]}], "Id": [{"anything-but": 7}]}},
    {"body": {"Id": [{"anything-but": [1, 2.5]}], "Stage": [{"anything-but": "test"}]}},
    {"body": {"Region": [{"prefix": "us-"}], "File": [{"suffix": ".png"}]}},
    {"body": {"Region": [{"prefix": {"equals-ignore-case": "US-"}}],
              "File": [{"suffix": {"equals-ignore-case": ".PNG"}}]}},
    {"body": {"Name": [{"equals-ignore-case": "alice"}]}},
    {"messageAttributes": {"tenant": [{"exists": True}], "trace": [{"exists": False}]}},
    {"body": {"flag": [True, False]}},
    {"body": {"$or": [{"kind": ["video"]}, {"size": [{"numeric": [">", 9]}]}]}},
    {"body": {"size": [{"numeric": [">=", -5.0e9, "<", 5.0e9]}]}},
]


@pytest.mark.parametrize("pattern", ACCEPTED, ids=[json.dumps(p)[:60] for p in ACCEPTED])
def test_a_pattern_lambda_accepts_passes(pattern) -> None:
    assert pattern_problems(pattern) == []
    assert pattern_text_problems(json.dumps(pattern)) == []


REFUSED = [
    ({"body": {"kind": []}}, "body.kind", "is an empty array"),
    ({"body": {"kind": "video"}}, "body.kind", "is not an array"),
    ({"body": {"kind": 5}}, "body.kind", "is not an array"),
    ({"body": {}}, "body", "is an empty table"),
    ({}, "", "is an empty table"),
    ({"body": {"kind": [["video"]]}}, "body.kind[0]", "is an array inside an array"),
    ({"body": {"kind": [{"wildcard": "v*"}]}}, "body.kind[0].wildcard", "is not an operator"),
    ({"body": {"ip": [{"cidr": "10.0.0.0/24"}]}}, "body.ip[0].cidr", "is not an operator"),
    ({"body": {"kind": [{}]}}, "body.kind[0]", "holds nothing"),
    ({"body": {"kind": [{"prefix": "a", "suffix": "z"}]}}, "body.kind[0]", "holds prefix, suffix"),
    ({"body": {"kind": [{"prefix": 5}]}}, "body.kind[0].prefix", "is 5, not a string"),
    ({"body": {"kind": [{"suffix": {"equals-ignore-case": 5}}]}}, "body.kind[0].suffix.equals-ignore-case",
     "not a string"),
    ({"body": {"kind": [{"suffix": {"wildcard": "x"}}]}}, "body.kind[0].suffix", "is a table, not a string"),
    ({"body": {"kind": [{"equals-ignore-case": ["a"]}]}}, "body.kind[0].equals-ignore-case", "not a string"),
    ({"body": {"kind": [{"exists": "true"}]}}, "body.kind[0].exists", "not true or false"),
    ({"body": {"kind": [{"exists": 1}]}}, "body.kind[0].exists", "not true or false"),
    ({"body": {"kind": [{"anything-but": []}]}}, "body.kind[0].anything-but", "is an empty array"),
    ({"body": {"kind": [{"anything-but": ["a", 1]}]}}, "body.kind[0].anything-but", "mixes kinds"),
    ({"body": {"kind": [{"anything-but": {"prefix": "a"}}]}}, "body.kind[0].anything-but", "is a table"),
    ({"body": {"kind": [{"anything-but": True}]}}, "body.kind[0].anything-but", "does not take"),
    ({"body": {"n": [{"numeric": [">"]}]}}, "body.n[0].numeric", "not one comparison or a range"),
    ({"body": {"n": [{"numeric": 5}]}}, "body.n[0].numeric", "not one comparison or a range"),
    ({"body": {"n": [{"numeric": ["==", 5]}]}}, "body.n[0].numeric[0]", 'is "==", not one of'),
    ({"body": {"n": [{"numeric": [">", "5"]}]}}, "body.n[0].numeric[1]", 'is "5", not a number'),
    ({"body": {"n": [{"numeric": [">", True]}]}}, "body.n[0].numeric[1]", "is true, not a number"),
    ({"body": {"n": [{"numeric": ["<", 10, ">", 0]}]}}, "body.n[0].numeric", "not a lower bound"),
    ({"body": {"n": [{"numeric": ["=", 1, "<", 5]}]}}, "body.n[0].numeric", "not a lower bound"),
    ({"body": {"n": [{"numeric": [">", 10, "<", 10]}]}}, "body.n[0].numeric", "holds no number"),
    ({"body": {"n": [{"numeric": [">", 5.0e9 + 1]}]}}, "body.n[0].numeric[1]", "outside the ±5.0e9"),
    ({"body": {"n": [6.0e9]}}, "body.n[0]", "outside the ±5.0e9"),
    ({"body": {"$or": [{"kind": ["a"]}]}}, "body.$or", "at least two tables"),
    ({"body": {"$or": [{"kind": ["a"]}, {"kind": []}]}}, "body.$or[1].kind", "is an empty array"),
]


@pytest.mark.parametrize(("pattern", "where", "message"), REFUSED, ids=[json.dumps(c[0])[:60] for c in REFUSED])
def test_a_pattern_lambda_refuses_is_named_with_its_place(pattern, where, message) -> None:
    found = pattern_problems(pattern)
    assert [(where_text(p.where), message in p.message) for p in found] == [(where, True)], found
    assert all(p.hint for p in found)


def test_the_api_form_is_checked_as_json_within_lambdas_length() -> None:
    assert [p.message for p in pattern_text_problems("{not json")] == ["is not valid JSON"]
    assert [p.message for p in pattern_text_problems('["body"]')] == ["is not an object"]
    long = json.dumps({"body": {"kind": ["x" * MAX_PATTERN_CHARACTERS]}})
    assert "over Lambda's 4096" in pattern_text_problems(long)[0].message
