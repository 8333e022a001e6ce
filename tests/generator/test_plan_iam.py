"""The plan's policy statements for one function, per use queues.toml can declare (a gallery: one line a use):
exactly the actions of its row in the least-privilege table, and the pipeline key only through the services that
encrypt what the function touches (kms:ViaService)."""

from __future__ import annotations

import pytest

from generator.plan.iam import statements_for
from generator.plan.model import Statement
from generator.plan.privileges import USES
from tests.generator.specs import DELETE, function, spec_with

STORAGE = {
    "tables": {"jobs": {"hash_key": "pk"}},
    "buckets": {"media": {}},
    "email": {"sender": "noreply@example.com"},
}

CONSUME = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]  # the event source mapping's
# use → (the function's settings, {sid: actions} beyond logs and traces, {service: KMS actions})
GALLERY = {
    "consumes only": ({}, {"ConsumeTriggerQueue": CONSUME}, {"sqs": ["kms:Decrypt"]}),
    "sends": ({"trigger": DELETE, "sends_to": ["orders"]}, {"SendToQueues": ["sqs:SendMessage"]},
              {"sqs": ["kms:Decrypt", "kms:GenerateDataKey"]}),
    "writes items": ({"trigger": DELETE, "tables": {"jobs": ["PutItem"]}}, {"UseJobsTable": ["dynamodb:PutItem"]},
                     {"dynamodb": ["kms:Decrypt"]}),
    "describes a table only": ({"trigger": DELETE, "tables": {"jobs": ["DescribeTable"]}},
                               {"UseJobsTable": ["dynamodb:DescribeTable"]}, {}),
    "reads objects": ({"trigger": DELETE, "buckets": {"media": {"read": ["videos/"]}}},
                      {"ListMediaPrefixes": ["s3:ListBucket"], "ReadMediaObjects": ["s3:GetObject"]},
                      {"s3": ["kms:Decrypt"]}),
    "writes objects": ({"trigger": DELETE, "buckets": {"media": {"write": ["thumbnails/"]}}},
                       {"WriteMediaObjects": ["s3:PutObject"]}, {"s3": ["kms:GenerateDataKey"]}),
    "uploads objects in parts": ({"trigger": DELETE, "buckets": {"media": {"upload": ["videos/"]}}},
                                 {"UploadMediaObjects": ["s3:AbortMultipartUpload", "s3:PutObject"]},
                                 {"s3": ["kms:Decrypt", "kms:GenerateDataKey"]}),
    "lists objects": ({"trigger": DELETE, "buckets": {"media": {"list": ["videos/"]}}},
                      {"ListMediaPrefixes": ["s3:ListBucket"]}, {}),
    "sends email": ({"trigger": DELETE, "sends_email": True}, {"SendEmailFromSender": ["ses:SendEmail"]}, {}),
    "does nothing but run": ({"trigger": DELETE}, {}, {}),
    "consumes, sends, stores": (
        {"sends_to": ["orders"], "tables": {"jobs": ["GetItem", "UpdateItem"]},
         "buckets": {"media": {"read": ["in/"], "write": ["out/"]}}},
        {"ConsumeTriggerQueue": CONSUME,
         "SendToQueues": ["sqs:SendMessage"], "UseJobsTable": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
         "ListMediaPrefixes": ["s3:ListBucket"], "ReadMediaObjects": ["s3:GetObject"],
         "WriteMediaObjects": ["s3:PutObject"]},
        {"dynamodb": ["kms:Decrypt"], "s3": ["kms:Decrypt", "kms:GenerateDataKey"],
         "sqs": ["kms:Decrypt", "kms:GenerateDataKey"]}),
}


def _statements(settings: dict) -> dict[str, Statement]:
    spec = spec_with(STORAGE, function(**settings))
    fn = spec.functions["worker"]
    consumed = [fn.trigger.queue] if fn.trigger else []
    return {statement.sid: statement for statement in statements_for("worker", fn, spec, consumed)}


@pytest.mark.parametrize("use", sorted(GALLERY))
def test_each_use_grants_its_rows_actions_and_the_key_through_its_services(use: str) -> None:
    settings, expected, key_use = GALLERY[use]
    if settings.get("trigger", "") is None:
        settings = {**settings, "trigger": DELETE}
    statements = _statements({key: value for key, value in settings.items()})
    assert statements.pop("WriteOwnLogs").actions == USES["write_logs"].actions
    assert statements.pop("WriteTraces").actions == USES["write_traces"].actions
    keys = {sid.removeprefix("UsePipelineKeyThrough").lower(): statements.pop(sid) for sid in list(statements)
            if sid.startswith("UsePipelineKeyThrough")}
    assert {sid: list(st.actions) for sid, st in statements.items()} == expected
    assert {service: list(st.actions) for service, st in keys.items()} == key_use
    for service, statement in keys.items():
        (condition,) = statement.conditions
        assert (condition.test, condition.variable, condition.values) == (
            "StringEquals", "kms:ViaService", (f'"{service}.${{local.region}}.amazonaws.com"',))
        assert statement.resources == ("aws_kms_key.pipeline.arn",)


def test_readers_list_exactly_their_prefixes_and_listers_theirs() -> None:
    statements = _statements({"trigger": DELETE,
                              "buckets": {"media": {"read": ["videos/"], "list": ["exports/"], "write": ["out/"]}}})
    (condition,) = statements["ListMediaPrefixes"].conditions
    assert (condition.test, condition.variable, condition.values) == ("StringLike", "s3:prefix",
                                                                      ('"exports/*"', '"videos/*"'))
    assert statements["ReadMediaObjects"].resources == ('"${aws_s3_bucket.media.arn}/videos/*"',)
    assert statements["WriteMediaObjects"].resources == ('"${aws_s3_bucket.media.arn}/out/*"',)


def test_every_statement_says_why_in_one_line() -> None:
    statements = _statements(GALLERY["consumes, sends, stores"][0])
    for statement in statements.values():
        assert statement.why and "\n" not in statement.why and len(statement.why) <= 110, statement.sid
