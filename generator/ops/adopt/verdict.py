"""What adopt found for one resource of the generated module, and what the next `terraform apply` does with it."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Action(enum.Enum):
    IMPORT = "import"  # exists: imported, then updated in place where `changes` says
    CREATE = "create"  # does not exist: the apply creates it
    MANAGED = "in state"  # already in the Terraform state: nothing to import
    CONFLICT = "conflict"  # the apply would replace or fight with what exists: the user decides


@dataclass(frozen=True)
class Change:
    attribute: str  # AWS's name for it (VisibilityTimeout, Handler, …)
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.attribute} {self.before} → {self.after}"


@dataclass(frozen=True)
class Found:
    """A lookup's answer (kinds.py): the AWS name it looked for, and what is there."""

    name: str
    exists: bool
    import_id: str | None = None  # set when it exists and Terraform can import it
    changes: tuple[Change, ...] = ()
    conflict: str | None = None  # why the apply cannot simply import it, and the fix
    note: str = ""  # a word on how it was found, or why it is created


@dataclass(frozen=True)
class Verdict:
    address: str  # from the root: module.pipeline.TYPE.LABEL (with [KEY] for count/for_each instances)
    type: str
    found: Found
    in_state: bool = False

    @property
    def action(self) -> Action:
        if self.found.conflict is not None:
            return Action.CONFLICT
        if self.in_state:
            return Action.MANAGED
        return Action.IMPORT if self.found.exists else Action.CREATE


def diff(pairs: Iterable[tuple[str, object, object]]) -> tuple[Change, ...]:
    """(attribute, what exists, what queues.toml wants) → the changes, in the order given."""
    return tuple(Change(attribute, shown(before), shown(after)) for attribute, before, after in pairs
                 if shown(before) != shown(after))


def shown(value: object) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(sorted(str(item) for item in value)) + "]"
    return str(value)
