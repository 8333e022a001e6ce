"""What a new rendering does to the resources of the previous one: which only changed their Terraform address
(→ `moved` blocks in moved.tf) and which queues Terraform would destroy or replace (→ refused unless allowed).

A resource is recognised across renderings by what it is in AWS, not by its label: its AWS name when it has a
literal one (`name`, `function_name`, `alarm_name`, …), otherwise what it refers to (a redrive policy is the
policy of its queue, a mapping joins its function and its queue). An address that disappears while exactly one
new address of the same type has the same identity has moved; anything ambiguous is left alone (Terraform then
plans a destroy and a create, and for queues the generator says so).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from generator import templating
from generator.output.previous import Move, Resource, literal_name

# Arguments that carry a resource's AWS name, in the order they are tried (an S3 object's is its key).
_NAME_ARGUMENTS = ("name", "function_name", "alarm_name", "bucket", "email", "key")

# Resources whose name is unique only within the resource they belong to (every function has a `live` alias):
# known by their name and their owner. What refers to one refers to its owner (a mapping on a function's alias
# is the mapping of that function and its queue, whether it invokes the function or its alias).
_SCOPED = {"aws_lambda_alias"}

# hashicorp/aws 5.x: every argument of aws_sqs_queue marked ForceNew (internal/service/sqs/queue.go). A change
# to any of them destroys the queue and creates a new one; the messages in the old one are gone.
QUEUE_TYPE = "aws_sqs_queue"
QUEUE_FORCE_NEW = {"fifo_queue": "false", "name": '""', "name_prefix": '""'}  # argument → value when unset

# What a resource is, whatever its address: (type, argument, its literal AWS name), or, for a resource without a
# name of its own, (type, "of", the identities of the resources it refers to).
Identity = tuple[str, str, "str | tuple[Identity, ...]"]


@dataclass(frozen=True)
class Loss:
    """A queue the new rendering would make Terraform destroy (`change` empty) or replace."""

    name: str  # its AWS name today (its address when it has no literal name): what --allow-destroy takes
    address: str  # its Terraform address in the previous rendering
    file: str  # where the previous rendering declares it
    line: int
    target: str | None  # its address in the new rendering (same, or moved); None when it is gone
    changes: tuple[tuple[str, str, str], ...] = ()  # replaced: (ForceNew argument, was, becomes) for each


def _identities(found: Mapping[str, Resource]) -> dict[str, Identity]:
    identities: dict[str, Identity] = {}

    def identity(address: str, visiting: frozenset[str]) -> Identity:
        if address in identities:
            return identities[address]
        resource = found[address]
        references = (resource.mentions() & found.keys()) - visiting
        if resource.type in _SCOPED:
            owners = tuple(sorted(identity(ref, visiting | {address}) for ref in references))
            identities[address] = (resource.type, literal_name(resource.attributes.get("name")) or "", owners)
            return identities[address]
        for argument in _NAME_ARGUMENTS:
            if (name := literal_name(resource.attributes.get(argument))) is not None:
                result: Identity = (resource.type, argument, name)
                break
        else:  # no name of its own: known by the resources it refers to (a policy by its queue, …)
            parts = sorted(part for ref in references for part in owned(ref, visiting | {address}))
            result = (resource.type, "of", tuple(parts))
        identities[address] = result
        return result

    def owned(address: str, visiting: frozenset[str]) -> tuple[Identity, ...]:
        """What a reference to `address` stands for: its owner's identity for a scoped resource, else its own."""
        found_identity = identity(address, visiting)
        if found[address].type in _SCOPED and isinstance(found_identity[2], tuple):
            return found_identity[2]
        return (found_identity,)

    for address in found:
        identity(address, frozenset())
    return identities


def find_moves(before: Mapping[str, Resource], after: Mapping[str, Resource]) -> list[Move]:
    """Addresses that disappear while the same AWS resource appears under exactly one new address."""
    old, new = _identities(before), _identities(after)
    old_count, new_count = Counter(old.values()), Counter(new.values())
    arrived = {new[address]: address for address in after if address not in before}
    moves = []
    for address in sorted(before.keys() - after.keys()):
        identity = old[address]
        if old_count[identity] == 1 and new_count[identity] == 1 and identity in arrived:
            moves.append(Move(address, arrived[identity]))
    return moves


def kept_moves(existing: Iterable[Move], new: Iterable[Move], declared: Iterable[str]) -> list[Move]:
    """The moved blocks moved.tf keeps: this run's new ones, plus those already there whose `to` is still
    declared (directly or through a chain of moves, a→b then b→c) and whose `from` is not declared again
    (Terraform refuses a move away from an address that still exists)."""
    declared = set(declared)
    by_source = {move.source: move for move in existing if move.source not in declared}
    by_source.update({move.source: move for move in new})

    def leads_to_declared(move: Move, seen: frozenset[str]) -> bool:
        if move.target in declared:
            return True
        following = by_source.get(move.target)
        return following is not None and move.target not in seen and leads_to_declared(following, seen | {move.target})

    return sorted(move for move in by_source.values() if leads_to_declared(move, frozenset({move.source})))


def _force_new(resource: Resource, argument: str) -> str:
    value = resource.attributes.get(argument, QUEUE_FORCE_NEW[argument])
    return literal_name(value) or value


def find_losses(before: Mapping[str, Resource], after: Mapping[str, Resource], moves: Iterable[Move]) -> list[Loss]:
    """Every queue of the previous rendering that the new one destroys or replaces."""
    moved_to = {move.source: move.target for move in moves}
    losses = []
    for address, old in sorted(before.items()):
        if old.type != QUEUE_TYPE:
            continue
        name = literal_name(old.attributes.get("name")) or address
        target = address if address in after else moved_to.get(address)
        if target is None:
            losses.append(Loss(name, address, old.file, old.line, None))
            continue
        changes = tuple((argument, was, becomes) for argument in QUEUE_FORCE_NEW
                        if (was := _force_new(old, argument)) != (becomes := _force_new(after[target], argument)))
        if changes:
            losses.append(Loss(name, address, old.file, old.line, target, changes))
    return losses


_TEMPLATES = templating.environment()


@dataclass(frozen=True)
class MovedPlan:
    source: str  # the spec file name, for the header
    moves: tuple[Move, ...]
    into_module: str  # the module's name when some blocks move resources from this root into it
    renames: bool  # some blocks follow a renamed key


def render_moved(source: str, moves: Iterable[Move]) -> str:
    moves = tuple(sorted(moves))
    into = [move.target.split(".")[1] for move in moves
            if move.target.startswith("module.") and not move.source.startswith("module.")]
    renames = any(move.source.startswith("module.") == move.target.startswith("module.") for move in moves)
    return _TEMPLATES.get_template("moved.tf.j2").render(plan=MovedPlan(source, moves, into[0] if into else "",
                                                                        renames))
