"""Changes → Markdown for a pull-request comment: destructive changes and widened permissions first, then
queues, triggers and functions, then narrowed permissions."""

from __future__ import annotations

from generator.output.moves import Loss
from generator.review.compare import Change, Changes, RoleChange
from generator.review.grants import Grant

MARKER = "<!-- sqs-lambda-generator: topology diff -->"  # lets CI find and update its own comment


def _value(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(item) for item in value) + "]" if value else "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _change(change: Change) -> str:
    return f"- {change.subject}: `{change.attribute}` {_value(change.old)} → {_value(change.new)}"


def _grant(sign: str, grant: Grant) -> str:
    action, resource, condition = grant
    return f"  - {sign} `{action}` on `{resource}`" + (f" when `{condition}`" if condition else "")


def _loss(loss: Loss) -> str:
    if not loss.changes:
        return f"- `{loss.name}` is **destroyed**: it is no longer in the topology; its messages are lost"
    why = "; ".join(f"`{argument}` {was} → {becomes}" for argument, was, becomes in loss.changes)
    return (f"- `{loss.name}` is **replaced** (destroyed and created again, its messages lost): {why} "
            "(ForceNew in hashicorp/aws)")


def _role(role: RoleChange, sign: str, grants: tuple[Grant, ...]) -> list[str]:
    state = " (new role)" if role.new_role else " (role removed)" if role.removed_role else ""
    return [f"- `{role.role}` of function `{role.function}`{state}:", *(_grant(sign, g) for g in grants)]


def _summary(changes: Changes) -> str:
    counts = [(len(changes.losses), "queue lost", "queues lost"),
              (len(changes.widened) + len(changes.exposed), "permission widened", "permissions widened"),
              (len(changes.disabled), "trigger disabled", "triggers disabled")]
    others = (len(changes.renamed) + len(changes.added_queues) + len(changes.queue_changes) +
              len(changes.enabled) + len(changes.added_mappings) + len(changes.removed_mappings) +
              len(changes.mapping_changes) + len(changes.added_functions) + len(changes.removed_functions) +
              len(changes.function_changes) + len(changes.narrowed))
    parts = [f"**{count} {one if count == 1 else many}**" for count, one, many in counts if count]
    if others:
        parts.append(f"{others} other change{'' if others == 1 else 's'}")
    return " · ".join(parts)


def markdown(changes: Changes, base: str, spec_name: str) -> str:
    lines = [MARKER, f"### Topology change: `{base}` → working tree ({spec_name})", ""]
    if changes.empty():
        return "\n".join([*lines, "No change to the topology: queues, triggers, functions and permissions are "
                          "as they were.", ""])
    lines += [_summary(changes), ""]
    if changes.losses:
        names = ",".join(sorted({loss.name for loss in changes.losses}))
        lines += ["#### Destructive: messages are lost", "",
                  *(_loss(loss) for loss in changes.losses), "",
                  f"`make generate` refuses this until it is confirmed: `python -m generator generate "
                  f"--allow-destroy {names}`.", ""]
    if changes.widened or changes.exposed:
        lines += ["#### Permissions widened", ""]
        lines += [f"- {c.subject}: function URL auth {_value(c.old)} → **{_value(c.new)}**"
                  + (" (public: anyone can call it)" if c.new == "NONE" else "") for c in changes.exposed]
        for role in changes.widened:
            lines += _role(role, "+", role.added)
        lines.append("")
    queue_lines = [f"- new: `{q.name}` (queues.{q.key}) with dead-letter queue `{q.dlq_name}`"
                   for q in changes.added_queues]
    queue_lines += [f"- renamed: queues.{old} → queues.{new}, the same AWS queue `{name}` (moved blocks, nothing "
                    "lost)" for old, new, name in changes.renamed]
    queue_lines += [_change(c) for c in changes.queue_changes]
    if queue_lines:
        lines += ["#### Queues", "", *queue_lines, ""]
    trigger_lines = [f"- {pair}: **disabled** (polling stops; messages stay in the queue)"
                     for pair in changes.disabled]
    trigger_lines += [f"- {pair}: enabled again" for pair in changes.enabled]
    trigger_lines += [f"- new: {pair}" + ("" if enabled else " (disabled)") for pair, enabled in changes.added_mappings]
    trigger_lines += [f"- removed: {pair} (nothing consumes the queue through it any more)"
                      for pair in changes.removed_mappings]
    trigger_lines += [_change(c) for c in changes.mapping_changes]
    if trigger_lines:
        lines += ["#### Triggers", "", *trigger_lines, ""]
    function_lines = [f"- new: `{fn.name}`" for fn in changes.added_functions]
    function_lines += [f"- removed: `{fn.name}`" for fn in changes.removed_functions]
    function_lines += [_change(c) for c in changes.function_changes]
    if function_lines:
        lines += ["#### Functions", "", *function_lines, ""]
    if changes.narrowed:
        lines += ["#### Permissions narrowed", ""]
        for role in changes.narrowed:
            lines += _role(role, "−", role.removed)
        lines.append("")
    return "\n".join(lines)
