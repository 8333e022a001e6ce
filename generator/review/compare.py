"""Two plans → what changes in the topology, as data: queues lost (destroyed or replaced, from the same
reading of the renderings that `generate` refuses on: generator/output/moves.py), renamed, added, their attributes;
triggers; functions; and each role's grants, added (widened) or removed (narrowed)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from generator.output import previous
from generator.output.moves import QUEUE_TYPE, Loss, find_losses, find_moves
from generator.plan.model import FunctionPlan, MappingPlan, Plan, QueuePlan
from generator.render import render
from generator.review.grants import Grant, grants_of, moved

_QUEUE_FIELDS = tuple(f.name for f in fields(QueuePlan) if f.name not in ("key", "label", "dlq_label", "consumer",
                                                                          "name", "dlq_name", "fifo"))
_MAPPING_FIELDS = ("batch_size", "maximum_batching_window_seconds", "maximum_concurrency", "filter_patterns")
_FUNCTION_FIELDS = ("description", "runtime", "architecture", "handler", "timeout", "memory_size",
                    "ephemeral_storage_size", "reserved_concurrent_executions", "log_retention_days")


@dataclass(frozen=True)
class Change:
    subject: str  # what changes, as the reviewer knows it: an AWS name and its queues.toml key
    attribute: str
    old: object
    new: object


@dataclass(frozen=True)
class RoleChange:
    role: str
    function: str
    added: tuple[Grant, ...]
    removed: tuple[Grant, ...]
    new_role: bool = False
    removed_role: bool = False


@dataclass
class Changes:
    losses: list[Loss] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # old key, new key, the AWS queue kept
    added_queues: list[QueuePlan] = field(default_factory=list)
    queue_changes: list[Change] = field(default_factory=list)
    # triggers, as `function ← queue` (AWS names); a new one is (pair, enabled)
    disabled: list[str] = field(default_factory=list)
    enabled: list[str] = field(default_factory=list)
    added_mappings: list[tuple[str, bool]] = field(default_factory=list)
    removed_mappings: list[str] = field(default_factory=list)
    mapping_changes: list[Change] = field(default_factory=list)
    added_functions: list[FunctionPlan] = field(default_factory=list)
    removed_functions: list[FunctionPlan] = field(default_factory=list)
    function_changes: list[Change] = field(default_factory=list)
    exposed: list[Change] = field(default_factory=list)  # function URLs whose auth is relaxed or added
    roles: list[RoleChange] = field(default_factory=list)

    @property
    def widened(self) -> list[RoleChange]:
        return [role for role in self.roles if role.added]

    @property
    def narrowed(self) -> list[RoleChange]:
        return [role for role in self.roles if role.removed]

    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


def _matches(before: Plan, after: Plan) -> tuple[dict[str, str], list[Loss], dict[str, str]]:
    """Old queue label → new label for queues that stay (same address, or moved), the losses, and every
    resource's move (old address → new address), read from the two renderings as `generate` reads them."""
    old = previous.resources(render(before))
    new = previous.resources(render(after))
    moves = find_moves(old, new)
    losses = find_losses(old, new, moves)
    addresses = {m.source: m.target for m in moves}
    matches = {}
    for address, resource in old.items():
        if resource.type != QUEUE_TYPE:
            continue
        target = address if address in new else addresses.get(address)
        if target is not None:
            matches[resource.label] = new[target].label
    return matches, losses, addresses


def _describe(queue: QueuePlan) -> str:
    return f"`{queue.name}` (queues.{queue.key})"


def compare(before: Plan, after: Plan) -> Changes:
    changes = Changes()
    matches, changes.losses, moves = _matches(before, after)
    replaced = {loss.address.split(".", 1)[1] for loss in changes.losses}
    new_queues = {q.label: q for q in after.queues}
    matched_new = set()
    for queue in before.queues:
        target_label = matches.get(queue.label)
        if target_label is None or queue.label in replaced:
            if target_label is not None:
                matched_new.add(target_label)
            continue
        new = new_queues[target_label]
        matched_new.add(target_label)
        if new.key != queue.key:
            changes.renamed.append((queue.key, new.key, queue.name))
        for name in _QUEUE_FIELDS:
            if getattr(queue, name) != getattr(new, name):
                changes.queue_changes.append(Change(_describe(new), name, getattr(queue, name), getattr(new, name)))
    changes.added_queues = [q for q in after.queues if q.label not in matched_new]
    _compare_mappings(before, after, changes, moves)
    _compare_functions(before, after, changes, moves)
    return changes


_MAPPING_TYPE = "aws_lambda_event_source_mapping"


def _compare_mappings(before: Plan, after: Plan, changes: Changes, moves: dict[str, str]) -> None:
    """Mappings are matched by Terraform address (through the moves): one that only follows its queue to a new
    name, or its function to a new key, is the same mapping."""
    def subject(plan: Plan, mapping: MappingPlan) -> str:
        name = next(fn.name for fn in plan.functions if fn.key == mapping.function_key)
        return f"`{name}` ← `{mapping.queue_name}`"

    old = {moves.get(f"{_MAPPING_TYPE}.{m.label}", f"{_MAPPING_TYPE}.{m.label}"): m for m in before.mappings}
    new = {f"{_MAPPING_TYPE}.{m.label}": m for m in after.mappings}
    changes.removed_mappings += [subject(before, old[a]) for a in sorted(old.keys() - new.keys())]
    changes.added_mappings += [(subject(after, new[a]), new[a].enabled) for a in sorted(new.keys() - old.keys())]
    for address in sorted(old.keys() & new.keys()):
        was, becomes = old[address], new[address]
        pair = subject(after, becomes)
        if was.enabled and not becomes.enabled:
            changes.disabled.append(pair)
        elif becomes.enabled and not was.enabled:
            changes.enabled.append(pair)
        for name in _MAPPING_FIELDS:
            if getattr(was, name) != getattr(becomes, name):
                changes.mapping_changes.append(Change(pair, name, getattr(was, name), getattr(becomes, name)))


def _compare_functions(before: Plan, after: Plan, changes: Changes, moves: dict[str, str]) -> None:
    """Functions are matched by AWS name (a new name is a new function); grants by what they reference, at
    the addresses after the moves, so a queue that only changes its name keeps its grants."""
    old = {fn.name: fn for fn in before.functions}
    new = {fn.name: fn for fn in after.functions}
    old_grants = {name: {moved(raw, moves): read for raw, read in grants.items()}
                  for name, grants in grants_of(before).items()}
    new_grants = grants_of(after)
    for name in sorted(old.keys() | new.keys()):
        was, becomes = old.get(name), new.get(name)
        if becomes is None and was is not None:
            changes.removed_functions.append(was)
            changes.roles.append(RoleChange(was.role_name, name, (), tuple(sorted(old_grants[name].values())),
                                            removed_role=True))
            continue
        if was is None and becomes is not None:
            changes.added_functions.append(becomes)
            changes.roles.append(RoleChange(becomes.role_name, name, tuple(sorted(new_grants[name].values())), (),
                                            new_role=True))
            if becomes.http_auth:
                changes.exposed.append(Change(f"`{name}`", "function URL", None, becomes.http_auth))
            continue
        assert was is not None and becomes is not None
        for attribute in _FUNCTION_FIELDS:
            if getattr(was, attribute) != getattr(becomes, attribute):
                changes.function_changes.append(Change(f"`{name}`", attribute, getattr(was, attribute),
                                                       getattr(becomes, attribute)))
        if was.http_auth != becomes.http_auth:
            target = changes.exposed if becomes.http_auth == "NONE" or was.http_auth is None else \
                changes.function_changes
            target.append(Change(f"`{name}`", "function URL", was.http_auth, becomes.http_auth))
        added = tuple(sorted(new_grants[name][g] for g in new_grants[name].keys() - old_grants[name].keys()))
        removed = tuple(sorted(old_grants[name][g] for g in old_grants[name].keys() - new_grants[name].keys()))
        if added or removed:
            changes.roles.append(RoleChange(becomes.role_name, name, added, removed))
