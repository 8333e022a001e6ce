"""Several environments from one queues.toml: each a workspace of its own, every AWS name prefixed with
"<environment>-" (none in the default workspace), planned side by side in one account with no collision.
Planned offline on the fixed seed copy, whose default names are the week-1 plan's."""

from __future__ import annotations

import pytest

from tests.conftest import on_one_worker
from tests.terraform import topology as checks
from tests.terraform.sts_stub import ACCOUNT_ID
from tests.terraform.test_seed_terraform import SEED

pytestmark = [pytest.mark.terraform, on_one_worker(__name__)]

# The attribute that holds each resource type's AWS name; every other type has no name of its own.
NAME_ATTRIBUTES = {
    "aws_sqs_queue": "name",
    "aws_lambda_function": "function_name",
    "aws_iam_role": "name",
    "aws_iam_role_policy": "name",
    "aws_cloudwatch_log_group": "name",
    "aws_sns_topic": "name",
    "aws_cloudwatch_metric_alarm": "alarm_name",
    "aws_cloudwatch_dashboard": "dashboard_name",
    "aws_dynamodb_table": "name",
    "aws_s3_bucket": "bucket",
    "aws_kms_alias": "name",
    "aws_ses_email_identity": "email",
}
UNNAMED = {
    "aws_kms_key", "aws_sqs_queue_redrive_policy", "aws_sqs_queue_redrive_allow_policy", "aws_sns_topic_policy",
    "aws_lambda_event_source_mapping", "aws_lambda_function_url", "aws_sns_topic_subscription", "aws_lambda_alias",
    "aws_s3_bucket_ownership_controls", "aws_s3_bucket_public_access_block", "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_policy", "aws_s3_object", "aws_lambda_code_signing_config", "aws_signer_signing_job",
    # named at apply time: its name_prefix plus a unique suffix, so two environments never collide
    "aws_signer_signing_profile",
}


@pytest.fixture(scope="module")
def work(terraform_bin, tmp_path_factory):
    work = SEED.workdir(tmp_path_factory.mktemp("environments"))
    work.init()
    return work


def _names(plan: dict) -> dict[str, str]:
    """address → AWS name of every planned resource that has one."""
    names = {}
    for change in plan["resource_changes"]:
        if change["mode"] != "managed":
            continue
        assert change["type"] in NAME_ATTRIBUTES or change["type"] in UNNAMED, f"new resource type {change['type']}"
        if change["type"] in NAME_ATTRIBUTES:
            names[checks.in_module(change["address"])] = change["change"]["after"][NAME_ATTRIBUTES[change["type"]]]
    return names


def _in_staging(name: str) -> str:
    for prefix in ("/aws/lambda/", "alias/"):
        if name.startswith(prefix):
            return prefix + "staging-" + name.removeprefix(prefix)
    return "staging-" + name


@pytest.fixture(scope="module")
def plans(work) -> dict[str, dict]:
    default = checks.offline_plan(work)
    work.run("workspace", "new", "staging")
    try:
        staging = checks.offline_plan(work, "-var", "environment=staging", "-var", "manage_email_identity=false")
    finally:
        work.run("workspace", "select", "default")
    return {"default": default, "staging": staging}


def test_two_environments_plan_side_by_side_in_one_account_with_no_name_in_common(plans) -> None:
    default, staging = _names(plans["default"]), _names(plans["staging"])
    assert set(default.values()).isdisjoint(staging.values())
    # the same resources, each named "staging-<the default name>", except the one SES identity they share
    shared = {"aws_ses_email_identity.sender[0]"}
    assert set(default) - shared == set(staging)
    assert {address: _in_staging(name) for address, name in default.items() if address not in shared} == staging
    assert default["aws_ses_email_identity.sender[0]"] == "noreply@example.com"


def test_the_default_environment_keeps_the_literal_names(plans) -> None:
    names = _names(plans["default"])
    assert names["aws_sqs_queue.video_processing"] == "video-processing-queue"
    assert names["aws_iam_role.downloader"] == "downloader-role"
    assert names["aws_s3_bucket.media"] == f"video-pipeline-media-{ACCOUNT_ID}-us-east-1"
    assert names["aws_kms_alias.pipeline"] == "alias/video-pipeline"


def test_every_resource_of_the_second_environment_carries_its_tag(plans) -> None:
    assert checks.unplanned_resources(plans["staging"]) == []
    for change in plans["staging"]["resource_changes"]:
        after = change["change"]["after"] or {}
        if "tags_all" in after:
            assert after["tags_all"].get("environment") == "staging", change["address"]


# `terraform test` (mocked provider) for the environments Terraform must refuse before planning anything: each run
# names the check that has to fail; the messages themselves are in the golden variables.tf and outputs.tf. The
# names' rules are the module's (its variable's validations); the workspace rule is the root's (its state).
MOCKED = """mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[]}" }
  }
  mock_data "aws_region" {
    defaults = { id = "us-east-1", name = "us-east-1" }
  }
}
"""


def _runs(cases: list[tuple[str, str, str]]) -> str:
    return MOCKED + "".join(f"""
run "{name}" {{
  command = plan
  variables {{
    environment = "{environment}"
  }}
  expect_failures = [{check}]
}}
""" for name, environment, check in cases)


MODULE_REFUSALS = _runs([
    ("too_long_for_the_artifacts_bucket", "production1", "var.environment"),  # 11 > 10 characters
    ("uppercase", "Staging", "var.environment"),
    ("trailing_hyphen", "staging-", "var.environment"),
    ("reserved_by_s3", "sthree", "var.environment"),
])
ROOT_REFUSALS = MOCKED + """
run "default_environment_in_the_default_workspace" {
  command = plan
}
""" + _runs([("staging_in_the_default_workspace", "staging", "output.environment")]).removeprefix(MOCKED)


def test_environments_that_would_break_a_name_or_another_state_are_refused(work) -> None:
    from generator import tfcli

    module = work.dir / "modules" / "pipeline"  # the names' rules, with the module as a root of its own
    (module / "tests").mkdir(exist_ok=True)
    (module / "tests" / "environments.tftest.hcl").write_text(MODULE_REFUSALS, encoding="utf-8")
    assert tfcli.run(["init", "-backend=false", "-input=false"], cwd=module, env=work.env).returncode == 0
    result = tfcli.run(["test", "-filter=tests/environments.tftest.hcl", "-no-color"], cwd=module, env=work.env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "4 passed, 0 failed" in result.stdout

    (work.dir / "tests").mkdir(exist_ok=True)  # the workspace's rule, in the root that holds the state
    work.write("tests/environments.tftest.hcl", ROOT_REFUSALS)
    result = work.run("test", "-filter=tests/environments.tftest.hcl", check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "2 passed, 0 failed" in result.stdout


def test_the_region_comes_from_the_providers_standard_chain(work) -> None:
    # AWS_REGION set by the user, var.region unset (its default is null): the provider's chain decides
    work.env["AWS_REGION"] = "eu-west-2"
    try:
        names = _names(checks.offline_plan(work))
    finally:
        work.env["AWS_REGION"] = "us-east-1"
    assert names["aws_s3_bucket.media"] == f"video-pipeline-media-{ACCOUNT_ID}-eu-west-2"
