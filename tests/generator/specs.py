"""Small valid specs for unit tests, built in Python: a baseline that passes every rule, plus patches."""

from __future__ import annotations

import copy
from typing import Any

from generator.problems import Level, Problem
from generator.spec.model import Spec

DELETE = object()  # a patch value that removes the key


def baseline() -> dict[str, Any]:
    """One queue consumed by one function, with values no rule complains about."""
    return {
        "project": {"name": "shop"},
        "alarms": {"topic_name": "shop-alarms", "email_subscribers": ["ops@example.com"]},
        "queues": {"orders": {"visibility_timeout_seconds": 180, "max_receive_count": 5}},
        "functions": {
            "worker": {
                "timeout": 30,
                "trigger": {"queue": "orders", "batch_size": 10, "maximum_concurrency": 5},
            },
        },
    }


def merged(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is DELETE:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def spec_with(*patches: dict[str, Any]) -> Spec:
    """The baseline with each patch deep-merged in (DELETE removes a key), validated by the real schema."""
    data = baseline()
    for patch in patches:
        data = merged(data, patch)
    return Spec.model_validate(data)


def queue(key: str = "orders", **values: Any) -> dict[str, Any]:
    return {"queues": {key: values}}


def function(key: str = "worker", **values: Any) -> dict[str, Any]:
    return {"functions": {key: values}}


def trigger(key: str = "worker", **values: Any) -> dict[str, Any]:
    return {"functions": {key: {"trigger": values}}}


def only(problems: list[Problem]) -> Problem:
    listed = "\n".join(p.format() for p in problems)
    assert len(problems) == 1, f"expected exactly one problem, got {len(problems)}:\n{listed}"
    return problems[0]


def assert_problem(problem: Problem, level: Level, path: tuple, *words: str) -> None:
    assert problem.level is level, problem.format()
    assert problem.path == path, problem.format()
    for word in words:
        assert word in problem.message + "\n" + problem.hint, f"{word!r} not in:\n{problem.format()}"
