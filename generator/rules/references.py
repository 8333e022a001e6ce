"""Every reference to a queue, table, bucket or the sender resolves to something declared."""

from __future__ import annotations

from collections.abc import Iterator

from generator.naming import function_triggers
from generator.problems import Problem, error
from generator.rules.common import rule, unknown, unknown_queue
from generator.spec.model import Spec


@rule
def references_resolve(spec: Spec) -> Iterator[Problem]:
    """Every trigger.queue, triggers.<queue> and sends_to entry names a queue declared under [queues]."""
    for fn_key, fn in spec.functions.items():
        for trigger in function_triggers(fn_key, fn):
            if trigger.queue not in spec.queues:
                yield unknown_queue(spec, trigger.queue_path, trigger.queue)
        seen: set[str] = set()
        for index, target in enumerate(fn.sends_to):
            path = ("functions", fn_key, "sends_to", index)
            if target not in spec.queues:
                yield unknown_queue(spec, path, target)
            if target in seen:
                yield error(path, f"'{target}' is listed twice", "list each queue once")
            seen.add(target)

@rule
def storage_references_resolve(spec: Spec) -> Iterator[Problem]:
    """Tables and buckets a function uses are declared; sending email needs an [email] sender; every grant
    grants something."""
    for fn_key, fn in spec.functions.items():
        for key, actions in fn.tables.items():
            path = ("functions", fn_key, "tables", key)
            if key not in spec.tables:
                yield unknown(path, key, "table", spec.tables)
            if not actions:
                yield error(path, "grants no actions", 'list the DynamoDB actions it needs, e.g. ["GetItem"]')
            elif len(set(actions)) != len(actions):
                yield error(path, "lists an action twice", "list each action once")
        for key, access in fn.buckets.items():
            path = ("functions", fn_key, "buckets", key)
            if key not in spec.buckets:
                yield unknown(path, key, "bucket", spec.buckets)
            if not (access.read or access.write or access.upload or access.list):
                yield error(path, "grants nothing",
                            'list prefixes under read, write, upload or list, e.g. write = ["videos/"]')
        if fn.sends_email and spec.email is None:
            yield error(("functions", fn_key, "sends_email"), "there is no [email] sender to send from",
                        'add an [email] table with sender = "noreply@example.com"')
