"""IAM family (issue 12): every role grants exactly what its function's code calls, nothing more, nothing less.

The grants are derived twice, independently: by the generator, from what queues.toml says each function uses
(generator/plan/privileges.py), and here, from the calls the code makes (tests/generator/code_calls.py reads
lambdas/ with `ast`) through CALL_GRANTS below, a table of what each AWS call needs. The two must agree for
every role of the repository's own topology, and a queues.toml that disagrees with the code must be caught
(the gallery of wrong grants). Both families are counted in the run's figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.naming import function_triggers
from generator.plan.iam import statements_for
from generator.plan.model import Statement
from generator.spec.load import load_spec
from generator.spec.model import Spec
from tests.conftest import ROOT
from tests.figures import Families
from tests.generator.code_calls import code_calls

# What each AWS call needs: IAM actions, and the KMS actions its service performs as the caller on what the
# pipeline key encrypts. Sources: the Service Authorization Reference; S3 "Using SSE-KMS" (PutObject needs
# GenerateDataKey, GetObject Decrypt, multipart uploads both); S3 HeadObject/GetObject (404 for a missing key
# only with s3:ListBucket); SQS "Key management" (producers GenerateDataKey + Decrypt, consumers Decrypt);
# DynamoDB "Encryption at rest: how it works" (the table key is decrypted for each caller).
CALL_GRANTS: dict[tuple[str, str], tuple[set[str], dict[str, set[str]]]] = {
    ("sqs", "send_message"): ({"sqs:SendMessage"}, {"sqs": {"kms:Decrypt", "kms:GenerateDataKey"}}),
    ("s3", "put_object"): ({"s3:PutObject"}, {"s3": {"kms:GenerateDataKey"}}),
    # boto3's managed upload: PutObject, or CreateMultipartUpload/UploadPart/Complete (s3:PutObject) and, on a
    # failure, AbortMultipartUpload; S3 decrypts the parts to complete the upload.
    ("s3", "upload_file"): ({"s3:PutObject", "s3:AbortMultipartUpload"},
                            {"s3": {"kms:Decrypt", "kms:GenerateDataKey"}}),
    ("s3", "get_object"): ({"s3:GetObject"}, {"s3": {"kms:Decrypt"}}),
    ("s3", "head_object"): ({"s3:GetObject", "s3:ListBucket"}, {}),  # metadata only; ListBucket: 404, not 403
    ("s3", "list_objects_v2"): ({"s3:ListBucket"}, {}),
    ("dynamodb", "get_item"): ({"dynamodb:GetItem"}, {"dynamodb": {"kms:Decrypt"}}),
    ("dynamodb", "put_item"): ({"dynamodb:PutItem"}, {"dynamodb": {"kms:Decrypt"}}),
    ("dynamodb", "update_item"): ({"dynamodb:UpdateItem"}, {"dynamodb": {"kms:Decrypt"}}),
    ("dynamodb", "delete_item"): ({"dynamodb:DeleteItem"}, {"dynamodb": {"kms:Decrypt"}}),
    # authorized per contained action (added from the transaction's items)
    ("dynamodb", "transact_write_items"): (set(), {"dynamodb": {"kms:Decrypt"}}),
    ("ses", "send_email"): ({"ses:SendEmail"}, {}),
}
# Calls the Lambda service makes with every function's role: its logs, and its traces (tracing is Active).
LAMBDA_CALLS = {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"}
# ... and, for a function with a trigger, the event source mapping's calls on the queue.
MAPPING_CALLS = ({"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}, {"sqs": {"kms:Decrypt"}})

Grants = tuple[frozenset[str], dict[str, frozenset[str]]]  # (IAM actions, KMS actions per service)

case = Families(lambda family, tried, handled: f"security family {family}: {handled} of {tried} cases handled").case


def _grants(actions: set[str], keys: dict[str, set[str]]) -> Grants:
    return frozenset(actions), {service: frozenset(found) for service, found in keys.items() if found}


def grants_from_code(spec: Spec, spec_dir: Path, key: str) -> Grants:
    fn = spec.functions[key]
    source = spec_dir / spec.project.lambdas_dir
    found = code_calls(source / (fn.source or key) / f"{fn.handler.rsplit('.', 1)[0]}.py", source / "common")
    unknown = sorted(call for call in found.calls if call not in CALL_GRANTS)
    assert not unknown, f"{key} calls {unknown}: add what each needs to CALL_GRANTS"
    actions, keys = set(LAMBDA_CALLS), {}
    if function_triggers(key, fn):
        actions |= MAPPING_CALLS[0]
        keys = {service: set(found_keys) for service, found_keys in MAPPING_CALLS[1].items()}
    for call in found.calls:
        call_actions, call_keys = CALL_GRANTS[call]
        actions |= call_actions
        for service, key_actions in call_keys.items():
            keys.setdefault(service, set()).update(key_actions)
    actions |= {f"dynamodb:{item}" for item in found.transaction_items}
    return _grants(actions, keys)


def _via_service(statement: Statement) -> str:
    (condition,) = [c for c in statement.conditions if c.variable == "kms:ViaService"]
    (endpoint,) = condition.values
    return endpoint.strip('"').split(".", 1)[0]


def grants_from_plan(spec: Spec, key: str) -> Grants:
    fn = spec.functions[key]
    statements = statements_for(key, fn, spec, [t.queue for t in function_triggers(key, fn)])
    actions, keys = set(), {}
    for statement in statements:
        if statement.actions[0].startswith("kms:"):
            keys.setdefault(_via_service(statement), set()).update(statement.actions)
        else:
            actions |= set(statement.actions)
    return _grants(actions, keys)


LIVE = load_spec(ROOT / "queues.toml").spec


@pytest.mark.parametrize("function", sorted(LIVE.functions))
def test_each_role_grants_exactly_what_its_code_calls(function: str) -> None:
    with case("IAM: grants per role against the code's calls"):
        assert grants_from_plan(LIVE, function) == grants_from_code(LIVE, ROOT, function)


def _edited(key: str, changes: dict) -> Spec:
    """The live spec with one function's settings changed, as a user would edit queues.toml."""
    data = LIVE.model_dump(exclude_unset=True)
    data["functions"][key] = {**data["functions"][key], **changes}
    return Spec.model_validate(data, strict=False)


def _buckets(fn, change) -> dict:
    """A `buckets` setting with change(access) applied to each bucket's access table."""
    return {"buckets": {bucket: change(access.model_dump(exclude_defaults=True))
                        for bucket, access in fn.buckets.items()}}


def _swap(access: dict, old: str, new: str) -> dict:
    return {**{k: v for k, v in access.items() if k != old}, new: access.get(old, []) + access.get(new, [])}


# Each: (which function it applies to, the queues.toml edit) that gives a role one grant too many or too few.
# The comparison is per action and per KMS service; which queue, table or prefix a grant names is checked on the
# fixed topologies (tests/terraform/test_seed_terraform.py).
WRONG_GRANTS = {
    "sends to no queue": (lambda fn: fn.sends_to, lambda fn: {"sends_to": []}),
    "a table action the code never takes": (
        lambda fn: fn.tables, lambda fn: {"tables": {t: sorted({*a, "Scan"}) for t, a in fn.tables.items()}}),
    "a table action fewer": (
        lambda fn: fn.tables, lambda fn: {"tables": {t: a[1:] or ["DescribeTable"] for t, a in fn.tables.items()}}),
    "uploads in parts declared as single writes": (
        lambda fn: any(a.upload for a in fn.buckets.values()),
        lambda fn: _buckets(fn, lambda a: _swap(a, "upload", "write"))),
    "single writes declared as uploads in parts": (
        lambda fn: any(a.write for a in fn.buckets.values()),
        lambda fn: _buckets(fn, lambda a: _swap(a, "write", "upload"))),
    "a read the code never makes": (  # functions without a bucket: they get one to read
        lambda fn: not any(a.read for a in fn.buckets.values()),
        lambda fn: _buckets(fn, lambda a: {**a, "read": ["nobody-reads/"]}) if fn.buckets
        else {"buckets": {"media": {"read": ["nobody-reads/"]}}}),
    "no read where the code reads": (
        lambda fn: any(a.read for a in fn.buckets.values()),
        lambda fn: _buckets(fn, lambda a: {k: v for k, v in a.items() if k != "read"})),
    "no bucket at all": (lambda fn: fn.buckets, lambda fn: {"buckets": {}}),
    "no email": (lambda fn: fn.sends_email, lambda fn: {"sends_email": False}),
    "email from a function that sends none": (lambda fn: not fn.sends_email, lambda fn: {"sends_email": True}),
}


@pytest.mark.parametrize("name", sorted(WRONG_GRANTS))
def test_a_queues_toml_that_disagrees_with_the_code_is_caught(name: str) -> None:
    applies, change = WRONG_GRANTS[name]
    targets = [key for key, fn in sorted(LIVE.functions.items()) if applies(fn)]
    if not targets:
        pytest.skip(f"no function of the live topology to try {name!r} on")
    with case("IAM: grants that disagree with the code are caught"):
        for key in targets:
            edited = _edited(key, change(LIVE.functions[key]))
            assert grants_from_plan(edited, key) != grants_from_code(edited, ROOT, key), key
