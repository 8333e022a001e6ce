"""Spec + Plan → what docs/runbook.md says: per queue its purpose, consumer and producers, its alarms and what
to do when each fires, and the exact commands of the week-1 plan's tests, monitoring, redrive and rollback.
Every sentence that depends on the topology is decided here; runbook.md.j2 prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.docs import commands as cmd
from generator.naming import function_name, function_triggers
from generator.plan.model import AlarmPlan, FunctionPlan, MappingPlan, Plan, QueuePlan
from generator.spec.model import Spec


@dataclass(frozen=True)
class Alarm:
    name: str
    fires_when: str
    steps: tuple[str, ...]  # Markdown, commands in backticks


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str
    summary: str
    facts: tuple[tuple[str, str], ...]  # the table: what → value
    alarms: tuple[Alarm, ...]
    commands: tuple[tuple[str, str], ...]  # what it does → the command


@dataclass(frozen=True)
class RunbookPlan:
    source: str
    project: str
    dashboard: str
    test_queue: str | None  # the queue Test 1 sends the week-1 plan's message to (the HTTP entry's first)
    test_queue_name: str | None
    dlqs: tuple[str, ...]
    alarms: tuple[str, ...]
    queues: tuple[Section, ...]
    functions: tuple[Section, ...]
    rollback: tuple[tuple[str, str, str], ...]  # function, queue key, queues.toml table of the trigger
    functions_to_roll_back: tuple[str, ...]  # every function's AWS name, once
    removals: str  # the --allow-destroy argument removing every queue, as an example
    cost: tuple[str, ...]  # the cost estimate's Markdown lines


def duration(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} s"


def anchor(title: str) -> str:
    """GitHub's heading anchor: lowercase, spaces to hyphens, punctuation other than - and _ dropped."""
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c in "-_")


def _trigger_table(function_key: str, spec: Spec, queue_key: str) -> str:
    fn = spec.functions[function_key]
    if fn.trigger is not None and fn.trigger.queue == queue_key:
        return f"[functions.{function_key}.trigger]"
    return f"[functions.{function_key}.triggers.{queue_key}]"


def _dlq_alarm(queue: QueuePlan, alarm: AlarmPlan, consumer: str | None) -> Alarm:
    steps = [f"See what failed, without consuming it: `{cmd.generator('peek', queue.dlq_name)}` (bodies, "
             "attributes, receive counts, first-received times)."]
    if consumer:
        steps.append(f"Find why in the consumer's log: `{cmd.logs(consumer, errors=True)}`.")
        steps.append("While the cause is open, stop the retries if they do harm: "
                     f"`{cmd.generator('disable', queue.key)}` (see Rollback).")
    steps += [
        "Fix the cause (deploy the fix with `make generate` and `terraform apply`), then send the messages back "
        f"to {queue.name}: `{cmd.generator('redrive', queue.dlq_name)}`.",
        "Messages that must never be processed: leave them to expire, or purge the dead-letter queue "
        f"(`{cmd.generator('purge', queue.dlq_name)}` asks you to confirm by its name).",
        f"Done when `{cmd.generator('status')}` exits 0; the alarm notifies the topic again when it returns to OK.",
    ]
    return Alarm(alarm.name, f"a message failed {queue.max_receive_count} receives from {queue.name} and moved to "
                 f"{queue.dlq_name} (the first one is enough)", tuple(steps))


def _age_alarm(queue: QueuePlan, alarm: AlarmPlan, consumer: str | None, mapping: MappingPlan | None) -> Alarm:
    if consumer is None or mapping is None:
        steps = [f"Nothing in {queue.name}'s topology consumes it: check whatever reads it outside this project."]
    else:
        steps = [f"Is the consumer polling? `{cmd.generator('status')}` shows in-flight messages; "
                 f"`{cmd.mapping_uuid(consumer)}` shows the mapping's state"
                 + ("" if mapping.enabled else " (disabled in queues.toml: messages wait until it is enabled)")
                 + ".",
                 f"Is it failing or throttled? Its Errors and Throttles alarms (below), and "
                 f"`{cmd.logs(consumer, errors=True)}`.",
                 "Falling behind: raise `maximum_concurrency` on the trigger (and the function's reserved "
                 "concurrency if set), `make generate`, `terraform apply`."]
    return Alarm(alarm.name, f"the oldest message in {queue.name} has waited longer than "
                 f"{duration(alarm.threshold)}", tuple(steps))


def _queue_section(queue: QueuePlan, plan: Plan, spec: Spec, alarms: tuple[AlarmPlan, ...]) -> Section:
    mapping = next((m for m in plan.mappings if m.queue_label == queue.label), None)
    consumer = function_name(queue.consumer, spec.functions[queue.consumer]) if queue.consumer else None
    producers = sorted(function_name(k, fn) for k, fn in spec.functions.items() if queue.key in fn.sends_to)
    if mapping is None or consumer is None:
        consumed = "none in this topology"
    else:
        details = [f"batches of up to {mapping.batch_size}"]
        if mapping.maximum_concurrency is not None:
            details.append(f"at most {mapping.maximum_concurrency} at once")
        state = "enabled" if mapping.enabled else "**disabled** in the spec (`enabled = false`): messages wait"
        consumed = f"`{consumer}` ({', '.join(details)}); {state}"
    facts = (
        ("queue", f"`{queue.name}` ({'FIFO' if queue.fifo else 'standard'}); keeps messages "
                  f"{duration(queue.message_retention_seconds)}; visibility timeout "
                  f"{duration(queue.visibility_timeout_seconds)}"),
        ("dead-letter queue", f"`{queue.dlq_name}` after {queue.max_receive_count} failed receives; keeps them "
                              f"{duration(queue.dlq_message_retention_seconds)}"),
        ("consumer", consumed),
        ("producers", ", ".join(f"`{p}`" for p in producers) or "none in this topology"),
    )
    found = []
    for alarm in alarms:
        if alarm.metric_name == "ApproximateNumberOfMessagesVisible":
            found.append(_dlq_alarm(queue, alarm, consumer))
        else:
            found.append(_age_alarm(queue, alarm, consumer, mapping))
    commands = [
        ("send a message (BODY: what the consumer reads)", cmd.generator("send", queue.key, "BODY")),
        ("depth (Test 2)", cmd.queue_depth(queue.name, "ApproximateNumberOfMessages",
                                           "ApproximateNumberOfMessagesNotVisible")),
        ("dead letters (Test 3)", cmd.queue_depth(queue.dlq_name, "ApproximateNumberOfMessages")),
        ("look at the dead letters", cmd.generator("peek", queue.dlq_name)),
        ("send them back after a fix", cmd.generator("redrive", queue.dlq_name)),
        ("the same with the AWS CLI (StartMessageMoveTask)", cmd.move_task(queue.dlq_name)),
    ]
    if consumer:
        commands += [("stop consuming now (emergency)", cmd.generator("disable", queue.key)),
                     ("consume again", cmd.generator("enable", queue.key))]
    title = f"{queue.key}: {queue.description}" if queue.description else queue.key
    return Section(title, anchor(title), queue.description, facts, tuple(found), tuple(commands))


def _function_section(fn: FunctionPlan, spec: Spec, plan: Plan, alarms: tuple[AlarmPlan, ...]) -> Section:
    consumes = [t.queue for t in function_triggers(fn.key, spec.functions[fn.key])]
    sends = spec.functions[fn.key].sends_to
    names = {q.key: q.name for q in plan.queues}
    facts = [("runs", f"{fn.runtime} on {fn.architecture}, {fn.memory_size} MB, timeout {duration(fn.timeout)}")]
    if fn.http_auth:
        facts.append(("HTTP entry", f"function URL, auth `{fn.http_auth}` (terraform output `function_urls`)"))
    facts.append(("consumes", ", ".join(f"`{names[q]}`" for q in consumes) or "no queue"))
    facts.append(("sends to", ", ".join(f"`{names[q]}`" for q in sends if q in names) or "no queue"))
    found = []
    for alarm in alarms:
        if alarm.metric_name == "Errors":
            steps = [f"Read the errors: `{cmd.logs(fn.name, errors=True)}`."]
            if consumes:
                steps.append("Failed messages return to their queue and are retried; after the queue's "
                             "max_receive_count they reach its dead-letter queue (that alarm says what then).")
            steps.append("A bad deploy: roll the code back (Rollback, step 3).")
            found.append(Alarm(alarm.name, alarm.description, tuple(steps)))
        else:
            steps = ["Lambda refused invocations for lack of concurrency: the account's pool, or the function's "
                     "reserved concurrency, is used up."]
            if consumes:
                steps.append("Throttled receives count towards max_receive_count: keep the trigger's "
                             "`maximum_concurrency` within the reserved concurrency.")
            found.append(Alarm(alarm.name, alarm.description, tuple(steps)))
    commands = (("its log, live", cmd.logs(fn.name).replace("--since 1h", "--follow")),
                ("its alarms", cmd.alarm_state(*(a.name for a in alarms))))
    title = f"{fn.key}: {fn.description}" if fn.description else fn.key
    return Section(title, anchor(title), fn.description, tuple(facts), tuple(found), commands)


def runbook_plan(spec: Spec, plan: Plan, cost: list[str]) -> RunbookPlan:
    queue_alarms = dict((q.key, alarms) for q, alarms in plan.queue_alarms)
    function_alarms = dict((fn.key, alarms) for fn, alarms in plan.function_alarms)
    entry = next((q for fn in plan.functions if fn.http_auth for q in spec.functions[fn.key].sends_to), None)
    names = {q.key: q.name for q in plan.queues}
    rollback = tuple((function_name(m.function_key, spec.functions[m.function_key]),
                      next(q.key for q in plan.queues if q.label == m.queue_label),
                      _trigger_table(m.function_key, spec, next(q.key for q in plan.queues
                                                                if q.label == m.queue_label)))
                     for m in plan.mappings)
    return RunbookPlan(
        source=plan.source,
        project=plan.project,
        dashboard=plan.dashboard.name,
        test_queue=entry,
        test_queue_name=names.get(entry) if entry else None,
        dlqs=tuple(q.dlq_name for q in plan.queues),
        alarms=tuple(a.name for _, alarms in (*plan.queue_alarms, *plan.function_alarms) for a in alarms),
        queues=tuple(_queue_section(q, plan, spec, queue_alarms[q.key]) for q in plan.queues),
        functions=tuple(_function_section(fn, spec, plan, function_alarms[fn.key]) for fn in plan.functions),
        rollback=rollback,
        functions_to_roll_back=tuple(fn.name for fn in plan.functions),
        removals=",".join(name for q in plan.queues[:1] for name in (q.dlq_name, q.name)),
        cost=tuple(cost),
    )
