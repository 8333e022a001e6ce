"""CloudWatch alarm evaluation, which the emulator stores but never performs.

`evaluate` is CloudWatch's rule for a metric alarm, on plain values: the last EvaluationPeriods periods of
Period seconds ending now, each reduced by the alarm's Statistic; the alarm is in ALARM when at least
DatapointsToAlarm (default: EvaluationPeriods) of them breach the threshold, OK otherwise. Periods without
data follow TreatMissingData: `missing` (all missing → INSUFFICIENT_DATA), `notBreaching` (good), `breaching`
(bad), `ignore` (the state stays). https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html

`start` runs it inside the emulator every EVALUATE_SECONDS over every metric alarm and records the state in
the emulator (SetAlarmState's effect), so DescribeAlarms and `aws cloudwatch describe-alarms` agree.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from moto.cloudwatch.models import Alarm

EVALUATE_SECONDS = 10
# A metric: (namespace, metric name, its dimensions as (name, value) pairs)
Metric = tuple[str, str, frozenset[tuple[str | None, str | None]]]

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}


@dataclass(frozen=True)
class AlarmDefinition:
    name: str
    statistic: str  # Average | Sum | Minimum | Maximum | SampleCount
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int | None
    threshold: float
    comparison: str
    treat_missing_data: str  # missing | notBreaching | breaching | ignore


def reduce(statistic: str, values: Sequence[float]) -> float:
    if statistic == "Sum":
        return float(sum(values))
    if statistic == "Maximum":
        return float(max(values))
    if statistic == "Minimum":
        return float(min(values))
    if statistic == "SampleCount":
        return float(len(values))
    return float(sum(values)) / len(values)  # Average


def evaluate(alarm: AlarmDefinition, datapoints: Sequence[tuple[dt.datetime, float]], now: dt.datetime,
             current_state: str) -> tuple[str, str]:
    """(state, reason) of the alarm at `now`, from its metric's datapoints."""
    breaches = COMPARISONS[alarm.comparison]
    needed = alarm.datapoints_to_alarm or alarm.evaluation_periods
    values: list[float | None] = []
    for index in range(alarm.evaluation_periods):
        end = now - dt.timedelta(seconds=alarm.period * index)
        start = end - dt.timedelta(seconds=alarm.period)
        in_period = [value for stamp, value in datapoints if start <= stamp < end]
        values.append(reduce(alarm.statistic, in_period) if in_period else None)
    present = [value for value in values if value is not None]
    missing = len(values) - len(present)
    if not present:
        empty = f"no datapoints in {alarm.evaluation_periods} period(s) of {alarm.period} s"
        if alarm.treat_missing_data == "notBreaching":
            return "OK", f"{empty}: treated as not breaching"
        if alarm.treat_missing_data == "breaching":
            return "ALARM", f"{empty}: treated as breaching"
        if alarm.treat_missing_data == "ignore":
            return current_state, f"{empty}: state kept (treat missing data: ignore)"
        return "INSUFFICIENT_DATA", empty
    breaching = sum(1 for value in present if breaches(value, alarm.threshold))
    if alarm.treat_missing_data == "breaching":
        breaching += missing
    shown = ", ".join("missing" if value is None else f"{value:g}" for value in reversed(values))
    reason = (f"{breaching} of the last {alarm.evaluation_periods} datapoint(s) [{shown}] "
              f"{'breach' if breaching != 1 else 'breaches'} {alarm.comparison} {alarm.threshold:g} "
              f"({alarm.statistic}, {alarm.period} s)")
    return ("ALARM" if breaching >= needed else "OK"), reason


def _definition(alarm: Alarm) -> AlarmDefinition:
    return AlarmDefinition(
        name=alarm.name,
        statistic=alarm.statistic or "Average",
        period=int(alarm.period),
        evaluation_periods=int(alarm.evaluation_periods),
        datapoints_to_alarm=int(alarm.datapoints_to_alarm) if alarm.datapoints_to_alarm else None,
        threshold=float(alarm.threshold),
        comparison=alarm.comparison_operator,
        treat_missing_data=alarm.treat_missing_data or "missing",
    )


def evaluate_all(now: dt.datetime | None = None) -> int:
    """One round over every metric alarm of every emulated account and region; how many changed state."""
    from moto.cloudwatch.models import cloudwatch_backends

    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)  # moto keeps naive UTC timestamps
    changed = 0
    for account in list(cloudwatch_backends):
        for region in list(cloudwatch_backends[account]):
            backend = cloudwatch_backends[account][region]
            alarms = [alarm for alarm in list(backend.alarms.values()) if alarm.metric_name and alarm.namespace]
            if not alarms:
                continue
            series: dict[Metric, list[tuple[dt.datetime, float]]] = {}
            for datum in backend.get_all_metrics():
                if hasattr(datum, "value"):  # single values (statistic sets are not used here)
                    key = (datum.namespace, datum.name, frozenset((d.name, d.value) for d in datum.dimensions))
                    series.setdefault(key, []).append((_naive(datum.timestamp), float(datum.value)))
            for alarm in alarms:
                key = (alarm.namespace, alarm.metric_name, frozenset((d.name, d.value) for d in alarm.dimensions))
                datapoints = series.get(key, [])
                state, reason = evaluate(_definition(alarm), datapoints, now, alarm.state_value)
                if state != alarm.state_value:
                    alarm.update_state(reason, json.dumps({"evaluatedBy": "generator.local.emulator.alarms"}), state)
                    changed += 1
    return changed


def _naive(stamp: dt.datetime) -> dt.datetime:
    return stamp.astimezone(dt.UTC).replace(tzinfo=None) if stamp.tzinfo else stamp


def start(stopped: threading.Event) -> threading.Thread:
    def loop() -> None:
        while not stopped.wait(EVALUATE_SECONDS):
            try:
                evaluate_all()
            except Exception as error:  # keep evaluating; say why this round failed
                print(f"alarm evaluation failed: {type(error).__name__}: {error}", flush=True)

    thread = threading.Thread(target=loop, name="alarm-evaluation", daemon=True)
    thread.start()
    return thread
