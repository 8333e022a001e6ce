"""CloudWatch's alarm rule as the emulator applies it: periods, statistic, M of N, missing data."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.local.emulator.alarms import AlarmDefinition, evaluate

NOW = dt.datetime(2026, 12, 1, 12, 0, 0)
DLQ_ALARM = AlarmDefinition("video-processing-dlq-alarm", "Maximum", 60, 1, None, 1.0,
                            "GreaterThanOrEqualToThreshold", "notBreaching")


def ago(seconds: float) -> dt.datetime:
    return NOW - dt.timedelta(seconds=seconds)


def test_one_message_in_the_dlq_fires_the_alarm():
    state, reason = evaluate(DLQ_ALARM, [(ago(50), 0.0), (ago(10), 1.0)], NOW, "OK")
    assert state == "ALARM"
    assert "1 of the last 1 datapoint(s) [1] breaches" in reason


def test_an_empty_dlq_is_ok():
    assert evaluate(DLQ_ALARM, [(ago(30), 0.0), (ago(10), 0.0)], NOW, "ALARM")[0] == "OK"


def test_datapoints_older_than_the_evaluation_window_do_not_count():
    assert evaluate(DLQ_ALARM, [(ago(61), 5.0), (ago(5), 0.0)], NOW, "ALARM")[0] == "OK"


@pytest.mark.parametrize(
    ("treatment", "current", "expected"),
    [("notBreaching", "ALARM", "OK"), ("breaching", "OK", "ALARM"), ("missing", "OK", "INSUFFICIENT_DATA"),
     ("ignore", "ALARM", "ALARM"), ("ignore", "OK", "OK")],
)
def test_missing_data(treatment, current, expected):
    alarm = AlarmDefinition("a", "Maximum", 60, 1, None, 1.0, "GreaterThanThreshold", treatment)
    assert evaluate(alarm, [], NOW, current)[0] == expected


@pytest.mark.parametrize(
    ("statistic", "expected"),
    [("Sum", "ALARM"), ("Average", "OK"), ("Maximum", "ALARM"), ("Minimum", "OK"), ("SampleCount", "ALARM")],
)
def test_the_statistic_reduces_each_period(statistic, expected):
    # values 0, 0, 3 in one period; threshold: > 2
    alarm = AlarmDefinition("a", statistic, 300, 1, None, 2.0, "GreaterThanThreshold", "notBreaching")
    points = [(ago(200), 0.0), (ago(100), 0.0), (ago(10), 3.0)]
    assert evaluate(alarm, points, NOW, "OK")[0] == expected


def test_m_out_of_n_needs_m_breaching_periods():
    alarm = AlarmDefinition("a", "Maximum", 60, 3, 2, 10.0, "GreaterThanThreshold", "notBreaching")
    one = [(ago(150), 11.0), (ago(90), 1.0), (ago(30), 1.0)]
    two = [(ago(150), 11.0), (ago(90), 1.0), (ago(30), 12.0)]
    assert evaluate(alarm, one, NOW, "OK")[0] == "OK"
    assert evaluate(alarm, two, NOW, "OK")[0] == "ALARM"


def test_missing_periods_count_as_breaching_when_told_so():
    alarm = AlarmDefinition("a", "Maximum", 60, 3, 3, 10.0, "GreaterThanThreshold", "breaching")
    assert evaluate(alarm, [(ago(30), 11.0)], NOW, "OK")[0] == "ALARM"
    assert evaluate(alarm, [(ago(30), 1.0)], NOW, "OK")[0] == "OK"


@pytest.mark.parametrize(
    ("comparison", "value", "expected"),
    [("GreaterThanOrEqualToThreshold", 5, "ALARM"), ("GreaterThanThreshold", 5, "OK"),
     ("LessThanThreshold", 4, "ALARM"), ("LessThanOrEqualToThreshold", 5, "ALARM"), ("LessThanThreshold", 5, "OK")],
)
def test_comparisons_at_the_threshold(comparison, value, expected):
    alarm = AlarmDefinition("a", "Maximum", 60, 1, None, 5.0, comparison, "notBreaching")
    assert evaluate(alarm, [(ago(10), float(value))], NOW, "OK")[0] == expected
