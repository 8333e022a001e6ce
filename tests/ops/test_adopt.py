"""adopt (generator/ops/adopt/) on an in-process moto: every resource the templates emit has an entry in its table
and is found by the name the Terraform gives it; what exists gets an import block with the provider's import ID;
the conflicts are refused with the resource, why and the fix."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from generator.ops.adopt.estate import Estate
from generator.ops.adopt.imports import render_imports
from generator.ops.adopt.kinds import KINDS
from generator.ops.adopt.survey import module_instances, survey
from generator.ops.adopt.verdict import Action
from generator.output import header
from generator.plan.without_code import plan_without_code
from generator.render import render
from generator.spec.load import load_spec
from tests.conftest import ROOT

TOPOLOGIES = [*sorted(ROOT.glob("tests/topologies/*/queues.toml")), ROOT / "queues.toml"]
REGION = "us-east-1"


def _estate(spec_path: Path, tmp_path: Path, environment: str = "") -> tuple[Estate, Path]:
    spec = load_spec(spec_path).spec
    plan = plan_without_code(spec, "queues.toml")
    module = tmp_path / "module"
    module.mkdir(parents=True, exist_ok=True)
    for name, text in render(plan).items():
        (module / name).write_text(text, encoding="utf-8")
    session = boto3.session.Session(region_name=REGION)
    account = session.client("sts").get_caller_identity()["Account"]
    prefix = f"{environment}-" if environment else ""
    return Estate(plan, prefix, account, REGION, "aws", session, None), module


@pytest.fixture
def aws():
    with mock_aws():
        yield


@pytest.mark.parametrize("spec_path", TOPOLOGIES, ids=lambda p: p.parent.name)
def test_every_resource_the_templates_emit_has_an_entry_and_an_empty_account_means_create(spec_path, tmp_path, aws):
    estate, module = _estate(spec_path, tmp_path, environment="staging")
    types = {instance.resource.type for instance in module_instances(module, estate)}
    assert types - set(KINDS) == set()
    found = survey(module, estate, set())
    assert {v.action for v in found.verdicts} == {Action.CREATE}
    assert render_imports("queues.toml", found.verdicts) == ""
    # names carry the environment's prefix, as the Terraform gives them
    queues = [v.found.name for v in found.verdicts if v.type == "aws_sqs_queue"]
    assert queues and all(name.startswith("staging-") for name in queues)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lambda_function.py", "def lambda_handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def _role(name: str) -> str:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    return boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _function(name: str, role: str, **extra) -> None:
    boto3.client("lambda", region_name=REGION).create_function(
        FunctionName=name, Runtime="python3.12", Handler="lambda_function.lambda_handler", Role=role,
        Code={"ZipFile": _zip()}, Timeout=30, **extra)


def _verdicts(spec_path: Path, tmp_path: Path) -> dict[str, object]:
    estate, module = _estate(spec_path, tmp_path)
    found = survey(module, estate, set())
    return {v.address: v for v in found.verdicts}, found


def test_what_exists_is_imported_with_its_import_id_and_its_changes(tmp_path, aws):
    spec_path = ROOT / "tests/topologies/seed/queues.toml"
    sqs = boto3.client("sqs", region_name=REGION)
    dlq = sqs.create_queue(QueueName="video-processing-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(QueueName="video-processing-queue", Attributes={
        "VisibilityTimeout": "30", "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})})
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue["QueueUrl"],
                                         AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    shared = _role("lambda-execution-role")
    boto3.client("iam").put_role_policy(RoleName="lambda-execution-role", PolicyName="SQSAccessPolicy",
                                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                            {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}))
    for name in ("router", "downloader"):
        _function(name, shared)
        boto3.client("logs", region_name=REGION).create_log_group(logGroupName=f"/aws/lambda/{name}")
    lambda_ = boto3.client("lambda", region_name=REGION)
    # an earlier, partial apply: the router's live alias and its URL on it (both imported, not recreated)
    version = lambda_.publish_version(FunctionName="router")["Version"]
    lambda_.create_alias(FunctionName="router", Name="live", FunctionVersion=version)
    lambda_.create_function_url_config(FunctionName="router", Qualifier="live", AuthType="NONE")
    uuid = lambda_.create_event_source_mapping(FunctionName="downloader", EventSourceArn=queue_arn,
                                               BatchSize=1)["UUID"]
    _role("router-role")
    boto3.client("cloudwatch", region_name=REGION).put_metric_alarm(
        AlarmName="video-processing-dlq-alarm", MetricName="ApproximateNumberOfMessagesVisible", Namespace="AWS/SQS",
        Statistic="Average", Period=300, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    boto3.client("sns", region_name=REGION).create_topic(Name="video-pipeline-alarms")

    verdicts, found = _verdicts(spec_path, tmp_path)
    at = "module.pipeline."

    def verdict(address: str):
        return verdicts[at + address]

    assert verdict("aws_sqs_queue.video_processing").found.import_id == queue["QueueUrl"]
    assert "VisibilityTimeout 30 → 900" in [str(c) for c in verdict("aws_sqs_queue.video_processing").found.changes]
    assert verdict("aws_sqs_queue.video_processing_dlq").found.import_id == dlq
    assert verdict("aws_sqs_queue_redrive_policy.video_processing").found.import_id == queue["QueueUrl"]
    assert verdict("aws_sqs_queue_redrive_allow_policy.video_processing_dlq").action is Action.CREATE
    assert verdict("aws_lambda_function.router").found.import_id == "router"
    changes = {c.attribute: (c.before, c.after) for c in verdict("aws_lambda_function.router").found.changes}
    assert changes["Handler"] == ("lambda_function.lambda_handler", "handler.lambda_handler")
    assert changes["Role"] == ("lambda-execution-role", "router-role")
    assert verdict("aws_lambda_function_url.router").found.import_id == "router/live"
    assert verdict("aws_lambda_alias.router_live").found.import_id == "router/live"
    assert verdict("aws_lambda_alias.downloader_live").action is Action.CREATE
    assert [str(c) for c in verdict("aws_lambda_function_url.router").found.changes] == ["AuthType NONE → AWS_IAM"]
    assert verdict("aws_lambda_event_source_mapping.downloader").found.import_id == uuid
    assert verdict("aws_cloudwatch_log_group.router").found.import_id == "/aws/lambda/router"
    assert verdict("aws_iam_role.router").found.import_id == "router-role"
    assert verdict("aws_iam_role_policy.router").action is Action.CREATE
    assert verdict("aws_cloudwatch_metric_alarm.video_processing_dlq_not_empty").found.import_id == \
        "video-processing-dlq-alarm"
    topic = f"arn:aws:sns:{REGION}:123456789012:video-pipeline-alarms"
    assert verdict("aws_sns_topic.alarms").found.import_id == topic
    assert verdict("aws_sns_topic_policy.alarms").found.import_id == topic
    assert verdict("aws_lambda_function.thumbnail").action is Action.CREATE
    assert not found.of(Action.CONFLICT)
    assert [item.name for item in found.left_alone] == ["lambda-execution-role"]
    assert "SQSAccessPolicy" in found.left_alone[0].what and "delete-role" in found.left_alone[0].advice

    text = render_imports("queues.toml", found.verdicts)
    assert header.origin(text) is header.Origin.GENERATED
    assert f'  to = {at}aws_lambda_event_source_mapping.downloader\n  id = "{uuid}"' in text
    assert text.count("import {") == len(found.of(Action.IMPORT))
    # already in the state: no import block
    estate, module = _estate(spec_path, tmp_path / "again")
    again = survey(module, estate, {at + "aws_sqs_queue.video_processing"})
    assert f"to = {at}aws_sqs_queue.video_processing\n" not in render_imports("queues.toml", again.verdicts)


def test_tables_buckets_keys_and_fifo_queues_are_imported(tmp_path, aws):
    spec_path = next(p for p in TOPOLOGIES if "fifo_queue = true" in p.read_text() or ".fifo" in p.read_text())
    estate, module = _estate(spec_path, tmp_path)
    plan = estate.plan
    fifo = next(q for q in plan.queues if q.fifo)
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=fifo.name, Attributes={"FifoQueue": "true"})["QueueUrl"]
    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/{plan.project}", TargetKeyId=key)
    for table in plan.tables[:1]:
        boto3.client("dynamodb", region_name=REGION).create_table(
            TableName=table.name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": table.hash_key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": table.hash_key, "AttributeType": "S"}])
    verdicts = {v.address: v for v in survey(module, estate, set()).verdicts}
    at = "module.pipeline."
    assert verdicts[f"{at}aws_sqs_queue.{fifo.label}"].found.import_id == url
    assert verdicts[f"{at}aws_kms_key.pipeline"].found.import_id == key
    assert verdicts[f"{at}aws_kms_alias.pipeline"].found.import_id == f"alias/{plan.project}"
    for table in plan.tables[:1]:
        assert verdicts[f"{at}aws_dynamodb_table.{table.label}"].found.import_id == table.name
    for bucket in plan.buckets[:1]:
        name = estate.resolve(bucket.name)
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=name)
        again = {v.address: v for v in survey(module, estate, set()).verdicts}
        assert again[f"{at}aws_s3_bucket.{bucket.label}"].found.import_id == name
        assert again[f"{at}aws_s3_bucket_versioning.{bucket.label}"].action is Action.CREATE  # never enabled


def test_a_mapping_with_filters_shows_the_filter_change(tmp_path, aws):
    spec_path = ROOT / "tests/topologies/marketplace/queues.toml"
    estate, module = _estate(spec_path, tmp_path)
    mapping = next(m for m in estate.plan.mappings if m.filter_patterns)
    fn = estate.function(mapping.function_label)
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=mapping.queue_name,
                           Attributes={"FifoQueue": "true"} if mapping.queue_name.endswith(".fifo") else {})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _function(fn.name, _role("old-role"))
    uuid = boto3.client("lambda", region_name=REGION).create_event_source_mapping(
        FunctionName=fn.name, EventSourceArn=arn, BatchSize=mapping.batch_size)["UUID"]
    verdict = next(v for v in survey(module, estate, set()).verdicts
                   if v.address == f"module.pipeline.aws_lambda_event_source_mapping.{mapping.label}")
    assert verdict.found.import_id == uuid
    assert "FilterCriteria" in [c.attribute for c in verdict.found.changes]


def test_a_standard_queue_where_queues_toml_says_fifo_is_a_conflict(tmp_path, aws):
    spec_path = next(p for p in TOPOLOGIES if ".fifo" in p.read_text() or "fifo_queue = true" in p.read_text())
    estate, module = _estate(spec_path, tmp_path)
    fifo = next(q for q in estate.plan.queues if q.fifo)
    boto3.client("sqs", region_name=REGION).create_queue(QueueName=fifo.name.removesuffix(".fifo"))
    found = survey(module, estate, set())
    conflicts = found.of(Action.CONFLICT)
    assert [v.address for v in conflicts] == [f"module.pipeline.aws_sqs_queue.{fifo.label}"]
    assert "standard queue" in conflicts[0].found.conflict and "Fix:" in conflicts[0].found.conflict


def test_a_queue_mapped_to_another_function_is_a_conflict(tmp_path, aws):
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="video-processing-queue")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _function("legacy-worker", _role("legacy-role"))
    boto3.client("lambda", region_name=REGION).create_event_source_mapping(FunctionName="legacy-worker",
                                                                          EventSourceArn=arn)
    _, found = _verdicts(ROOT / "tests/topologies/seed/queues.toml", tmp_path)
    conflicts = found.of(Action.CONFLICT)
    assert [v.type for v in conflicts] == ["aws_lambda_event_source_mapping"]
    assert "legacy-worker" in conflicts[0].found.conflict and "Fix:" in conflicts[0].found.conflict


def test_an_image_function_cannot_be_updated_in_place_and_is_a_conflict(tmp_path, aws):
    boto3.client("lambda", region_name=REGION).create_function(
        FunctionName="thumbnail", Role=_role("old-role"), PackageType="Image", Architectures=["arm64"],
        Code={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbnail:latest"})
    _, found = _verdicts(ROOT / "tests/topologies/seed/queues.toml", tmp_path)
    conflicts = found.of(Action.CONFLICT)
    assert [v.address for v in conflicts] == ["module.pipeline.aws_lambda_function.thumbnail"]
    assert "package_type" in conflicts[0].found.conflict
