"""What every rule module shares: the registry, and helpers that phrase problems the same way everywhere."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace

from pydantic import BaseModel

from generator.naming import BoundTrigger, function_triggers, queue_name
from generator.problems import Path, Problem, error
from generator.spec.model import Function, Queue, Spec

Rule = Callable[[Spec], Iterator[Problem]]
MAX_RETENTION = 1_209_600  # SQS MessageRetentionPeriod maximum (14 days)
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def consumers(spec: Spec) -> Iterator[tuple[str, Function, BoundTrigger, str, Queue]]:
    """(function key, function, trigger, queue key, queue) for every trigger whose queue exists."""
    for fn_key, fn in spec.functions.items():
        for trigger in function_triggers(fn_key, fn):
            if trigger.queue in spec.queues:
                yield fn_key, fn, trigger, trigger.queue, spec.queues[trigger.queue]


def as_written(model: BaseModel, field: str) -> str:
    """A value for a message, marked when the user did not write it (the problem then points at its table)."""
    value = getattr(model, field)
    return str(value) if field in model.model_fields_set else f"{value} (the default)"


def unknown(path: Path, key: str, what: str, known: Mapping[str, object]) -> Problem:
    close = difflib.get_close_matches(key, list(known), n=1)
    listed = ", ".join(sorted(known)) or "none declared"
    problem = error(path, f"no {what} with key '{key}' in [{what}s]",
                    (f"did you mean '{close[0]}'? " if close else "") + f"{what}s: {listed}")
    return replace(problem, refers_to=(f"{what}s", key))


def unknown_queue(spec: Spec, path: Path, key: str) -> Problem:
    by_name = {queue_name(k, q): k for k, q in spec.queues.items()}
    if key in by_name:  # the AWS name was written where the key belongs
        return error(path, f"'{key}' is the SQS name of queues.{by_name[key]}, not a queue key",
                     f"refer to queues by their key: '{by_name[key]}'")
    return unknown(path, key, "queue", spec.queues)
