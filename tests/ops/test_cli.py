"""The operations commands' contract before they touch any AWS: the target is always explicit, a wrong name or a
request SQS would refuse is a usage error (exit 2) naming what exists, and --local without a running stack says
how to start one (exit 1)."""

from __future__ import annotations

import shutil

import pytest

from generator.cli import main
from tests.conftest import TOPOLOGIES

SEED = TOPOLOGIES / "seed" / "queues.toml"
MARKETPLACE = TOPOLOGIES / "marketplace" / "queues.toml"

# every command with the arguments it needs besides the target
COMMANDS = [
    ["status"], ["send", "email"], ["peek", "email"], ["redrive", "email"], ["disable", "email"],
    ["enable", "email"], ["purge", "email"], ["logs"], ["logs", "email"], ["trace", "job-1"], ["invoke", "email"],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_no_command_runs_without_an_explicit_target(command, capsys):
    assert main([*command, "--spec", str(SEED)]) == 2
    assert "one of the arguments --local --aws is required" in capsys.readouterr().err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_local_without_a_running_stack_says_how_to_start_one(command, tmp_path, capsys):
    spec = tmp_path / "queues.toml"
    shutil.copy(SEED, spec)
    assert main([*command, "--local", "--spec", str(spec)]) == 1
    assert "the local stack is not running: start it with `make up`" in capsys.readouterr().err


@pytest.mark.parametrize(("command", "message"), [
    (["peek", "videos"], "'videos' is not a queue of"),
    (["redrive", "email-queue"], "email-queue is not a dead-letter queue: its DLQ is email-dlq"),
    (["redrive", "email", "--to", "nowhere"], "'nowhere' is not a queue of"),
    (["purge", "mail"], "'mail' is not a queue of"),
    (["disable", "router"], "'router' is neither a function with a trigger nor a consumed queue"),
    (["send", "email", "--deduplication-id", "x"], "email-queue is a standard queue: --deduplication-id is for FIFO"),
    (["send", "email", "--attribute", "novalue"], "--attribute 'novalue': use NAME=VALUE"),
    (["send", "email", "--attribute", "n:Binary=1"], "the type is String (the default) or Number"),
    (["status", "--environment", "Prod"], "--environment 'Prod': lowercase letters"),
    (["logs", "mailer"], "'mailer' is not a function of"),
    (["logs", "--since", "soon"], "--since 'soon': use a duration"),
    (["invoke", "mailer"], "'mailer' is not a function of"),
    (["invoke", "email", "--queue", "nowhere"], "'nowhere' is not a queue of"),
])  # fmt: skip
def test_a_wrong_name_or_option_is_a_usage_error_naming_what_exists(command, message, capsys):
    assert main([*command, "--local", "--spec", str(SEED)]) == 2
    assert message in capsys.readouterr().err


def test_a_fifo_queue_without_content_based_deduplication_needs_a_deduplication_id(capsys):
    assert main(["send", "payments", "{}", "--local", "--spec", str(MARKETPLACE)]) == 2
    assert "pass --deduplication-id ID" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--max", "0"], ["--rate", "x"], ["--method", "fast"]])
def test_redrive_options_out_of_range_are_refused(option, capsys):
    assert main(["redrive", "email", "--local", "--spec", str(SEED), *option]) == 2
    assert "error: argument" in capsys.readouterr().err


def test_invoke_runs_on_the_local_stack_only(capsys):
    assert main(["invoke", "email", "--aws", "--spec", str(SEED)]) == 2
    assert "use `aws lambda invoke`" in capsys.readouterr().err


def test_event_prints_an_sqs_event_of_the_queue_without_a_stack(capsys):
    import json

    assert main(["event", "sqs", "--queue", "email", "--spec", str(SEED), "--body", "hi", "--attribute", "A=1",
                 "--region", "eu-west-1"]) == 0
    [record] = json.loads(capsys.readouterr().out)["Records"]
    assert record["eventSourceARN"] == "arn:aws:sqs:eu-west-1:123456789012:email-queue"
    assert (record["body"], record["awsRegion"], record["messageAttributes"]["A"]["stringValue"]) == (
        "hi", "eu-west-1", "1")
    assert main(["event", "sqs", "--spec", str(SEED)]) == 2
    assert "name the queue with --queue" in capsys.readouterr().err
    assert main(["event", "http", "--path", "/jobs?x=1", "--body", "{}"]) == 0
    http = json.loads(capsys.readouterr().out)
    assert (http["version"], http["rawPath"], http["rawQueryString"], http["body"]) == ("2.0", "/jobs", "x=1", "{}")
