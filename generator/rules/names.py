"""Terraform labels and AWS names: unique, within AWS's limits, and not taken by the generator itself."""

from __future__ import annotations

from collections.abc import Iterator

from generator.naming import (
    dlq_label,
    dlq_name,
    function_name,
    function_triggers,
    label,
    queue_label,
    queue_name,
    table_name,
)
from generator.problems import Problem, dotted, error
from generator.rules.common import rule
from generator.spec.model import Spec


@rule
def labels_are_unique(spec: Spec) -> Iterator[Problem]:
    """Terraform addresses must be unique; keys that differ only in '-' versus '_' (or a queue key that
    collides with another queue's `<key>-dlq`) would produce the same resource label."""
    seen: dict[str, str] = {}  # label → which queue (or whose dead-letter queue) has it
    for key in spec.queues:
        for resource_label, owner in ((queue_label(key), f"queues.{key}"),
                                      (dlq_label(key), f"the dead-letter queue of queues.{key}")):
            if resource_label in seen:
                mine = "its" if owner.startswith("queues.") else "its dead-letter queue's"
                yield error(("queues", key), f"{mine} Terraform label '{resource_label}' is already the "
                            f"label of {seen[resource_label]} ('-' becomes '_' in labels)",
                            "rename one of the keys")
                break
            seen[resource_label] = owner
    for kind, items in (("functions", spec.functions), ("tables", spec.tables), ("buckets", spec.buckets)):
        owners: dict[str, str] = {}
        for key in items:
            if label(key) in owners:
                yield error((kind, key), f"its Terraform label '{label(key)}' is already the label of "
                            f"{kind}.{owners[label(key)]} ('-' becomes '_' in labels)",
                            "rename one of the keys")
            owners.setdefault(label(key), key)


@rule
def mapping_labels_are_unique(spec: Spec) -> Iterator[Problem]:
    """Each trigger is an event source mapping labelled `<function>` (`trigger`) or `<function>_<queue>`
    (`triggers.<queue>`), and Terraform addresses must be unique: function `a` triggered by queue `b` and
    function `a_b`'s own trigger would share the label `a_b`."""
    owners: dict[str, str] = {}
    for fn_key, fn in sorted(spec.functions.items()):
        for trigger in function_triggers(fn_key, fn):
            if trigger.label in owners:
                yield error(trigger.path, f"its event source mapping's Terraform label '{trigger.label}' is "
                            f"already the label of the mapping of {owners[trigger.label]}",
                            "rename the function or the queue key")
            owners.setdefault(trigger.label, dotted(trigger.path))


@rule
def aws_names_are_unique(spec: Spec) -> Iterator[Problem]:
    """Queue names are unique per account and region (DLQs included); so are function and table names.
    CloudWatch alarm names are too, and a queue's alarms are named after it without `.fifo` (plan/build.py),
    so two queue names may not differ only by that suffix."""
    owners: dict[str, str] = {}
    alarm_bases: dict[str, tuple[str, str]] = {}
    for key, queue in spec.queues.items():
        for path, name, owner, written in (
            (("queues", key, "name"), queue_name(key, queue), f"queues.{key}", queue.name),
            (("queues", key, "dlq", "name"), dlq_name(key, queue), f"the dead-letter queue of queues.{key}",
             queue.dlq.name),
        ):
            owner += "" if written else " (its default name)"
            base = name.removesuffix(".fifo")
            if name in owners:
                default = "" if written else " (the default name)"
                yield error(path, f'queue name "{name}"{default} is already used by {owners[name]}',
                            "give every queue and dead-letter queue its own name")
            elif base in alarm_bases:
                other_owner, other = alarm_bases[base]
                yield error(path, f'"{name}" differs from "{other}" ({other_owner}) only by ".fifo": their '
                            "CloudWatch alarms, named without the suffix, would have the same name",
                            "give one of them another name")
            owners.setdefault(name, owner)
            alarm_bases.setdefault(base, (owner, name))
    for kind, what, names in (
        ("functions", "function", {key: function_name(key, fn) for key, fn in spec.functions.items()}),
        ("tables", "table", {key: table_name(spec.project.name, key, t) for key, t in spec.tables.items()}),
    ):
        owners_by_name: dict[str, str] = {}
        for key, name in names.items():
            if name in owners_by_name:
                yield error((kind, key, "name"), f'{what} name "{name}" is already used by {kind}.'
                            f"{owners_by_name[name]}", f"give every {what} its own name")
            owners_by_name.setdefault(name, key)

@rule
def function_keys_are_not_reserved(spec: Spec) -> Iterator[Problem]:
    """`<lambdas_dir>/common/` is the code shared by every function, so it cannot be a function's folder too;
    and IAM role names (the function name + `-role`) are limited to 64 characters."""
    for key, fn in spec.functions.items():
        if (fn.source or key) == "common":
            yield error(("functions", key, "source") if fn.source else ("functions", key),
                        "'common' is the folder of the code shared by every function",
                        "give the function another key or source folder")
        role = f"{function_name(key, fn)}-role"
        if len(role) > 64:
            path = ("functions", key, "name") if fn.name else ("functions", key)
            yield error(path, f"the role name '{role}' is longer than 64 "
                        "characters", "use a function name of at most 59 characters")


@rule
def subscribers_are_unique(spec: Spec) -> Iterator[Problem]:
    """SNS keeps one subscription per endpoint; a repeated address would be two Terraform resources for
    one."""
    seen: set[str] = set()
    for index, address in enumerate(spec.alarms.email_subscribers):
        if address.lower() in seen:
            yield error(("alarms", "email_subscribers", index), f'"{address}" is listed twice',
                        "list it once (addresses are compared without regard to case)")
        seen.add(address.lower())
