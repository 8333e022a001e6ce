"""The estimate as Markdown: `python -m generator cost` prints it, and the runbook carries it as a section."""

from __future__ import annotations

from generator.cost import prices
from generator.cost.estimate import NOT_COUNTED, Estimate

SEED_ESTIMATE = "+$5/month"  # the week-1 plan's "Cost Impact"


def dollars(amount: float) -> str:
    if 0 < amount < 0.005:  # would print as $0.00: say that it is not nothing
        return "<$0.01"
    return f"${amount:,.2f}"


def _quantity(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.2f}"


def markdown(estimate: Estimate, spec_name: str, heading: str = "##") -> list[str]:
    lines = [
        f"{heading} Cost estimate",
        "",
        f"An estimate, not a quote: {prices.REGION} list prices checked on {prices.PRICES_CHECKED} "
        f"(`generator/cost/prices.py`), for the volumes `expected` in {spec_name}, in a 30-day month.",
        "",
        "| service | item | quantity | price | monthly | free tier |",
        "|---|---|---:|---|---:|---:|",
    ]
    for line in estimate.lines:
        free = f"−{dollars(line.free)}" if line.free else ""
        lines.append(f"| {line.service} | {line.item} | {_quantity(line.quantity)} | {line.price.describe()} | "
                     f"{dollars(line.cost)} | {free} |")
    lines += [
        f"| **total** | before the free tier | | | **{dollars(estimate.total)}** | |",
        f"| | free tier (when the account's is not used elsewhere) | | | | −{dollars(estimate.free)} |",
        f"| **total** | after the free tier | | | **{dollars(estimate.after_free_tier)}** | |",
        "",
        f"The week-1 plan estimated **{SEED_ESTIMATE}**; this estimate is {dollars(estimate.total)} a month "
        f"({dollars(estimate.after_free_tier)} within the free tier).",
        "",
        "| queue | messages | 64 KB chunks each | sends | receives | deletes | pollers' long polls | KMS requests |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for queue in estimate.queues:
        lines.append(f"| `{queue.name}` | {queue.messages:,} | {queue.chunks} | {queue.sends:,} | "
                     f"{queue.receives:,} | {queue.deletes:,} | {queue.polls:,} | {queue.kms_requests:,} |")
    lines += [
        "",
        "| function | architecture | invocations | duration (ms) | memory (MB) | GB-seconds |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for fn in estimate.functions:
        lines.append(f"| `{fn.name}` | {fn.architecture} | {fn.invocations:,} | {fn.duration_ms:,} | "
                     f"{fn.memory_mb:,} | {_quantity(fn.gb_seconds)} |")
    lines += [
        "",
        "How it is counted:",
        "",
        "- SQS bills every API call, each 64 KB chunk of its payload as one request: a send per message, a "
        f"receive and a delete per batch of up to {prices.RECEIVE_BATCH}, and the Lambda service's long polls "
        f"({prices.POLL_SECONDS} s each) by {prices.POLLERS_WITH_MAXIMUM_CONCURRENCY} pollers per mapping with a "
        f"maximum concurrency, {prices.POLLERS_WITHOUT} without one, whether or not messages arrive. A disabled "
        "mapping polls nothing.",
        "- Messages per invocation: what arrives within the batching window (at most batch_size); without a "
        "window, one (so invocations are an upper bound).",
        "- Lambda: requests, and GB-seconds (memory × duration) priced by architecture (arm64 is cheaper); "
        "functions without `expected.duration_ms` are counted at their timeout.",
        f"- KMS: the pipeline key, and at most (month / {prices.DATA_KEY_REUSE_SECONDS} s data key reuse) × "
        "(2 × producers + consumers) requests per queue, in the 5-minute periods that see a message.",
        "- The free tier is shared by service (SQS requests, Lambda requests and GB-seconds, KMS requests, "
        f"{prices.CLOUDWATCH_FREE_ALARMS} alarms, {prices.CLOUDWATCH_FREE_DASHBOARDS} dashboards of up to "
        f"{prices.CLOUDWATCH_FREE_DASHBOARD_METRICS} metrics) and credited to the cheaper rate first.",
        f"- Not counted: {', '.join(NOT_COUNTED)}.",
    ]
    if estimate.notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in estimate.notes]
    return lines
