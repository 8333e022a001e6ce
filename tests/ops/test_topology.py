"""How the operations commands read the names on their command line (generator/ops/topology.py): queues.toml keys
or AWS names, in the environment --environment names, as the generated Terraform prefixes them. Galleries: the
next spelling is one line."""

from __future__ import annotations

import pytest

from generator.ops.topology import UsageError, topology
from tests.conftest import TOPOLOGIES

SEED = TOPOLOGIES / "seed" / "queues.toml"
TENANTS = TOPOLOGIES / "tenants" / "queues.toml"


@pytest.mark.parametrize(("environment", "given", "key_means", "expected"), [
    ("", "video-processing", "queue", "video-processing-queue"),
    ("", "video-processing", "dlq", "video-processing-dlq"),
    ("", "video-processing-dlq", "queue", "video-processing-dlq"),  # an AWS name is what it names
    ("", "email-queue", "dlq", "email-queue"),
    ("staging", "email", "queue", "staging-email-queue"),
    ("staging", "email", "dlq", "staging-email-dlq"),
    ("staging", "email-dlq", "queue", "staging-email-dlq"),  # unprefixed: the environment adds its prefix
    ("staging", "staging-email-dlq", "queue", "staging-email-dlq"),
])  # fmt: skip
def test_a_queue_is_named_by_key_or_aws_name_in_its_environment(environment, given, key_means, expected):
    assert topology(SEED, environment).queue(given, key_means=key_means).name == expected


@pytest.mark.parametrize(("given", "expected"), [
    ("tenant-c", "tenant-c-dlq.fifo"),
    ("tenant-c-dlq.fifo", "tenant-c-dlq.fifo"),
    ("clicks", "clicks-dlq"),
])  # fmt: skip
def test_a_dlq_is_named_by_its_queues_key_or_its_own_name(given, expected):
    found = topology(TENANTS, "").dlq(given)
    assert (found.name, found.is_dlq) == (expected, True)


@pytest.mark.parametrize(("given", "message"), [
    ("videos", "'videos' is not a queue of"),
    ("prod-email-queue", "'prod-email-queue' is not a queue of"),  # another environment's name
    ("video-processing-queue", "video-processing-queue is not a dead-letter queue: its DLQ is video-processing-dlq"),
])  # fmt: skip
def test_a_name_that_is_not_a_dlq_is_refused_naming_what_exists(given, message):
    with pytest.raises(UsageError) as raised:
        topology(SEED, "").dlq(given)
    assert message in str(raised.value)
    if "is not a queue of" in message:
        assert "analytics, email, thumbnail-generation, video-processing" in str(raised.value)


@pytest.mark.parametrize(("spec", "name", "queue", "expected"), [
    (SEED, "downloader", None, [("downloader", "video-processing-queue")]),
    (SEED, "video-processing", None, [("downloader", "video-processing-queue")]),  # a queue: its consumer
    (SEED, "email", None, [("email", "email-queue")]),  # function and queue key, one mapping
    (TENANTS, "tenant-worker", None, [("tenant-worker", "tenant-a-queue"), ("tenant-worker", "tenant-b-queue"),
                                       ("tenant-worker", "tenant-c-queue.fifo")]),
    (TENANTS, "tenant-worker", "tenant-b", [("tenant-worker", "tenant-b-queue")]),
    (TENANTS, "tenant-c-queue.fifo", None, [("tenant-worker", "tenant-c-queue.fifo")]),
])  # fmt: skip
def test_disable_and_enable_name_a_function_or_the_queue_it_consumes(spec, name, queue, expected):
    found = topology(spec, "").consumers(name, queue=queue)
    assert [(t.function_name, t.queue.name) for t in found] == expected


def test_a_trigger_knows_where_queues_toml_writes_it():
    seed = topology(SEED, "")
    trigger = seed.consumers("downloader")[0]
    lines = seed.spec_text.splitlines()
    section = lines.index("[functions.downloader]")
    written = next(n for n in range(section, len(lines)) if lines[n].startswith("trigger = "))
    assert seed.where((*trigger.path, "enabled")) == f"{SEED}:{written + 1}"  # `enabled` is not written: its table
    assert trigger.path == ("functions", "downloader", "trigger") and trigger.enabled is True


@pytest.mark.parametrize(("name", "queue", "message"), [
    ("router", None, "'router' is neither a function with a trigger nor a consumed queue"),
    ("tenant-worker", "clicks", "tenant-worker has no trigger on clicks-queue"),
])  # fmt: skip
def test_a_name_without_a_consumer_is_refused(name, queue, message):
    spec = SEED if name == "router" else TENANTS
    with pytest.raises(UsageError) as raised:
        topology(spec, "").consumers(name, queue=queue)
    assert message in str(raised.value)


@pytest.mark.parametrize(("environment", "message"), [
    ("Staging", "lowercase letters, digits and hyphens"),
    ("-x", "lowercase letters, digits and hyphens"),
    ("staging-", "lowercase letters, digits and hyphens"),
    ("a" * 40, "is longer than the"),
])  # fmt: skip
def test_an_environment_the_generated_terraform_would_refuse_is_refused(environment, message):
    with pytest.raises(UsageError) as raised:
        topology(SEED, environment)
    assert message in str(raised.value)
