"""`logs`: the records the Lambda service writes and CloudWatch Logs events, parsed, selected and followed."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from generator.command import UsageError
from generator.local.state import LogRecord, MessageRef
from generator.ops.logs import (
    LocalFiles,
    Selection,
    cloudwatch_record,
    format_record,
    parse_line,
    parse_since,
)

NOW = dt.datetime(2026, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
RID = "0f0e0d0c-0b0a-0908-0706-050403020100"


def record(time: str = "2026-05-01T11:55:00.000+00:00", function: str = "downloader", text: str = "hello",
           **extra) -> LogRecord:
    return LogRecord(time=time, function=function, stream="function", text=text, **extra)


def test_since_takes_durations_and_times():
    assert parse_since("10m", NOW) == NOW - dt.timedelta(minutes=10)
    assert parse_since("30s", NOW) == NOW - dt.timedelta(seconds=30)
    assert parse_since("2h", NOW) == NOW - dt.timedelta(hours=2)
    assert parse_since("1d", NOW) == NOW - dt.timedelta(days=1)
    assert parse_since("2026-05-01T10:00:00", NOW) == dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
    with pytest.raises(UsageError, match="--since 'ten minutes'"):
        parse_since("ten minutes", NOW)


def test_a_record_survives_its_json_line():
    full = record(request_id=RID, message_ids=("m1", "m2"), correlation_ids=("job-1",), log_stream="s",
                  messages=(MessageRef("m1", "jobs", 2, 1000, "job-1"),), outcome="ok", failed_message_ids=("m2",))
    assert LogRecord.from_json(json.loads(full.to_json())) == full
    assert set(json.loads(record().to_json())) == {"time", "function", "stream", "text"}  # empty fields left out


def test_selection_by_function_time_and_text():
    old = record(time="2026-05-01T11:40:00.000+00:00")
    tagged = record(text="video stored", request_id=RID, message_ids=("m1",), correlation_ids=("job-1",))
    other = record(function="email", text="sent")
    since = Selection(since=parse_since("10m", NOW))
    assert [since.wants(r) for r in (old, tagged, other)] == [False, True, True]
    assert [Selection(frozenset({"downloader"})).wants(r) for r in (old, tagged, other)] == [True, True, False]
    for text in ("stored", RID, "m1", "job-1"):
        assert Selection(text=text).wants(tagged) and not Selection(text=text).wants(other)
    assert not Selection(text="Stored").wants(tagged)  # case-sensitive, as CloudWatch's terms


def test_runner_lines_and_what_the_runner_process_printed():
    line = json.dumps({"time": "2026-05-01T11:55:00.000+00:00", "event": "batch", "function": "email", "records": 2})
    parsed = parse_line(line, runner=True, last_time="")
    assert (parsed.function, parsed.stream, parsed.text) == ("email", "runner", "batch records=2")
    traceback = parse_line("Traceback (most recent call last):", runner=True, last_time=parsed.time)
    assert (traceback.function, traceback.time) == ("runner", parsed.time)
    assert parse_line("not json", runner=False, last_time=parsed.time) is None


def test_files_are_read_from_where_the_last_read_stopped(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    first, second = record(text="one"), record(time="2026-05-01T11:56:00.000+00:00", text="two")
    (logs / "downloader.log").write_text(first.to_json() + "\n" + second.to_json()[:10], encoding="utf-8")
    files = LocalFiles(tmp_path)
    assert files.read_new() == [first]  # the half-written line waits
    with open(logs / "downloader.log", "a", encoding="utf-8") as handle:
        handle.write(second.to_json()[10:] + "\n")
    (tmp_path / "runner.log").write_text(json.dumps({"time": "2026-05-01T11:50:00.000+00:00",
                                                     "event": "mapping-polling"}) + "\n", encoding="utf-8")
    assert [r.text for r in files.read_new()] == ["mapping-polling", "two"]  # merged in time order
    assert files.read_new() == []


def test_cloudwatch_events_get_their_request_and_message_ids():
    requests: dict[str, str] = {}

    def event(message: str, ms: int = 1_777_636_500_000) -> dict:
        return {"logStreamName": "2026/05/01/[$LATEST]abc", "timestamp": ms, "message": message, "eventId": "1"}

    start = cloudwatch_record("thumbnail", event(f"START RequestId: {RID} Version: $LATEST\n"), requests)
    assert (start.stream, start.request_id, start.time) == ("platform", RID, "2026-05-01T11:55:00.000+00:00")
    powertools = json.dumps({"level": "INFO", "message": "stored", "function_request_id": "r-2",
                             "message_id": "m9", "correlation_id": "job-9"})
    line = cloudwatch_record("thumbnail", event(powertools), requests)
    assert (line.request_id, line.message_ids, line.correlation_ids) == ("r-2", ("m9",), ("job-9",))
    text_format = cloudwatch_record("thumbnail", event(f"[INFO]\t2026-05-01T11:55:00Z\t{RID}\tplain"), requests)
    assert text_format.request_id == RID
    printed = cloudwatch_record("thumbnail", event("print() output"), requests)
    assert printed.request_id == RID  # the stream's running invocation


def test_a_line_names_its_function_request_and_messages():
    line = format_record(record(request_id=RID, message_ids=("m1", "m2")))
    assert line == f"2026-05-01T11:55:00.000+00:00 downloader [{RID}; messages m1,m2] hello"
    runner = LogRecord("2026-05-01T11:55:00.000+00:00", "email", "runner", "batch records=1")
    assert format_record(runner) == "2026-05-01T11:55:00.000+00:00 email (runner) batch records=1"


def test_aws_reads_each_function_s_group_once_per_event():
    import boto3
    from moto import mock_aws

    from generator.ops.logs import CloudWatchLogs

    with mock_aws():
        client = boto3.client("logs", region_name="us-east-1")
        client.create_log_group(logGroupName="/aws/lambda/email")
        client.create_log_stream(logGroupName="/aws/lambda/email", logStreamName="s1")
        moment = dt.datetime.now(dt.UTC)  # CloudWatch refuses events older than 14 days
        now = int(moment.timestamp() * 1000)
        client.put_log_events(logGroupName="/aws/lambda/email", logStreamName="s1", logEvents=[
            {"timestamp": now, "message": f"START RequestId: {RID} Version: $LATEST"},
            {"timestamp": now + 1, "message": "sent job-1"},
        ])
        reader = CloudWatchLogs(client, {"email": "/aws/lambda/email", "thumbnail": "/aws/lambda/thumbnail"})
        first = reader.read(moment - dt.timedelta(minutes=1), "")
        assert [(r.function, r.request_id, r.text) for r in first] == [
            ("email", RID, f"START RequestId: {RID} Version: $LATEST"), ("email", RID, "sent job-1")]
        assert reader.read(moment - dt.timedelta(minutes=1), "") == []  # --follow: nothing printed twice
        assert [r.text for r in CloudWatchLogs(client, {"email": "/aws/lambda/email"}).read(None, "job-1")] == [
            "sent job-1"]  # --filter: a quoted term
