"""The cost estimate against a topology computed by hand below, line by line: SQS requests per 64 KB chunk
(standard and FIFO apart), the Lambda service's long polls, Lambda requests and GB-seconds by memory and
architecture, ephemeral storage, KMS (key and SQS's requests), alarms and the dashboard, and the free tier."""

from __future__ import annotations

import pytest

from generator.cli import main
from generator.cost import prices
from generator.cost.estimate import estimate, messages_per_invocation
from generator.plan.without_code import plan_without_code
from generator.spec.load import load_spec_text
from generator.spec.model import TriggerSettings

SPEC = """\
[project]
name = "shop"

[alarms]
topic_name = "shop-alarms"

[queues.orders]
visibility_timeout_seconds = 180
max_receive_count = 5
expected = { messages_per_month = 2_000_000, message_bytes = 100_000 }

[queues.events]
fifo_queue = true
visibility_timeout_seconds = 60
max_receive_count = 5
oldest_message_alarm_seconds = false
expected = { messages_per_month = 300_000, message_bytes = 2048 }

[functions.worker]
timeout = 30
memory_size = 512
ephemeral_storage_size = 1024
trigger = { queue = "orders", batch_size = 10, maximum_concurrency = 5 }
expected = { duration_ms = 200 }

[functions.tracker]
timeout = 10
memory_size = 1024
architecture = "arm64"
sends_to = ["orders"]
trigger = { queue = "events", batch_size = 10 }
expected = { duration_ms = 50 }

[functions.api]
timeout = 3
http = "aws_iam"
sends_to = ["events"]
expected = { invocations_per_month = 300_000, duration_ms = 20 }
"""

# By hand, a month being 2,592,000 s:
# orders (standard): 100,000 B = 2 chunks of 64 KB. 2,000,000 sends × 2 = 4,000,000; no batching window, so one
#   message per invocation and per receive: 2,000,000 receives × 2 chunks = 4,000,000, 2,000,000 deletes;
#   maximum_concurrency set: 5 pollers × 2,592,000 / 20 = 648,000 long polls. Total 10,648,000.
# events (FIFO): 2 KB = 1 chunk. 300,000 sends + 300,000 receives + 300,000 deletes; no maximum_concurrency:
#   2 pollers × 129,600 = 259,200. Total 1,159,200.
SQS_STANDARD = 10_648_000
SQS_FIFO = 1_159_200
# Lambda requests: worker 2,000,000 + tracker 300,000 + api 300,000 = 2,600,000.
# GB-s x86: worker 2,000,000 × 0.2 s × 0.5 GB = 200,000; api 300,000 × 0.02 s × 0.125 GB = 750 → 200,750.
# GB-s arm64: tracker 300,000 × 0.05 s × 1 GB = 15,000. Storage: worker 400,000 s × 0.5 GB above 512 MB = 200,000.
# KMS: 8,640 five-minute periods (both queues see more messages than that) × (2 × 1 producer + 1 consumer) each
#   = 2 × 25,920 = 51,840 requests. Alarms: orders DLQ + age, events DLQ only, 2 per function = 9.
# Dashboard: 2 pairs × 10 metrics + 3 functions × 3 = 29 metrics (≤ 50: within the free tier).
EXPECTED = {  # (service, item) → (quantity, monthly cost, free-tier credit)
    ("SQS", "standard queue requests"): (SQS_STANDARD, 10.648 * 0.40, 1.0 * 0.40),  # 1M free, cheaper rate first
    ("SQS", "FIFO queue requests"): (SQS_FIFO, 1.1592 * 0.50, 0.0),
    ("Lambda", "requests"): (2_600_000, 2.6 * 0.20, 1.0 * 0.20),
    ("Lambda", "duration, arm64"): (15_000, 15_000 * 0.0000133334, 15_000 * 0.0000133334),  # arm64 is cheaper
    ("Lambda", "duration, x86_64"): (200_750, 200_750 * 0.0000166667, 200_750 * 0.0000166667),  # 385,000 left
    ("Lambda", "ephemeral storage above 512 MB"): (200_000, 200_000 * 0.0000000309, 0.0),
    ("KMS", "the pipeline key"): (1, 1.00, 0.0),
    ("KMS", "requests made by SQS"): (51_840, 5.184 * 0.03, 2.0 * 0.03),  # 20,000 free
    ("CloudWatch", "alarms"): (9, 0.90, 0.90),
    ("CloudWatch", "dashboard"): (1, 3.00, 3.00),
}


@pytest.fixture(scope="module")
def computed():
    spec = load_spec_text(SPEC).spec
    return estimate(spec, plan_without_code(spec, "queues.toml"))


def test_every_line_matches_the_hand_computed_example(computed) -> None:
    found = {(line.service, line.item): (line.quantity, line.cost, line.free) for line in computed.lines}
    assert found.keys() == EXPECTED.keys()
    for key, (quantity, cost, free) in EXPECTED.items():
        assert found[key] == (pytest.approx(quantity), pytest.approx(cost), pytest.approx(free)), key


def test_totals_before_and_after_the_free_tier(computed) -> None:
    total = sum(cost for _, cost, _ in EXPECTED.values())
    free = sum(credit for _, _, credit in EXPECTED.values())
    assert computed.total == pytest.approx(13.966341, abs=1e-6)
    assert computed.total == pytest.approx(total)
    assert computed.free == pytest.approx(free)
    assert computed.after_free_tier == pytest.approx(5.8605, abs=1e-4)


def test_a_dashboard_over_50_metrics_is_not_in_the_free_tier() -> None:
    queues = "".join(f"\n[queues.q{n}]\nmax_receive_count = 5\n" for n in range(6))  # 6 pairs × 10 = 60 metrics
    spec = load_spec_text(SPEC.split("[queues.orders]")[0] + queues).spec
    lines = {(line.service, line.item): line for line in estimate(spec, plan_without_code(spec, "q.toml")).lines}
    assert lines["CloudWatch", "dashboard"].free == 0


@pytest.mark.parametrize(("window", "batch_size", "messages", "fifo", "expected"), [
    (0, 10, 10_000_000, False, 1),  # no window: invoked as soon as a receive returns
    (5, 100, 100_000, False, 1),  # 0.19 messages arrive within 5 s
    (5, 100, 10_000_000, False, 19),  # 19.3 arrive within 5 s
    (300, 100, 10_000_000, False, 100),  # the window would gather 1157: batch_size caps it
    (5, 10, 10_000_000, True, 1),  # FIFO queues have no batching window
])
def test_messages_per_invocation(window: int, batch_size: int, messages: int, fifo: bool, expected: int) -> None:
    settings = TriggerSettings(batch_size=batch_size, maximum_batching_window_seconds=window)
    assert messages_per_invocation(settings, messages, fifo) == expected


def test_a_disabled_trigger_polls_nothing_and_invokes_nothing() -> None:
    spec = load_spec_text(SPEC.replace('batch_size = 10, maximum_concurrency = 5 }',
                                       'batch_size = 10, maximum_concurrency = 5, enabled = false }')).spec
    result = estimate(spec, plan_without_code(spec, "queues.toml"))
    orders = next(q for q in result.queues if q.name == "orders-queue")
    assert (orders.receives, orders.deletes, orders.polls, orders.consumer) == (0, 0, 0, None)
    assert next(fn for fn in result.functions if fn.name == "worker").invocations == 0


def test_undeclared_volumes_and_durations_are_said_not_guessed() -> None:
    spec = load_spec_text(SPEC.replace("expected = { duration_ms = 200 }\n", "")
                          .replace("expected = { messages_per_month = 300_000, message_bytes = 2048 }\n", "")).spec
    result = estimate(spec, plan_without_code(spec, "queues.toml"))
    assert "queues.events declares no `expected` volume: counted as 0 messages a month" in result.notes
    assert ("functions.worker declares no `expected.duration_ms`: each invocation counted at its timeout (30 s, "
            "an upper bound)") in result.notes
    assert next(fn for fn in result.functions if fn.name == "worker").duration_ms == 30_000


def test_a_duration_longer_than_the_timeout_is_counted_at_the_timeout_and_said() -> None:
    spec = load_spec_text(SPEC.replace("expected = { duration_ms = 200 }", "expected = { duration_ms = 45000 }")).spec
    result = estimate(spec, plan_without_code(spec, "queues.toml"))
    assert next(fn for fn in result.functions if fn.name == "worker").duration_ms == 30_000
    assert any("worker.expected.duration_ms (45000) is longer than its timeout" in note for note in result.notes)


def test_the_cost_command_prints_the_table_beside_the_seed_estimate(tmp_path, capsys) -> None:
    spec = tmp_path / "queues.toml"
    spec.write_text(SPEC)
    assert main(["cost", str(spec)]) == 0
    out = capsys.readouterr().out
    assert f"An estimate, not a quote: us-east-1 list prices checked on {prices.PRICES_CHECKED}" in out
    assert "| SQS | standard queue requests | 10,648,000 | $0.40 per 1,000,000 requests | $4.26 | −$0.40 |" in out
    assert "| **total** | before the free tier | | | **$13.97** | |" in out
    assert "The week-1 plan estimated **+$5/month**; this estimate is $13.97 a month ($5.86 within the free tier)" \
        in out


def test_the_cost_command_reports_an_invalid_spec_like_check(tmp_path, capsys) -> None:
    spec = tmp_path / "queues.toml"
    spec.write_text(SPEC.replace("messages_per_month = 300_000", 'messages_per_month = "many"'))
    assert main(["cost", str(spec)]) == 1
    err = capsys.readouterr().err
    assert "queues.events.expected.messages_per_month" in err
    assert "Traceback" not in err
