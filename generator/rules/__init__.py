"""Cross-resource rules: what the schema alone cannot see. One small function per rule, each citing its
source, grouped by concern: references, queues, triggers, environment, storage, names.

A rule takes the validated Spec and yields Problems; rules never raise and never print. Importing a module
registers its rules (in RULES); every rule is also reachable here by name, e.g. `rules.batching_limits`.
"""

from __future__ import annotations

from generator.problems import Problem
from generator.rules.common import RULES, Rule
from generator.rules.environment import RESERVED_ENV_VARS, environment_fits, environment_variables_are_valid
from generator.rules.names import (
    aws_names_are_unique,
    function_keys_are_not_reserved,
    labels_are_unique,
    mapping_labels_are_unique,
    subscribers_are_unique,
)
from generator.rules.queues import (
    age_alarm_can_fire,
    dlq_outlives_source,
    fifo_names_match_queue_type,
    high_throughput_fifo_is_consistent,
)
from generator.rules.references import references_resolve, storage_references_resolve
from generator.rules.storage import bucket_names_fit, signed_code_has_an_artifacts_bucket, table_keys_are_distinct
from generator.rules.triggers import (
    batching_limits,
    filter_patterns_are_well_formed,
    low_receive_count_needs_concurrency_cap,
    no_function_feeds_its_own_trigger,
    one_consumer_per_queue,
    reserved_concurrency_covers_mapping,
    visibility_covers_function_timeout,
)
from generator.spec.model import Spec

__all__ = [
    "RESERVED_ENV_VARS",
    "RULES",
    "Rule",
    "age_alarm_can_fire",
    "aws_names_are_unique",
    "batching_limits",
    "bucket_names_fit",
    "check_rules",
    "dlq_outlives_source",
    "environment_fits",
    "environment_variables_are_valid",
    "fifo_names_match_queue_type",
    "filter_patterns_are_well_formed",
    "function_keys_are_not_reserved",
    "high_throughput_fifo_is_consistent",
    "labels_are_unique",
    "low_receive_count_needs_concurrency_cap",
    "mapping_labels_are_unique",
    "no_function_feeds_its_own_trigger",
    "one_consumer_per_queue",
    "references_resolve",
    "reserved_concurrency_covers_mapping",
    "signed_code_has_an_artifacts_bucket",
    "storage_references_resolve",
    "subscribers_are_unique",
    "table_keys_are_distinct",
    "visibility_covers_function_timeout",
]


def check_rules(spec: Spec) -> list[Problem]:
    return [problem for check in RULES for problem in check(spec)]
