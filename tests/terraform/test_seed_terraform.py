"""The fixed seed copy (tests/topologies/seed/ → tests/golden/seed/) and the marketplace golden checked with
Terraform's own tools: fmt, validate, and an offline plan whose JSON shows the seed's exact values. What the plan
cannot know yet (redrive policies embed the DLQ's ARN) the generated `terraform test` checks on a mocked apply
(test_contract.py).
The repository's own queues.toml may hold any topology: test_live_topology.py checks it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import GOLDEN, TOPOLOGIES, on_one_worker
from tests.terraform import topology as checks
from tests.terraform.sts_stub import ACCOUNT_ID
from tests.terraform.topology import Topology

pytestmark = [pytest.mark.terraform, on_one_worker(__name__)]

# The week-1 plan's queues, literally: (queue, visibility, retention, maxReceiveCount, DLQ).
SEED_QUEUES = [
    ("video-processing-queue", 900, 345600, 3, "video-processing-dlq"),
    ("thumbnail-generation-queue", 300, 86400, 3, "thumbnail-generation-dlq"),
    ("email-queue", 60, 172800, 5, "email-dlq"),
    ("analytics-queue", 30, 86400, 2, "analytics-dlq"),
]
LABELS = {
    "video-processing-queue": "video_processing",
    "thumbnail-generation-queue": "thumbnail_generation",
    "email-queue": "email",
    "analytics-queue": "analytics",
}


SEED = Topology(TOPOLOGIES / "seed" / "queues.toml", GOLDEN / "seed")
MARKETPLACE = Topology(TOPOLOGIES / "marketplace" / "queues.toml", GOLDEN / "marketplace")
TENANTS = Topology(TOPOLOGIES / "tenants" / "queues.toml", GOLDEN / "tenants")
GOLDENS = {"seed": SEED, "marketplace": MARKETPLACE, "tenants": TENANTS}


@pytest.fixture(scope="module")
def seed_work(terraform_bin, tmp_path_factory):  # an initialised copy of the seed's golden tree
    work = SEED.workdir(tmp_path_factory.mktemp("plan"))
    work.init()
    return work


@pytest.fixture(scope="module")
def seed_plan(seed_work) -> dict:
    return checks.offline_plan(seed_work)


def _created(plan: dict, resource_type: str) -> dict[str, dict]:
    """address → planned values of the resources of that type being created."""
    found = {}
    for change in plan["resource_changes"]:
        if change["type"] == resource_type and change["mode"] == "managed":
            assert change["change"]["actions"] == ["create"], change["address"]
            found[checks.in_module(change["address"])] = change["change"]
    return found


def _config(plan: dict, address: str) -> dict:
    """The configuration of a resource of the generated module, by its address inside the module."""
    return checks.configured_resources(plan)[checks.MODULE + address]["expressions"]


@pytest.mark.parametrize("case", sorted(GOLDENS))
def test_generated_files_are_canonically_formatted(terraform_bin, case: str, tmp_path: Path) -> None:
    work = GOLDENS[case].workdir(tmp_path)
    work.generated = []  # every file, the scaffold files a new user gets too
    assert checks.fmt_problems(work) == "", "terraform fmt would change the generated files"


@pytest.mark.parametrize("case", sorted(GOLDENS))
def test_generated_configuration_is_valid(terraform_bin, case: str, tmp_path: Path) -> None:
    work = GOLDENS[case].workdir(tmp_path)
    work.init()
    report = checks.validate_report(work)
    assert report["valid"], json.dumps(report["diagnostics"], indent=2)
    assert report["warning_count"] == 0, json.dumps(report["diagnostics"], indent=2)


def test_seed_plan_creates_every_resource_with_the_default_tags(seed_plan: dict) -> None:
    assert checks.unplanned_resources(seed_plan) == []
    assert checks.untagged_resources(seed_plan) == []


def test_every_resource_that_takes_tags_gets_the_modules_tags(seed_work, seed_plan: dict) -> None:
    # which resource types take tags, as the installed provider's schema says (a new type the templates emit is
    # checked without a list to keep up to date)
    schema = json.loads(seed_work.run("providers", "schema", "-json").stdout)
    resources = schema["provider_schemas"]["registry.terraform.io/hashicorp/aws"]["resource_schemas"]
    checked = untagged = 0
    for address, resource in checks.configured_resources(seed_plan).items():
        if resource["mode"] != "managed" or "tags" not in resources[resource["type"]]["block"]["attributes"]:
            continue
        checked += 1
        if resource["expressions"].get("tags", {}).get("references") != ["var.tags"]:
            untagged += 1
            print(f"{address} does not set tags = var.tags")
    assert checked > 10 and untagged == 0


def test_plan_creates_the_eight_seed_queues_with_the_seed_values(seed_plan: dict) -> None:
    queues = {values["after"]["name"]: values for values in _created(seed_plan, "aws_sqs_queue").values()}
    assert sorted(queues) == sorted([q for q, *_ in SEED_QUEUES] + [dlq for *_, dlq in SEED_QUEUES])
    for name, visibility, retention, _receives, dlq in SEED_QUEUES:
        for queue, expected_retention in ((name, retention), (dlq, 1209600)):
            after = queues[queue]["after"]
            assert after["visibility_timeout_seconds"] == visibility, queue
            assert after["message_retention_seconds"] == expected_retention, queue
            assert after["delay_seconds"] == 0, queue
            assert after["receive_wait_time_seconds"] == 0, queue
            assert after["max_message_size"] == 262144, queue
            assert after["fifo_queue"] is False, queue
            # SSE with the pipeline's customer managed key (its ARN is known only after apply)
            assert queues[queue]["after_unknown"]["kms_master_key_id"] is True, queue


def test_plan_wires_each_queue_to_its_own_dead_letter_queue(seed_plan: dict) -> None:
    redrives = _created(seed_plan, "aws_sqs_queue_redrive_policy")
    allows = _created(seed_plan, "aws_sqs_queue_redrive_allow_policy")
    assert len(redrives) == 4 and len(allows) == 4
    for name, *_ in SEED_QUEUES:
        label = LABELS[name]
        redrive = _config(seed_plan, f"aws_sqs_queue_redrive_policy.{label}")
        assert redrive["queue_url"]["references"][0] == f"aws_sqs_queue.{label}.id"
        assert redrive["redrive_policy"]["references"][0] == f"aws_sqs_queue.{label}_dlq.arn"
        allow = _config(seed_plan, f"aws_sqs_queue_redrive_allow_policy.{label}_dlq")
        assert allow["queue_url"]["references"][0] == f"aws_sqs_queue.{label}_dlq.id"
        assert allow["redrive_allow_policy"]["references"][0] == f"aws_sqs_queue.{label}.arn"


# function → (queue it consumes, queues it sends to): the least privilege the topology implies.
SEED_ACCESS = {
    "router": (None, {"video_processing", "analytics"}),
    "downloader": ("video_processing", {"thumbnail_generation", "analytics"}),
    "thumbnail": ("thumbnail_generation", {"email", "analytics"}),
    "email": ("email", {"analytics"}),
    "analytics": ("analytics", set()),
}


def _statements(plan: dict, function: str) -> dict[str, tuple[list[str], list[str]]]:
    config = _config(plan, f"data.aws_iam_policy_document.{function}")
    statements = {}
    for statement in config["statement"]:
        resources = statement["resources"]
        refs = resources.get("references", []) or resources.get("constant_value", [])
        statements[statement["sid"]["constant_value"]] = (statement["actions"]["constant_value"], refs)
    return statements


@pytest.mark.parametrize("function", sorted(SEED_ACCESS))
def test_each_role_grants_only_what_its_function_does(seed_plan: dict, function: str) -> None:
    consumes, sends = SEED_ACCESS[function]
    statements = _statements(seed_plan, function)

    sqs_grants = {sid: st for sid, st in statements.items() if any(a.startswith("sqs:") for a in st[0])}
    expected_sids = ({"ConsumeTriggerQueue"} if consumes else set()) | ({"SendToQueues"} if sends else set())
    assert set(sqs_grants) == expected_sids
    if consumes:
        actions, refs = statements["ConsumeTriggerQueue"]
        # what the event source mapping calls with the role (nothing calls ChangeMessageVisibility)
        assert actions == ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
        assert [r for r in refs if r.endswith(".arn")] == [f"aws_sqs_queue.{consumes}.arn"]
    if sends:
        actions, refs = statements["SendToQueues"]
        assert actions == ["sqs:SendMessage"]
        assert {r.removeprefix("aws_sqs_queue.").removesuffix(".arn") for r in refs if r.endswith(".arn")} == sends

    logs_actions, logs_refs = statements["WriteOwnLogs"]
    assert logs_actions == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert f"aws_cloudwatch_log_group.{function}.arn" in logs_refs
    # "*" only where AWS offers no resource-level permission
    for sid, (actions, refs) in statements.items():
        if refs == ["*"]:
            assert all(a.startswith("xray:") for a in actions), sid

    role = _created(seed_plan, "aws_iam_role")[f"aws_iam_role.{function}"]["after"]
    assert role["name"] == f"{function}-role"


def test_plan_creates_the_event_source_mappings_with_partial_batch_responses(seed_plan: dict) -> None:
    mappings = _created(seed_plan, "aws_lambda_event_source_mapping")
    expected = {"downloader": 1, "thumbnail": 1, "email": 10, "analytics": 100}
    assert sorted(mappings) == sorted(f"aws_lambda_event_source_mapping.{f}" for f in expected)
    for function, batch_size in expected.items():
        after = mappings[f"aws_lambda_event_source_mapping.{function}"]["after"]
        assert after["batch_size"] == batch_size
        assert after["enabled"] is True
        assert after["function_response_types"] == ["ReportBatchItemFailures"]
        assert after["scaling_config"][0]["maximum_concurrency"] >= 2
    assert mappings["aws_lambda_event_source_mapping.analytics"]["after"]["maximum_batching_window_in_seconds"] == 5


def test_plan_creates_the_functions_with_their_queue_urls(seed_plan: dict) -> None:
    functions = {v["after"]["function_name"]: v for v in _created(seed_plan, "aws_lambda_function").values()}
    assert sorted(functions) == ["analytics", "downloader", "email", "router", "thumbnail"]
    router = functions["router"]
    assert router["after"]["runtime"] == "python3.12"
    assert router["after"]["handler"] == "handler.lambda_handler"
    assert router["after"]["tracing_config"] == [{"mode": "Active"}]
    config = _config(seed_plan, "aws_lambda_function.router")
    variables = config["environment"][0]["variables"]
    assert "aws_sqs_queue.video_processing.url" in variables["references"]
    assert "aws_sqs_queue.analytics.url" in variables["references"]
    assert "aws_sqs_queue.email.url" not in variables["references"]
    downloader = functions["downloader"]["after"]
    assert downloader["timeout"] == 150 and downloader["memory_size"] == 1024
    log_groups = {v["after"]["name"]: v["after"] for v in _created(seed_plan, "aws_cloudwatch_log_group").values()}
    assert sorted(log_groups) == [f"/aws/lambda/{f}" for f in sorted(functions)]
    assert {g["retention_in_days"] for g in log_groups.values()} == {365}


def test_plan_alarms_on_the_first_dead_letter_and_on_every_function(seed_plan: dict) -> None:
    alarms = {v["after"]["alarm_name"]: v for v in _created(seed_plan, "aws_cloudwatch_metric_alarm").values()}
    addresses = {v["after"]["alarm_name"]: address
                 for address, v in _created(seed_plan, "aws_cloudwatch_metric_alarm").items()}
    for name in alarms:
        config = _config(seed_plan, addresses[name])
        for actions in ("alarm_actions", "ok_actions"):
            assert config[actions]["references"][0] == "aws_sns_topic.alarms.arn", name
    for _name, *_rest, dlq in SEED_QUEUES:
        # The seed's alarm name, but firing on the first message (the seed's "> 1" would stay silent).
        alarm = alarms[f"{dlq}-alarm"]["after"]
        assert alarm["metric_name"] == "ApproximateNumberOfMessagesVisible"
        assert alarm["statistic"] == "Maximum"
        assert alarm["comparison_operator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["threshold"] == 1
        assert alarm["treat_missing_data"] == "notBreaching"
    for name, *_ in SEED_QUEUES:
        assert alarms[f"{name}-oldest-message-age"]["after"]["metric_name"] == "ApproximateAgeOfOldestMessage"
    for function in SEED_ACCESS:
        assert alarms[f"{function}-errors"]["after"]["metric_name"] == "Errors"
        assert alarms[f"{function}-throttles"]["after"]["metric_name"] == "Throttles"
    assert len(alarms) == 2 * len(SEED_QUEUES) + 2 * len(SEED_ACCESS)

    topics = list(_created(seed_plan, "aws_sns_topic").values())
    assert len(topics) == 1 and topics[0]["after_unknown"]["kms_master_key_id"] is True
    subscriptions = _created(seed_plan, "aws_sns_topic_subscription")
    assert [s["after"]["endpoint"] for s in subscriptions.values()] == ["oncall@example.com"]


# function → {statement id: (actions, resources)} beyond queues, logs, key and traces: what the Lambda code
# needs and nothing more (see lambdas/README.md, "IAM per function").
SEED_STORAGE = {
    "router": {"UseQuotasTable": (["dynamodb:UpdateItem"], ["aws_dynamodb_table.quotas.arn"])},
    "downloader": {
        "ListMediaPrefixes": (["s3:ListBucket"], ["aws_s3_bucket.media.arn"]),
        # upload_file: multipart above 8 MB, aborted on failure
        "UploadMediaObjects": (["s3:AbortMultipartUpload", "s3:PutObject"], ["aws_s3_bucket.media.arn"]),
    },
    "thumbnail": {
        "ListMediaPrefixes": (["s3:ListBucket"], ["aws_s3_bucket.media.arn"]),  # HeadObject: 404, not 403
        "ReadMediaObjects": (["s3:GetObject"], ["aws_s3_bucket.media.arn"]),
        "WriteMediaObjects": (["s3:PutObject"], ["aws_s3_bucket.media.arn"]),  # put_object: one request each
    },
    "email": {
        "UseIdempotencyTable": (["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
                                 "dynamodb:UpdateItem"], ["aws_dynamodb_table.idempotency.arn"]),
        # The identity's ARN is built (not read from the resource): environments sharing one account share
        # the identity, and only one of them manages it (manage_email_identity).
        "SendEmailFromSender": (["ses:SendEmail"], ["local.sender_arn"]),
    },
    "analytics": {"UseAnalyticsTable": (["dynamodb:PutItem", "dynamodb:UpdateItem"],
                                        ["aws_dynamodb_table.analytics.arn"])},
}
_BASE_SIDS = {"WriteOwnLogs", "ConsumeTriggerQueue", "SendToQueues", "WriteTraces"}


@pytest.mark.parametrize("function", sorted(SEED_STORAGE))
def test_each_role_reaches_only_its_own_tables_buckets_and_sender(seed_plan: dict, function: str) -> None:
    statements = _statements(seed_plan, function)
    storage = {sid: st for sid, st in statements.items()
               if sid not in _BASE_SIDS and not sid.startswith("UsePipelineKeyThrough")}
    assert sorted(storage) == sorted(SEED_STORAGE[function])
    for sid, (actions, resources) in SEED_STORAGE[function].items():
        got_actions, got_refs = storage[sid]
        assert got_actions == actions, sid
        assert [r for r in got_refs if r.endswith((".arn", "_arn"))] == resources, sid


# function → {service: KMS actions}: what each service does with the pipeline key as the function (producers:
# GenerateDataKey and Decrypt through SQS; consumers Decrypt; DynamoDB decrypts the table key for every caller;
# S3 makes a data key per object written, decrypts for reads and for multipart parts). Nothing else.
SEED_KEY_USE = {
    "router": {"dynamodb": ["kms:Decrypt"], "sqs": ["kms:Decrypt", "kms:GenerateDataKey"]},
    "downloader": {"s3": ["kms:Decrypt", "kms:GenerateDataKey"], "sqs": ["kms:Decrypt", "kms:GenerateDataKey"]},
    "thumbnail": {"s3": ["kms:Decrypt", "kms:GenerateDataKey"], "sqs": ["kms:Decrypt", "kms:GenerateDataKey"]},
    "email": {"dynamodb": ["kms:Decrypt"], "sqs": ["kms:Decrypt", "kms:GenerateDataKey"]},
    "analytics": {"dynamodb": ["kms:Decrypt"], "sqs": ["kms:Decrypt"]},  # consumes, never sends: no data key
}


@pytest.mark.parametrize("function", sorted(SEED_KEY_USE))
def test_each_role_uses_the_key_only_through_the_services_that_need_it(seed_plan: dict, function: str) -> None:
    config = _config(seed_plan, f"data.aws_iam_policy_document.{function}")
    found = {}
    for statement in config["statement"]:
        actions = statement["actions"]["constant_value"]
        if not any(action.startswith("kms:") for action in actions):
            continue
        assert all(action.startswith("kms:") for action in actions)
        assert statement["resources"]["references"][0] == "aws_kms_key.pipeline.arn"
        (condition,) = statement["condition"]
        assert (condition["test"]["constant_value"], condition["variable"]["constant_value"]) == (
            "StringEquals", "kms:ViaService")
        assert condition["values"]["references"] == ["local.region"]  # "<service>.${local.region}.amazonaws.com"
        found[statement["sid"]["constant_value"].removeprefix("UsePipelineKeyThrough").lower()] = actions
    assert found == SEED_KEY_USE[function]


def test_cloudwatch_may_use_the_key_only_for_this_account(seed_plan: dict) -> None:
    config = _config(seed_plan, "data.aws_iam_policy_document.pipeline_key")
    (statement,) = [s for s in config["statement"]
                    if s["sid"]["constant_value"] == "CloudWatchAlarmsPublishToEncryptedTopic"]
    (condition,) = statement["condition"]
    assert condition["variable"]["constant_value"] == "aws:SourceAccount"
    assert condition["values"]["references"] == ["local.account_id"]


def test_object_grants_are_scoped_to_their_prefixes() -> None:
    iam = (SEED.out_dir / "modules" / "pipeline" / "iam.tf").read_text(encoding="utf-8")
    downloader = iam[iam.index('data "aws_iam_policy_document" "downloader"'):]
    downloader = downloader[:downloader.index("\n}\n")]
    assert 'resources = ["${aws_s3_bucket.media.arn}/videos/*"]' in downloader
    assert 'values   = ["videos/*"]' in downloader  # ListBucket only under videos/
    assert "thumbnails/" not in downloader
    thumbnail = iam[iam.index('data "aws_iam_policy_document" "thumbnail"'):]
    thumbnail = thumbnail[:thumbnail.index("\n}\n")]
    assert 'sid       = "ReadMediaObjects"' in thumbnail
    assert '"${aws_s3_bucket.media.arn}/thumbnails/*"' in thumbnail


def test_plan_creates_the_tables_bucket_and_function_url(seed_plan: dict) -> None:
    tables = {v["after"]["name"]: v["after"] for v in _created(seed_plan, "aws_dynamodb_table").values()}
    assert sorted(tables) == ["video-pipeline-analytics", "video-pipeline-idempotency", "video-pipeline-quotas"]
    assert tables["video-pipeline-analytics"]["range_key"] == "sk"
    assert all(t["billing_mode"] == "PAY_PER_REQUEST" for t in tables.values())
    assert all(t["point_in_time_recovery"][0]["enabled"] is True for t in tables.values())
    buckets = _created(seed_plan, "aws_s3_bucket")
    # The seed copy's stub zips are small: the artifacts bucket is there because the seed signs its code.
    assert sorted(buckets) == ["aws_s3_bucket.artifacts", "aws_s3_bucket.media"]
    assert buckets["aws_s3_bucket.media"]["after"]["bucket"] == f"video-pipeline-media-{ACCOUNT_ID}-us-east-1"
    urls = _created(seed_plan, "aws_lambda_function_url")
    assert [u["after"]["authorization_type"] for u in urls.values()] == ["AWS_IAM"]
