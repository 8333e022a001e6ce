"""The exact commands the runbook prints, in one place: the project's operations commands (generator/local/)
and the AWS CLI equivalents, for queue and function names as queues.toml gives them (the default environment).
"""

from __future__ import annotations

import shlex

from generator.naming import LIVE_ALIAS

TARGET = "--aws"  # the runbook is for the deployed pipeline; --local runs the same against `make up`


def generator(command: str, *arguments: str) -> str:
    return " ".join(["python -m generator", command, TARGET, *(shlex.quote(a) for a in arguments)])


def queue_url(name: str) -> str:
    return f'"$(aws sqs get-queue-url --queue-name {shlex.quote(name)} --query QueueUrl --output text)"'


def queue_depth(name: str, *attributes: str) -> str:
    return f"aws sqs get-queue-attributes --queue-url {queue_url(name)} --attribute-names {' '.join(attributes)}"


def logs(function: str, *, errors: bool = False) -> str:
    command = f"aws logs tail /aws/lambda/{function} --since 1h"
    return command + " --filter-pattern ERROR" if errors else command


def alarm_state(*alarms: str) -> str:
    return (f"aws cloudwatch describe-alarms --alarm-names {' '.join(alarms)} "
            "--query 'MetricAlarms[].[AlarmName,StateValue]' --output text")


def mapping_uuid(function: str) -> str:
    """The mappings invoke the function's live alias: they are listed by the alias's name (function:live)."""
    return (f"aws lambda list-event-source-mappings --function-name {shlex.quote(f'{function}:{LIVE_ALIAS}')} "
            "--query 'EventSourceMappings[].[UUID,EventSourceArn,State]' --output text")


def move_task(dlq: str) -> str:
    arn = (f'"$(aws sqs get-queue-attributes --queue-url {queue_url(dlq)} --attribute-names QueueArn '
           "--query Attributes.QueueArn --output text)\"")
    return f"aws sqs start-message-move-task --source-arn {arn}"
