"""The checks every topology gets must be able to fail: fed plans with the defect they look for, they say so."""

from __future__ import annotations

from tests.terraform import topology as checks


def _plan(changes: list[dict], configured: list[str], tags: dict[str, str]) -> dict:
    return {
        "variables": {"tags": {"value": tags}},
        "configuration": {"root_module": {"resources": [{"address": a, "mode": "managed"} for a in configured]}},
        "resource_changes": changes,
    }


def _change(address: str, actions: list[str], after: dict | None = None) -> dict:
    return {"address": address, "mode": "managed", "change": {"actions": actions, "after": after or {}}}


def test_a_resource_the_plan_does_not_create_is_reported() -> None:
    plan = _plan([_change("aws_sqs_queue.a", ["create"]), _change("aws_sqs_queue.b", ["delete", "create"])],
                 ["aws_sqs_queue.a", "aws_sqs_queue.b", "aws_sqs_queue.c"], {})
    assert checks.unplanned_resources(plan) == ["aws_sqs_queue.b", "aws_sqs_queue.c",
                                                "aws_sqs_queue.b: ['delete', 'create']"]


def test_instances_of_a_counted_resource_count_as_planned() -> None:
    plan = _plan([_change('aws_sns_topic_subscription.alarm_email["a@example.com"]', ["create"])],
                 ["aws_sns_topic_subscription.alarm_email"], {})
    assert checks.unplanned_resources(plan) == []


def test_a_counted_resource_may_have_no_instance() -> None:
    plan = _plan([], [], {})
    plan["configuration"]["root_module"]["resources"] = [
        {"address": "aws_ses_email_identity.sender", "mode": "managed", "count_expression": {}}]
    assert checks.unplanned_resources(plan) == []


def test_a_taggable_resource_without_the_default_tags_is_reported() -> None:
    tags = {"managed-by": "terraform"}
    plan = _plan([_change("aws_sqs_queue.a", ["create"], {"tags_all": tags}),
                  _change("aws_sqs_queue.b", ["create"], {"tags_all": {"other": "x"}}),
                  _change("aws_sqs_queue_redrive_policy.a", ["create"], {"queue_url": "u"})],
                 [], tags)
    assert checks.untagged_resources(plan) == ["aws_sqs_queue.b: {'other': 'x'}"]
