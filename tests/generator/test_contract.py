"""The contract the generated `terraform test` checks (generator/plan/contract.py), decided in Python: every queue,
mapping and role of a topology gets its assertions, with the exact values queues.toml declares and the ARNs of the
mocked deployment. (tests/terraform/test_contract.py runs the rendered file with terraform.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.pipeline import GENERATED_MARKER, generate, module_dir_of
from generator.plan.contract import ACCOUNT_ID, contract_plan, literal
from generator.plan.without_code import plan_without_code
from generator.problems import GeneratorError
from generator.spec.load import load_spec
from tests.conftest import TOPOLOGIES

CASES = ("seed", "marketplace", "tenants")


def _contract(case: str):
    plan = plan_without_code(load_spec(TOPOLOGIES / case / "queues.toml").spec, "queues.toml")
    return plan, contract_plan(plan)


def _conditions(contract) -> str:
    return "\n".join(assertion.condition for run in contract.runs if run.name == "contract"
                     for section in run.sections for assertion in section.assertions)


def test_literal_evaluates_references_and_the_templates_the_generator_prints() -> None:
    known = {"aws_s3_bucket.media.arn": "arn:aws:s3:::media", "local.account_id": ACCOUNT_ID,
             "local.name_prefix": ""}
    assert literal("aws_s3_bucket.media.arn", known) == "arn:aws:s3:::media"
    assert literal('"${aws_s3_bucket.media.arn}/videos/*"', known) == "arn:aws:s3:::media/videos/*"
    assert literal('"${local.name_prefix}media-${local.account_id}"', known) == f"media-{ACCOUNT_ID}"
    assert literal('"*"', known) == "*"
    with pytest.raises(KeyError):
        literal("aws_s3_bucket.other.arn", known)  # an expression it does not know is an error, never a guess


@pytest.mark.parametrize("case", CASES)
def test_every_queue_gets_its_dlq_receives_retention_visibility_and_alarm(case: str) -> None:
    plan, contract = _contract(case)
    conditions = _conditions(contract)
    for queue in plan.queues:
        dlq_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT_ID}:{queue.dlq_name}"
        redrive = f"jsondecode(aws_sqs_queue_redrive_policy.{queue.label}.redrive_policy)"
        assert f'{redrive}.deadLetterTargetArn == "{dlq_arn}"' in conditions
        assert f"{redrive}.maxReceiveCount == {queue.max_receive_count}" in conditions
        assert (f"aws_sqs_queue.{queue.label}.visibility_timeout_seconds == {queue.visibility_timeout_seconds}"
                in conditions)
        assert (f"aws_sqs_queue.{queue.label}.message_retention_seconds == {queue.message_retention_seconds}"
                in conditions)
        assert (f"aws_cloudwatch_metric_alarm.{queue.dlq_label}_not_empty.dimensions == "
                f'tomap({{ QueueName = "{queue.dlq_name}" }})') in conditions


@pytest.mark.parametrize("case", CASES)
def test_every_mapping_gets_its_batch_window_enabled_state_and_visibility_bound(case: str) -> None:
    plan, contract = _contract(case)
    conditions = _conditions(contract)
    fifo = {queue.label for queue in plan.queues if queue.fifo}
    for mapping in plan.mappings:
        resource = f"aws_lambda_event_source_mapping.{mapping.label}"
        assert f"{resource}.batch_size == {mapping.batch_size}" in conditions
        assert f"{resource}.enabled == {'true' if mapping.enabled else 'false'}" in conditions
        window = f"{resource}.maximum_batching_window_in_seconds == {mapping.maximum_batching_window_seconds}"
        assert (window in conditions) is (mapping.queue_label not in fifo)  # FIFO sources take no window
        function = next(fn for fn in plan.functions if fn.key == mapping.function_key)
        assert (f"aws_sqs_queue.{mapping.queue_label}.visibility_timeout_seconds >= "
                f"aws_lambda_function.{function.label}.timeout") in conditions


@pytest.mark.parametrize("case", CASES)
def test_every_statement_of_every_role_is_pinned_to_literal_resources(case: str) -> None:
    plan, contract = _contract(case)
    conditions = _conditions(contract)
    for fn in plan.functions:
        for statement in fn.statements:
            pinned = [line for line in conditions.splitlines()
                      if f"data.aws_iam_policy_document.{fn.label}.statement : s.resources if s.sid == "
                         f'"{statement.sid}"' in line]
            assert len(pinned) == 1, (fn.key, statement.sid)
            expected = pinned[0].split(" == ", 1)[1]
            assert "aws_" not in expected.replace("arn:aws:", "")  # literals, never a reference back to the config


@pytest.mark.parametrize("case", CASES)
def test_each_resource_gets_its_own_mocked_arn(case: str) -> None:
    _, contract = _contract(case)
    arns = [line for override in contract.overrides for line in override.values if line.startswith("arn ")]
    assert len(arns) == len(set(arns)) == len(contract.overrides)


def test_the_test_file_is_written_checked_and_guarded_like_the_module_s_other_files(tmp_path: Path) -> None:
    spec, out = TOPOLOGIES / "tenants" / "queues.toml", tmp_path / "terraform"
    generate(spec, out, docs_dir=tmp_path / "docs")
    test_file = module_dir_of(out) / "contract.tftest.hcl"
    assert test_file.read_text(encoding="utf-8").startswith(GENERATED_MARKER)
    assert ("identical", test_file) in generate(spec, out, docs_dir=tmp_path / "docs").files

    edited = test_file.read_text(encoding="utf-8").replace("maxReceiveCount == 5", "maxReceiveCount == 6", 1)
    test_file.write_text(edited, encoding="utf-8")

    assert ("updated", test_file) in generate(spec, out, docs_dir=tmp_path / "docs", check_only=True).drift
    with pytest.raises(GeneratorError) as refused:
        generate(spec, out, docs_dir=tmp_path / "docs")
    assert [problem.file for problem in refused.value.problems] == [str(test_file)]
    assert test_file.read_text(encoding="utf-8") == edited  # a hand edit is never overwritten silently
