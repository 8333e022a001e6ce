"""Schema messages for every field of the model, found by walking the model rather than listed by hand: a new
bound, choice, table or required key gets a readable message (or this file fails)."""

from __future__ import annotations

import typing
from typing import Any, Literal

import annotated_types
import pytest
from pydantic import BaseModel, ValidationError

from generator.problems import Level, Problem
from generator.spec import model
from generator.spec.messages import problems_from_validation_error
from tests.generator.specs import DELETE, baseline, merged

# Where an instance of each table lives in the baseline spec.
TABLES: dict[type[BaseModel], tuple[str, ...]] = {
    model.Project: ("project",),
    model.Alarms: ("alarms",),
    model.Queue: ("queues", "orders"),
    model.DeadLetterQueue: ("queues", "orders", "dlq"),
    model.Function: ("functions", "worker"),
    model.Trigger: ("functions", "worker", "trigger"),
}


def _constraints(annotation: Any, metadata: list[Any]) -> list[Any]:
    found = list(metadata)
    for arg in typing.get_args(annotation):  # Annotated[int, Field(ge=…)] | None
        found += getattr(arg, "__metadata__", ())
    flat = []
    for item in found:
        flat += getattr(item, "metadata", None) or [item]
    return flat


def _fields(kind: type) -> list[tuple[type[BaseModel], str, Any]]:
    return [(table, name, c) for table in TABLES for name, field in table.model_fields.items()
            for c in _constraints(field.annotation, field.metadata) if isinstance(c, kind)]


def _at(path: tuple, value: Any) -> dict[str, Any]:
    patch: Any = value
    for part in reversed(path):
        patch = {part: patch}
    return patch


def problems_for(*patches: dict[str, Any]) -> list[Problem]:
    data = baseline()
    data["queues"]["orders"]["dlq"] = {}
    for patch in patches:
        data = merged(data, patch)
    with pytest.raises(ValidationError) as raised:
        model.Spec.model_validate(data)
    return problems_from_validation_error(raised.value)


def one(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.format() for p in problems]
    assert problems[0].level is Level.ERROR
    return problems[0]


LOWER = _fields(annotated_types.Ge)
UPPER = _fields(annotated_types.Le)


@pytest.mark.parametrize(("table", "name", "bound"), LOWER, ids=[f"{t.__name__}.{n}" for t, n, _ in LOWER])
def test_one_below_every_minimum_is_reported_with_the_minimum(table, name, bound) -> None:
    path = (*TABLES[table], name)
    problem = one(problems_for(_at(path, bound.ge - 1)))
    assert problem.path == path
    assert problem.message == f"{bound.ge - 1} is below the minimum {bound.ge}"


@pytest.mark.parametrize(("table", "name", "bound"), UPPER, ids=[f"{t.__name__}.{n}" for t, n, _ in UPPER])
def test_one_above_every_maximum_is_reported_with_the_maximum(table, name, bound) -> None:
    path = (*TABLES[table], name)
    problem = one(problems_for(_at(path, bound.le + 1)))
    assert problem.path == path
    assert problem.message == f"{bound.le + 1} is above the maximum {bound.le}"
    assert problem.hint, "the hint says what the field is for"


CHOICES = [(table, name) for table in TABLES for name, field in table.model_fields.items()
           if typing.get_origin(field.annotation) is Literal]


@pytest.mark.parametrize(("table", "name"), CHOICES, ids=[f"{t.__name__}.{n}" for t, n in CHOICES])
def test_a_value_outside_every_choice_lists_the_choices_as_toml(table, name) -> None:
    choices = typing.get_args(table.model_fields[name].annotation)
    wrong, written = ("nope", '"nope"') if isinstance(choices[0], str) else (2, "2")
    problem = one(problems_for(_at((*TABLES[table], name), wrong)))
    assert problem.message.startswith(f"{written} is not one of ")
    shown = [f'"{c}"' if isinstance(c, str) else str(c) for c in choices]
    assert all(choice in problem.message for choice in shown)


@pytest.mark.parametrize("table", list(TABLES), ids=[t.__name__ for t in TABLES])
def test_an_unknown_key_in_every_table_lists_the_allowed_keys(table) -> None:
    problem = one(problems_for(_at((*TABLES[table], "colour"), "red")))
    assert problem.path == (*TABLES[table], "colour")
    assert problem.message == "unknown key"
    assert problem.hint.endswith(", ".join(sorted(table.model_fields)))


REQUIRED = [(table, name) for table in TABLES
            for name, field in table.model_fields.items() if field.is_required()]


@pytest.mark.parametrize(("table", "name"), REQUIRED, ids=[f"{t.__name__}.{n}" for t, n in REQUIRED])
def test_a_missing_required_key_says_what_to_add_and_where(table, name) -> None:
    path = (*TABLES[table], name)
    problem = one(problems_for(_at(path, DELETE)))
    assert problem.path == path
    assert problem.message == "required key is missing"
    assert problem.hint.startswith(f"add {name} = … under [{'.'.join(TABLES[table])}]")


def test_a_missing_top_level_table_lists_its_required_keys() -> None:
    problem = one(problems_for({"alarms": DELETE}))
    assert problem.path == ("alarms",)
    assert problem.hint.startswith("add a [alarms] table with topic_name = …")
