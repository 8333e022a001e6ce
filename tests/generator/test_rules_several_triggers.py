"""One function consuming several queues (`[functions.<key>.triggers.<queue>]`, with or without `trigger`):
every rule about a mapping applies to each trigger and reports at the table it is written in."""

from __future__ import annotations

from generator import rules
from generator.naming import function_triggers
from generator.problems import Level
from tests.generator.specs import DELETE, assert_problem, only, spec_with

TENANTS = {
    "queues": {
        "tenant-a": {"visibility_timeout_seconds": 180, "max_receive_count": 5},
        "tenant-b": {"visibility_timeout_seconds": 180, "max_receive_count": 5},
    },
    "functions": {
        "worker": {"trigger": DELETE, "triggers": {
            "tenant-a": {"maximum_concurrency": 5},
            "tenant-b": {"maximum_concurrency": 5},
        }},
    },
}


def tenants(*patches: dict) -> object:
    return spec_with(TENANTS, *patches)


def test_a_function_consuming_several_queues_passes_every_rule() -> None:
    assert rules.check_rules(tenants()) == []


def test_trigger_keeps_its_label_and_each_named_trigger_gets_function_and_queue() -> None:
    spec = tenants({"functions": {"worker": {"trigger": {"queue": "orders", "maximum_concurrency": 5}}}})
    found = function_triggers("worker", spec.functions["worker"])
    assert [(t.queue, t.label, t.output_key) for t in found] == [
        ("orders", "worker", "worker"), ("tenant-a", "worker_tenant_a", "worker/tenant-a"),
        ("tenant-b", "worker_tenant_b", "worker/tenant-b")]
    assert rules.check_rules(spec) == []


def test_an_unknown_queue_in_triggers_is_reported_at_its_table() -> None:
    spec = tenants({"functions": {"worker": {"triggers": {"tenant-c": {"maximum_concurrency": 5}}}}})
    problem = only(list(rules.references_resolve(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "triggers", "tenant-c"),
                   "no queue with key 'tenant-c'", "did you mean 'tenant-")


def test_visibility_is_checked_for_each_queue() -> None:
    spec = tenants({"queues": {"tenant-b": {"visibility_timeout_seconds": 10}}})
    problem = only(list(rules.visibility_covers_function_timeout(spec)))
    assert_problem(problem, Level.ERROR, ("queues", "tenant-b", "visibility_timeout_seconds"),
                   "10 is less than functions.worker.timeout (30)")


def test_batching_limits_are_reported_at_the_named_trigger() -> None:
    spec = tenants({"functions": {"worker": {"triggers": {"tenant-b": {"batch_size": 50}}}}})
    problem = only(list(rules.batching_limits(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "triggers", "tenant-b", "batch_size"),
                   "50 is above 10, which needs maximum_batching_window_seconds ≥ 1")


def test_the_concurrency_cap_hint_names_the_trigger_without_one() -> None:
    spec = tenants({"queues": {"tenant-a": {"max_receive_count": 2}},
                    "functions": {"worker": {"triggers": {"tenant-a": {"maximum_concurrency": DELETE}}}}})
    problem = only(list(rules.low_receive_count_needs_concurrency_cap(spec)))
    assert_problem(problem, Level.WARNING, ("queues", "tenant-a", "max_receive_count"),
                   "set functions.worker.triggers.tenant-a.maximum_concurrency")


def test_reserved_concurrency_must_cover_the_sum_of_the_caps() -> None:
    below = tenants({"functions": {"worker": {"reserved_concurrent_executions": 9}}})
    problem = only(list(rules.reserved_concurrency_covers_mapping(below)))
    assert_problem(problem, Level.WARNING, ("functions", "worker", "reserved_concurrent_executions"),
                   "9 is below the sum of its 2 triggers' maximum_concurrency (10)")
    enough = tenants({"functions": {"worker": {"reserved_concurrent_executions": 10}}})
    assert list(rules.reserved_concurrency_covers_mapping(enough)) == []


def test_reserved_concurrency_names_the_trigger_without_a_cap() -> None:
    spec = tenants({"functions": {"worker": {"reserved_concurrent_executions": 10,
                                             "triggers": {"tenant-b": {"maximum_concurrency": DELETE}}}}})
    problem = only(list(rules.reserved_concurrency_covers_mapping(spec)))
    assert_problem(problem, Level.WARNING, ("functions", "worker", "reserved_concurrent_executions"),
                   "but triggers.tenant-b.maximum_concurrency is not set",
                   "set functions.worker.triggers.tenant-b.maximum_concurrency to at most 10")


def test_one_consumer_per_queue_holds_across_functions_and_forms() -> None:
    spec = tenants({"functions": {"other": {"timeout": 30, "triggers": {"tenant-a": {"maximum_concurrency": 5}}}}})
    problem = only(list(rules.one_consumer_per_queue(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "other", "triggers", "tenant-a"),
                   "queue 'tenant-a' is already consumed by functions.worker")


def test_a_queue_listed_in_trigger_and_triggers_of_one_function_is_an_error() -> None:
    spec = tenants({"functions": {"worker": {"trigger": {"queue": "tenant-a", "maximum_concurrency": 5}}}})
    problem = only(list(rules.one_consumer_per_queue(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "triggers", "tenant-a"),
                   "queue 'tenant-a' already triggers functions.worker through trigger", "list each queue once")


def test_mapping_labels_that_collide_are_an_error() -> None:
    # worker + queue "a" → worker_a, the label of function worker_a's own trigger
    spec = tenants({"queues": {"a": {"visibility_timeout_seconds": 180, "max_receive_count": 5}},
                    "functions": {"worker": {"triggers": {"a": {"maximum_concurrency": 5}}},
                                  "worker_a": {"timeout": 30,
                                               "trigger": {"queue": "orders", "maximum_concurrency": 5}}}})
    problem = only(list(rules.mapping_labels_are_unique(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker_a", "trigger"),
                   "label 'worker_a' is already the label of the mapping of functions.worker.triggers.a")


def test_filter_patterns_are_checked_in_each_trigger() -> None:
    spec = tenants({"functions": {"worker": {"triggers": {"tenant-b": {"filter_patterns": [{"body": "x"}]}}}}})
    problem = only(list(rules.filter_patterns_are_well_formed(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "triggers", "tenant-b", "filter_patterns", 0),
                   "the value at body is not an array")


def test_sending_to_any_of_its_trigger_queues_warns_about_loops() -> None:
    spec = tenants({"functions": {"worker": {"sends_to": ["tenant-b"]}}})
    problem = only(list(rules.no_function_feeds_its_own_trigger(spec)))
    assert_problem(problem, Level.WARNING, ("functions", "worker", "sends_to", 0), "the queue that triggers it")
