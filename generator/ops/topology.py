"""What the operations commands call things: queues.toml keys or AWS names, in one environment.

The names come from the same loading of queues.toml as `check` and `generate` (generator.spec.load) and the same
naming rules (generator.naming), with the environment's prefix the generated Terraform puts before every AWS
name (`local.name_prefix`: "" in the default environment, "<environment>-" in the others).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator import naming
from generator.command import UsageError
from generator.spec.model import Spec

# The generated `environment` variable's own rule (environment.tf): lowercase, digits, hyphens.
_ENVIRONMENT = re.compile(r"^([a-z]([a-z0-9-]*[a-z0-9])?)?$")


@dataclass(frozen=True)
class QueueRef:
    key: str  # the queues.toml key
    name: str  # the AWS name in this environment
    is_dlq: bool
    fifo: bool

    @property
    def role(self) -> str:
        return "dlq" if self.is_dlq else "queue"


@dataclass(frozen=True)
class TriggerRef:
    function_key: str
    function_name: str  # AWS name in this environment
    queue: QueueRef
    path: tuple[str, ...]  # where queues.toml writes it (functions.<key>.trigger or .triggers.<queue>)
    enabled: bool  # what queues.toml says


@dataclass(frozen=True)
class Topology:
    spec: Spec
    spec_path: Path
    spec_text: str
    environment: str

    @property
    def prefix(self) -> str:
        return f"{self.environment}-" if self.environment else ""

    def queues(self) -> list[QueueRef]:
        """Every queue and its DLQ, by key."""
        found = []
        for key, queue in sorted(self.spec.queues.items()):
            for is_dlq, name in ((False, naming.queue_name(key, queue)), (True, naming.dlq_name(key, queue))):
                found.append(QueueRef(key, self.prefix + name, is_dlq, queue.fifo_queue))
        return found

    def function_name(self, key: str) -> str | None:
        """The AWS name of the function keyed `key` in queues.toml, in this environment (None: no such function)."""
        function = self.spec.functions.get(key)
        return None if function is None else self.prefix + naming.function_name(key, function)

    def function_names(self) -> list[str]:
        return sorted(self.prefix + naming.function_name(key, fn) for key, fn in self.spec.functions.items())

    def triggers(self) -> list[TriggerRef]:
        queues = {(q.key, q.is_dlq): q for q in self.queues()}
        found = []
        for key, function in sorted(self.spec.functions.items()):
            for bound in naming.function_triggers(key, function):
                queue = queues.get((bound.queue, False))
                if queue is not None:
                    found.append(TriggerRef(key, self.prefix + naming.function_name(key, function), queue,
                                            bound.path, bound.settings.enabled))
        return found

    def queue(self, name: str, *, key_means: str) -> QueueRef:
        """A queue named by its queues.toml key (the queue, or its DLQ when key_means="dlq") or its AWS name
        (with or without the environment's prefix)."""
        queues = self.queues()
        for queue in queues:
            if name == queue.key and queue.role == key_means:
                return queue
        for queue in queues:
            if name in (queue.name, queue.name.removeprefix(self.prefix)):
                return queue
        keys = ", ".join(sorted(self.spec.queues))
        raise UsageError(f"{name!r} is not a queue of {self.spec_path} (its keys: {keys}; or an AWS name such "
                         f"as {queues[0].name if queues else 'none'})")

    def dlq(self, name: str) -> QueueRef:
        queue = self.queue(name, key_means="dlq")
        if not queue.is_dlq:
            dlq = next(q for q in self.queues() if q.key == queue.key and q.is_dlq)
            raise UsageError(f"{queue.name} is not a dead-letter queue: its DLQ is {dlq.name} "
                             f"(or name the key: {queue.key})")
        return queue

    def source_of(self, dlq: QueueRef) -> QueueRef:
        return next(q for q in self.queues() if q.key == dlq.key and not q.is_dlq)

    def where(self, path: tuple[str, ...]) -> str:
        """`queues.toml:LINE` of a key (or of the nearest table that is written)."""
        from generator.spec.locations import locate

        found = locate(self.spec_text).of(path)
        return f"{self.spec_path}:{found.line}" if found else str(self.spec_path)

    def consumers(self, name: str, *, queue: str | None = None) -> list[TriggerRef]:
        """The triggers NAME stands for: a function's (all, or the one on `queue`), or a queue's consumer."""
        triggers = self.triggers()
        by_function = [t for t in triggers if name in (t.function_key, t.function_name,
                                                        t.function_name.removeprefix(self.prefix))]
        by_queue = [t for t in triggers if name in (t.queue.key, t.queue.name, t.queue.name.removeprefix(self.prefix))]
        if by_function and by_queue and by_function != by_queue:
            raise UsageError(f"{name!r} is both a function and a queue of {self.spec_path}: name the function and "
                             f"its queue (`FUNCTION --queue QUEUE`)")
        found = by_function or by_queue
        if queue is not None:
            wanted = self.queue(queue, key_means="queue")
            found = [t for t in found if t.queue == wanted]
            if not found:
                raise UsageError(f"{name} has no trigger on {wanted.name}")
        if found:
            return found
        functions = ", ".join(sorted(self.spec.functions))
        raise UsageError(f"{name!r} is neither a function with a trigger nor a consumed queue of {self.spec_path} "
                         f"(functions: {functions})")


def topology(spec_path: Path, environment: str) -> Topology:
    from generator.spec.load import load_spec

    loaded = load_spec(spec_path)
    spec = loaded.spec
    if not _ENVIRONMENT.match(environment):
        raise UsageError(f"--environment {environment!r}: lowercase letters, digits and hyphens, starting with a "
                         "letter (as the generated `environment` variable requires)")
    room = naming.environment_room(spec).length
    if len(environment) > room:
        raise UsageError(f"--environment {environment!r} is longer than the {room} characters {spec_path} allows")
    return Topology(spec, spec_path, loaded.text, environment)
