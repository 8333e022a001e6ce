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
    "sqs_backlog_costs_nothing": (None, None),  # compared by size below
    # generator/local/emulator/signing.py: moto answers neither call; AWS signs into the destination (here: a copy), and
    # Lambda in Enforce mode deploys only a signing job's output
    "signing_jobs": ({"job": "ClientError"},
                     {"job": "Succeeded", "source_version_kept": True, "signed_key": True, "copy_is_the_zip": True}),
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
