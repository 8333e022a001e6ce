"""Plan → the Mermaid flowchart of docs/topology.md: HTTP entry → function → queue → consumer, each queue →
its dead-letter queue. Flowchart syntax GitHub renders in pull requests: node ids are plain identifiers with a
kind prefix (never a Mermaid keyword such as `end`), every label is quoted, quotes inside are entities.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.plan.model import Plan
from generator.spec.model import Spec

_ENTITIES = {'"': "#34;", "<": "#60;", ">": "#62;", "#": "#35;"}  # Mermaid's numeric entity codes


def label(text: str) -> str:
    """A quoted Mermaid label: characters Mermaid reads as markup become entities."""
    return '"' + "".join(_ENTITIES.get(char, char) for char in text) + '"'


def node_id(kind: str, terraform_label: str) -> str:
    return f"{kind}_{terraform_label}"


@dataclass(frozen=True)
class TopologyPlan:
    source: str
    project: str
    lines: tuple[str, ...]  # the flowchart, without the fence
    rows: tuple[tuple[str, str, str, str], ...]  # queue, producers, consumer, dead-letter queue


def topology_plan(spec: Spec, plan: Plan) -> TopologyPlan:
    lines = ["flowchart LR"]
    functions = {fn.key: fn for fn in plan.functions}
    for fn in plan.functions:
        lines.append(f"    {node_id('fn', fn.label)}({label(fn.name)})")
    for queue in plan.queues:
        lines.append(f"    {node_id('q', queue.label)}[[{label(queue.name)}]]")
        lines.append(f"    {node_id('dlq', queue.dlq_label)}[({label(queue.dlq_name)})]")
    for fn in plan.functions:
        if fn.http_auth:
            entry = node_id("http", fn.label)
            auth = "signed requests (AWS_IAM)" if fn.http_auth == "AWS_IAM" else "public (no auth)"
            lines.append(f"    {entry}([{label('HTTPS: ' + auth)}]) --> {node_id('fn', fn.label)}")
    rows = []
    for queue in plan.queues:
        producers = sorted(k for k, fn in spec.functions.items() if queue.key in fn.sends_to)
        for key in producers:
            lines.append(f"    {node_id('fn', functions[key].label)} --> {node_id('q', queue.label)}")
        mapping = next((m for m in plan.mappings if m.queue_label == queue.label), None)
        if mapping is not None:
            consumer = node_id("fn", mapping.function_label)
            edge = "-->" if mapping.enabled else "-.->|" + label("disabled") + "|"
            lines.append(f"    {node_id('q', queue.label)} {edge} {consumer}")
        lines.append(f"    {node_id('q', queue.label)} -.->|{label(f'after {queue.max_receive_count} receives')}| "
                     f"{node_id('dlq', queue.dlq_label)}")
        consumer_name = functions[mapping.function_key].name if mapping is not None else "none"
        if mapping is not None and not mapping.enabled:
            consumer_name += " (disabled)"
        rows.append((queue.name, ", ".join(functions[k].name for k in producers) or "none", consumer_name,
                     queue.dlq_name))
    lines += ["    classDef dlq stroke-dasharray: 4 2"]
    dlqs = ",".join(node_id("dlq", q.dlq_label) for q in plan.queues)
    lines.append(f"    class {dlqs} dlq")
    return TopologyPlan(plan.source, plan.project, tuple(lines), tuple(rows))
