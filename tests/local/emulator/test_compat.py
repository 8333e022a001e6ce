"""Each patch of the emulator compatibility layer (generator/local/emulator/patches.py): moto as pinned still differs
from AWS without it (so an upgrade that fixes the gap fails the "unpatched" half and the patch can go), and the
patch restores AWS's documented behaviour. Each side runs in a fresh interpreter."""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import pytest

from generator.local.emulator import patches
from tests.conftest import ROOT, on_one_worker

pytestmark = on_one_worker(__name__)  # the moto probes run once, not once per worker



def _refused(code: str, message: str, status: int = 400, body_type: str | None = "User") -> dict:
    """A Lambda error as AWS answers it: status, x-amzn-ErrorType, {"Type": "User", "message": ...}."""
    return {"status": status, "code": code, "message": message, "type": body_type, "error_type_header": code}


NO_SUCH_MAPPING = _refused("ResourceNotFoundException", "The resource you requested does not exist.", 404)
INVALID = "InvalidParameterValueException"
WINDOW_NEEDED = "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"

# patch name → (what unpatched moto shows, what AWS shows), as observed by tests/local/emulator/compat_probes.py
EXPECTED = {
    "no_invocation_on_send": ({"first_receive_count": None}, {"first_receive_count": "1"}),
    "redrive_allow_policy_attribute": ({"returned": False, "error": "InvalidAttributeName"}, {"returned": True}),
    "bucket_policy_secure_transport": ({"put_object": "ClientError", "put_object_tls_1_4_required": "ClientError"},
                                       {"put_object": "allowed", "put_object_tls_1_4_required": "ClientError"}),
    "compact_redrive_policy": (
        {"policy": '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:q-dlq", "maxReceiveCount": 3}'},
        {"policy": '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:q-dlq","maxReceiveCount":3}'},
    ),
    "function_configuration_round_trip": (
        {"logging": None, "storage": 512, "tracing": "PassThrough"},
        {"logging": {"LogFormat": "JSON", "LogGroup": "/aws/lambda/fn"}, "storage": 2048, "tracing": "Active"},
    ),
    "mappings_by_function_name": ({"by_name": 0}, {"by_name": 1}),
    "alarms_start_insufficient": ({"initial": "OK", "after_update": "OK"},
                                  {"initial": "INSUFFICIENT_DATA", "after_update": "ALARM"}),
    # moto copies the whole table once per action; both roll a cancelled transaction back completely
    "transactions_snapshot_their_items": (
        {"table_copies": 20, "after_cancel": {"fresh": False, "old1": None}},
        {"table_copies": 0, "after_cancel": {"fresh": False, "old1": None}},
    ),
    "queue_changes_are_atomic": (None, {"left_after_deleting_all": 0}),  # unpatched: some deletes are lost
    "dead_letter_source_arn": ({"source": None}, {"source": "arn:aws:sqs:us-east-1:123456789012:q"}),
    # new messages (new ids, received once) back in the source; the finished task no longer lists its handle
    "message_move_tasks": ({"error": "NotImplementedError"}, {
        "status": "COMPLETED", "moved": 3, "to_move": 3, "handle_listed": False, "bodies": ["a", "b", "c"],
        "receive_counts": ["1", "1", "1"], "new_ids": True, "left_in_dlq": "0"}),
    # generator/local/emulator/lambda_aliases.py: a function URL belongs to the alias it is on
    "function_urls_per_qualifier": ({"function_arn": "fn", "unqualified": "found", "same_url": True},
                                    {"function_arn": "fn:live", "unqualified": "ResourceNotFoundException",
                                     "same_url": True}),
    # generator/local/emulator/logs_kms.py: an adopted log group gets the pipeline's key
    "log_group_keys": ({"associated": "NotImplementedError"}, {"associated": True, "cleared": True}),
    "sqs_backlog_costs_nothing": (None, None),  # compared by size below
    # generator/local/emulator/signing.py: moto answers neither call; AWS signs into the destination (here: a copy), and
    # Lambda in Enforce mode deploys only a signing job's output
    "signing_jobs": ({"job": "ClientError"},
                     {"job": "Succeeded", "source_version_kept": True, "signed_key": True, "copy_is_the_zip": True}),
    # generator/local/emulator/lambda_mappings.py
    "mapping_lifecycle": (
        {"create_status": 201, "created": "Enabled", "reason": "User initiated", "window": None, "response_types": None,
         "then": "Enabled", "updated": "Enabled", "after_update": "Enabled", "disabled": "Disabled",
         "after_disable": "Disabled", "enabled": "Enabled", "after_enable": "Enabled", "delete": [202, "Deleting"]},
        {"create_status": 202, "created": "Creating", "reason": "USER_INITIATED", "window": 0, "response_types": [],
         "then": "Enabled", "updated": "Updating", "after_update": "Enabled", "disabled": "Disabling",
         "after_disable": "Disabled", "enabled": "Enabling", "after_enable": "Enabled", "delete": [202, "Deleting"]},
    ),
    "mapping_validation": (
        {"batch_11_no_window": {"status": 201}, "batch_10001": {"raised": "ValueError"},
         "fifo_batch_11": {"raised": "ValueError"}, "fifo_window": {"status": 201},
         "empty_array_filter": {"status": 201},
         "missing_queue": _refused("ResourceNotFoundException", "Invalid EventSourceArn", body_type=None),
         "duplicate": {"status": 201}, "alias_arn": "fn:1", "bad_update": {"status": 202},
         "unknown_get": NO_SUCH_MAPPING, "unknown_update": {"status": 200}, "unknown_delete": {"status": 200}},
        {"batch_11_no_window": _refused(INVALID, WINDOW_NEEDED),
         "batch_10001": _refused("ValidationException", "1 validation error detected: Value '10001' at 'batchSize' "
                                 "failed to satisfy constraint: Member must have value less than or equal to 10000",
                                 body_type=None),
         "fifo_batch_11": _refused(INVALID, "Maximum batch size must be between 1 and 10 inclusive"),
         "fifo_window": _refused(INVALID, "Batching window is not supported for FIFO queues"),
         "empty_array_filter": _refused(INVALID, "Invalid filter pattern definition."),
         "missing_queue": _refused(INVALID, "Error occurred while ReceiveMessage. SQS Error Code: "
                                   "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue "
                                   "does not exist."),
         "duplicate": _refused("ResourceConflictException", 'An event source mapping with SQS arn (" '
                               'arn:aws:sqs:us-east-1:123456789012:q ") and function (" fn ") already exists. Please '
                               "update or delete the existing mapping with UUID <its UUID>", 409),
         "alias_arn": "fn:live", "bad_update": _refused(INVALID, WINDOW_NEEDED),
         "unknown_get": NO_SUCH_MAPPING, "unknown_update": NO_SUCH_MAPPING, "unknown_delete": NO_SUCH_MAPPING},
    ),
    # generator/local/emulator/sqs_fifo.py
    "fifo_redelivery_in_order": ({"first": ["m1", "m2", "m3"], "again": ["m3"]},
                                 {"first": ["m1", "m2", "m3"], "again": ["m1", "m2", "m3"]}),
    "fifo_sequence_numbers": ({"sent": 0, "twenty_digits": True, "increasing": True, "received_match": True},
                              {"sent": 4, "twenty_digits": True, "increasing": True, "received_match": True}),
    # generator/local/emulator/iam_enforcement.py: a role that no policy allows to send still sends on moto
    "iam_enforced": ({"status": 200, "code": None}, {"status": 403, "code": "AccessDenied"}),
    "code_signing_configs": ({"configs": "ClientError"},
                             {"unsigned_code": "refused", "signed_code_attached": True, "detached": None,
                              "reattached": True, "description": "updated", "tags": {"team": "video"}}),
}


@functools.cache
def observe(mode: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "tests.local.emulator.compat_probes", mode], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_patch_has_a_probe():
    assert sorted(EXPECTED) == sorted(entry.name for entry in patches.PATCHES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_moto_still_differs_without_the_patch_and_agrees_with_aws_with_it(name):
    unpatched, patched = observe("unpatched")[name], observe("patched")[name]
    want_unpatched, want_patched = EXPECTED[name]
    if name == "queue_changes_are_atomic":
        assert unpatched["left_after_deleting_all"] > 0, "moto no longer loses concurrent deletes: drop the patch"
    elif name == "sqs_backlog_costs_nothing":
        # reads of moto's slow clock during one receive from a 500-message queue
        assert unpatched["clock_reads_per_receive"] > 1000, "moto's receive no longer scans the queue: drop the patch"
        assert patched["clock_reads_per_receive"] < 100
        return
    else:
        assert unpatched == want_unpatched, "moto now behaves differently: check whether the patch is still needed"
    assert patched == want_patched
