"""The generated `terraform test` of the module (modules/pipeline/contract.tftest.hcl, generator/plan/contract.py):
run as a user runs it, in a copy of the module (`terraform init`, `terraform test`, the provider mocked, no
credentials), it passes on every fixed topology and on the repository's own, and a hand edit of a generated value
makes it fail, naming exactly the assertions that edit breaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.pipeline import module_dir_of
from tests.terraform import topology as checks
from tests.terraform.test_live_topology import LIVE
from tests.terraform.test_seed_terraform import GOLDENS, SEED

pytestmark = pytest.mark.terraform

CASES = {**GOLDENS, "live": LIVE}
RUNS = 3  # contract, key_administrators_named, key_administrators_are_role_or_user_arns


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_generated_terraform_test_passes_offline(terraform_bin, tmp_path: Path, case: str) -> None:
    result = checks.module_test(CASES[case].workdir(tmp_path))
    assert (result.failed_assertions, result.errors) == ([], [])
    assert (result.status, result.passed, result.failed) == ("pass", RUNS, 0)


def _edit(path: Path, block: str, old: str, new: str) -> None:
    """Replace old by new inside one top-level block of a generated file, as a hand edit would."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n{block} {{\n")
    end = text.index("\n}\n", start)
    body = text[start:end]
    assert body.count(old) == 1, f"{old!r} is not once in {block}"
    path.write_text(text[:start] + body.replace(old, new) + text[end:], encoding="utf-8")


# Hand edits of the seed's generated module, and the assertion messages each must fail (seed: queues.toml of
# tests/topologies/seed/; video-processing-queue is consumed by downloader, whose timeout is 150 s).
EDITS = [
    ("queues.tf", 'resource "aws_sqs_queue_redrive_policy" "email"', "maxReceiveCount     = 5",
     "maxReceiveCount     = 6",
     ["email-queue: a message does not move to email-dlq after 5 receives (queues.email.max_receive_count)"]),
    ("queues.tf", 'resource "aws_sqs_queue" "video_processing"', "visibility_timeout_seconds = 900",
     "visibility_timeout_seconds = 60",
     ["video-processing-queue: the visibility timeout is not 900 s "
      "(queues.video-processing.visibility_timeout_seconds)",
      "video-processing-queue: the visibility timeout is shorter than downloader's timeout: Lambda refuses the "
      "mapping, and a message would be received again while it is still being worked on"]),
    ("mappings.tf", 'resource "aws_lambda_event_source_mapping" "thumbnail"', "batch_size              = 1",
     "batch_size              = 5", ["functions.thumbnail.trigger: the batch size is not 1"]),
    ("iam.tf", 'data "aws_iam_policy_document" "analytics"', "resources = [aws_sqs_queue.analytics.arn]",
     "resources = [aws_sqs_queue.email.arn]",
     ["analytics-role: ConsumeTriggerQueue reaches other resources than "
      "arn:aws:sqs:us-east-1:123456789012:analytics-queue"]),
]


def test_a_hand_edit_of_a_generated_value_fails_the_test_naming_the_assertion(terraform_bin, tmp_path: Path) -> None:
    work = SEED.workdir(tmp_path)
    module = module_dir_of(work.dir)
    for file, block, old, new, _expected in EDITS:
        _edit(module / file, block, old, new)

    result = checks.module_test(work)

    assert result.errors == []
    assert (result.status, result.passed, result.failed) == ("fail", RUNS - 1, 1)
    assert sorted(result.failed_assertions) == sorted(message for *_edit, expected in EDITS for message in expected)
