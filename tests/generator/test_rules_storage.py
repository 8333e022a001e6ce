"""Unit tests for the rules about the tables, buckets and email sender functions use (generator/rules/)."""

from __future__ import annotations

from generator import rules
from generator.problems import Level
from tests.generator.specs import assert_problem, function, only, spec_with, trigger

TABLE = {"tables": {"quotas": {"hash_key": "pk", "ttl_attribute": "expires_at"}}}
BUCKET = {"buckets": {"media": {}}}
EMAIL = {"email": {"sender": "noreply@example.com"}}


def test_declared_tables_buckets_and_sender_pass() -> None:
    spec = spec_with(TABLE, BUCKET, EMAIL, function(tables={"quotas": ["UpdateItem"]},
                                                    buckets={"media": {"write": ["videos/"]}}, sends_email=True))
    assert list(rules.storage_references_resolve(spec)) == []
    assert rules.check_rules(spec) == []


def test_an_undeclared_table_gets_a_did_you_mean() -> None:
    spec = spec_with(TABLE, function(tables={"quota": ["GetItem"]}))
    problem = only(list(rules.storage_references_resolve(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "tables", "quota"),
                   "no table with key 'quota' in [tables]", "did you mean 'quotas'?")


def test_an_undeclared_bucket_is_an_error_even_when_none_exist() -> None:
    spec = spec_with(function(buckets={"media": {"read": ["videos/"]}}))
    problem = only(list(rules.storage_references_resolve(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "buckets", "media"),
                   "no bucket with key 'media'", "none declared")


def test_a_grant_of_nothing_is_an_error() -> None:
    spec = spec_with(TABLE, BUCKET, function(tables={"quotas": []}, buckets={"media": {}}))
    problems = sorted(rules.storage_references_resolve(spec), key=lambda p: p.path)
    assert [p.path for p in problems] == [("functions", "worker", "buckets", "media"),
                                          ("functions", "worker", "tables", "quotas")]
    assert "grants nothing" in problems[0].message and "grants no actions" in problems[1].message


def test_a_repeated_table_action_is_an_error() -> None:
    spec = spec_with(TABLE, function(tables={"quotas": ["GetItem", "GetItem"]}))
    assert_problem(only(list(rules.storage_references_resolve(spec))), Level.ERROR,
                   ("functions", "worker", "tables", "quotas"), "twice")


def test_sending_email_needs_a_sender() -> None:
    spec = spec_with(function(sends_email=True))
    assert_problem(only(list(rules.storage_references_resolve(spec))), Level.ERROR,
                   ("functions", "worker", "sends_email"), "no [email] sender", "[email]")


def test_distinct_table_keys_pass() -> None:
    spec = spec_with({"tables": {"events": {"hash_key": "pk", "range_key": "sk", "ttl_attribute": "ttl"}}})
    assert list(rules.table_keys_are_distinct(spec)) == []


def test_a_sort_key_equal_to_the_hash_key_is_an_error() -> None:
    spec = spec_with({"tables": {"events": {"hash_key": "pk", "range_key": "pk"}}})
    assert_problem(only(list(rules.table_keys_are_distinct(spec))), Level.ERROR,
                   ("tables", "events", "range_key"), "already the hash key")


def test_a_ttl_on_a_key_attribute_is_an_error() -> None:
    spec = spec_with({"tables": {"events": {"hash_key": "pk", "range_key": "sk", "ttl_attribute": "sk"}}})
    assert_problem(only(list(rules.table_keys_are_distinct(spec))), Level.ERROR,
                   ("tables", "events", "ttl_attribute"), "is a key attribute")


def test_a_table_env_var_colliding_with_a_setting_is_an_error() -> None:
    spec = spec_with(TABLE, function(tables={"quotas": ["GetItem"]}, environment={"QUOTAS_TABLE": "x"}))
    assert_problem(only(list(rules.environment_variables_are_valid(spec))), Level.ERROR,
                   ("functions", "worker", "environment", "QUOTAS_TABLE"),
                   "QUOTAS_TABLE would be set by both table 'quotas' and its environment table")


def test_a_reserved_table_env_var_is_an_error() -> None:
    spec = spec_with({"tables": {"quotas": {"hash_key": "pk", "env_var": "AWS_REGION"}}})
    assert_problem(only(list(rules.environment_variables_are_valid(spec))), Level.ERROR,
                   ("tables", "quotas", "env_var"), "reserved by Lambda")


def test_table_names_and_labels_must_be_unique() -> None:
    spec = spec_with({"tables": {"a-b": {"hash_key": "pk"}, "a_b": {"hash_key": "pk", "name": "shop-a-b"}}})
    labels = only(list(rules.labels_are_unique(spec)))
    assert_problem(labels, Level.ERROR, ("tables", "a_b"), "label 'a_b'")
    names = only(list(rules.aws_names_are_unique(spec)))
    assert_problem(names, Level.ERROR, ("tables", "a_b", "name"), 'table name "shop-a-b"')


def test_bucket_names_that_fit_pass() -> None:
    assert list(rules.bucket_names_fit(spec_with(BUCKET))) == []


def test_a_bucket_name_that_can_exceed_63_characters_is_an_error() -> None:
    spec = spec_with({"buckets": {"a-very-long-bucket-key-for-media-files": {}}})
    assert_problem(only(list(rules.bucket_names_fit(spec))), Level.ERROR,
                   ("buckets", "a-very-long-bucket-key-for-media-files"), "can exceed S3's 63 characters")


def test_the_artifacts_bucket_key_is_reserved() -> None:
    spec = spec_with({"buckets": {"artifacts": {}}})
    assert_problem(only(list(rules.bucket_names_fit(spec))), Level.ERROR, ("buckets", "artifacts"),
                   "zips over 50 MB")


def test_a_function_not_feeding_its_own_trigger_passes() -> None:
    assert list(rules.no_function_feeds_its_own_trigger(spec_with())) == []


def test_a_function_sending_to_its_own_trigger_queue_warns() -> None:
    spec = spec_with(function(sends_to=["orders"]))
    assert_problem(only(list(rules.no_function_feeds_its_own_trigger(spec))), Level.WARNING,
                   ("functions", "worker", "sends_to", 0), "loop forever")


def test_well_formed_filter_patterns_pass() -> None:
    spec = spec_with(trigger(filter_patterns=[{"body": {"kind": ["video"]}, "messageAttributes": {
        "Priority": {"stringValue": ["high"]}}}]))
    assert list(rules.filter_patterns_are_well_formed(spec)) == []


def test_a_filter_on_an_unknown_field_is_an_error() -> None:
    spec = spec_with(trigger(filter_patterns=[{"payload": {"kind": ["video"]}}]))
    assert_problem(only(list(rules.filter_patterns_are_well_formed(spec))), Level.ERROR,
                   ("functions", "worker", "trigger", "filter_patterns", 0), "payload", "filter on: attributes")


def test_a_filter_value_that_is_not_an_array_is_an_error() -> None:
    spec = spec_with(trigger(filter_patterns=[{"body": {"kind": "video"}}]))
    assert_problem(only(list(rules.filter_patterns_are_well_formed(spec))), Level.ERROR,
                   ("functions", "worker", "trigger", "filter_patterns", 0), "body.kind is not an array",
                   'kind = ["video"]')


def test_an_environment_within_4_kb_passes() -> None:
    spec = spec_with(function(environment={"SETTING": "x" * 3000}))
    assert list(rules.environment_fits(spec)) == []


def test_an_environment_over_4_kb_is_an_error() -> None:
    spec = spec_with(function(environment={"AA": "x" * 3000, "BB": "y" * 1200}))
    assert_problem(only(list(rules.environment_fits(spec))), Level.ERROR, ("functions", "worker", "environment"),
                   "4096")


def test_signed_code_needs_an_artifacts_bucket_name_that_fits() -> None:
    long_project = {"project": {"name": "a-project-name-long-enough-to-overflow-s3-names"}}
    spec = spec_with(long_project, {"code_signing": {"enabled": True}})
    assert_problem(only(list(rules.signed_code_has_an_artifacts_bucket(spec))), Level.ERROR,
                   ("code_signing", "enabled"), "signed code deploys from the artifacts bucket", "63 characters",
                   "turn code signing off")


def test_a_short_project_or_unsigned_code_needs_no_artifacts_bucket_check() -> None:
    long_project = {"project": {"name": "a-project-name-long-enough-to-overflow-s3-names"}}
    assert list(rules.signed_code_has_an_artifacts_bucket(spec_with(long_project))) == []
    assert list(rules.signed_code_has_an_artifacts_bucket(spec_with({"code_signing": {"enabled": True}}))) == []


def test_uploads_in_parts_alone_are_a_grant() -> None:
    spec = spec_with(BUCKET, function(buckets={"media": {"upload": ["videos/"]}}))
    assert list(rules.storage_references_resolve(spec)) == []
