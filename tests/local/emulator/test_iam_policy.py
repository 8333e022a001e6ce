"""The emulator's IAM policy evaluation (generator/local/emulator/iam_policy.py), each rule as AWS's "Policy
evaluation logic" states it, on the shapes the generated policies use."""

from __future__ import annotations

import json

import pytest

from generator.local.emulator.iam_policy import Check, Principal, UnsupportedCondition, evaluate

ACCOUNT = "123456789012"
ROLE = Principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/fn-role/fn", f"arn:aws:iam::{ACCOUNT}:role/fn-role", ACCOUNT)
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd"
BUCKET = "arn:aws:s3:::media"


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource, **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource, **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def verdict(check: Check, *identity: str, resource_policy: str | None = None, key_policy: bool = False) -> str:
    return evaluate(ROLE, check, list(identity), resource_policy, key_policy=key_policy).verdict


# ── actions and resources ──────────────────────────────────────────────────────────────────────────────────


def test_nothing_is_allowed_without_a_statement_that_allows_it():
    assert verdict(Check("sqs:SendMessage", QUEUE)) == "no-identity-allow"


@pytest.mark.parametrize(("action", "expected"), [
    ("sqs:SendMessage", "allowed"),
    ("sqs:sendmessage", "allowed"),  # action names are case-insensitive
    ("sqs:Send*", "allowed"),
    ("sqs:*", "allowed"),
    ("sqs:Send?essage", "allowed"),
    ("sqs:ReceiveMessage", "no-identity-allow"),
    ("sns:SendMessage", "no-identity-allow"),
])
def test_actions_match_with_wildcards_and_without_case(action, expected):
    assert verdict(Check("sqs:SendMessage", QUEUE), policy(allow(action, QUEUE))) == expected


@pytest.mark.parametrize(("resource", "expected"), [
    (QUEUE, "allowed"),
    ("arn:aws:sqs:us-east-1:123456789012:*", "allowed"),
    ("arn:aws:sqs:*:*:jo?s", "allowed"),
    ("*", "allowed"),
    ("arn:aws:sqs:us-east-1:123456789012:JOBS", "no-identity-allow"),  # ARNs are case-sensitive
    ("arn:aws:sqs:us-east-1:123456789012:jobs-dlq", "no-identity-allow"),  # a wrong resource ARN
])
def test_resources_match_with_wildcards(resource, expected):
    assert verdict(Check("sqs:SendMessage", QUEUE), policy(allow("sqs:SendMessage", resource))) == expected


def test_not_action_and_not_resource_invert_the_match():
    everything_but_delete = policy({"Effect": "Allow", "NotAction": "sqs:DeleteQueue", "Resource": "*"})
    assert verdict(Check("sqs:SendMessage", QUEUE), everything_but_delete) == "allowed"
    assert verdict(Check("sqs:DeleteQueue", QUEUE), everything_but_delete) == "no-identity-allow"
    other_queues = policy({"Effect": "Allow", "Action": "sqs:*", "NotResource": QUEUE})
    assert verdict(Check("sqs:SendMessage", QUEUE), other_queues) == "no-identity-allow"


def test_the_log_stream_of_a_log_group_matches_the_generated_group_wildcard():
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/fn"
    grant = policy(allow(["logs:CreateLogStream", "logs:PutLogEvents"], f"{group}:*"))
    assert verdict(Check("logs:PutLogEvents", f"{group}:log-stream:2026/01/01/[$LATEST]abc"), grant) == "allowed"
    assert verdict(Check("logs:PutLogEvents", f"{group}-other:log-stream:x"), grant) == "no-identity-allow"


# ── deny precedence ────────────────────────────────────────────────────────────────────────────────────────


def test_an_explicit_deny_wins_over_any_allow_in_any_policy():
    check = Check("sqs:SendMessage", QUEUE)
    assert verdict(check, policy(allow("sqs:*", "*")), policy(deny("sqs:SendMessage", QUEUE))) \
        == "explicit-deny-identity"
    assert verdict(check, policy(allow("sqs:*", "*"), deny("sqs:Send*", "*"))) == "explicit-deny-identity"


def test_a_deny_whose_condition_does_not_hold_does_not_apply():
    check = Check("s3:GetObject", f"{BUCKET}/videos/a", {"aws:SecureTransport": ["true"]})
    tls_only = policy({**deny("s3:*", [BUCKET, f"{BUCKET}/*"]), "Principal": "*",
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    assert verdict(check, policy(allow("s3:GetObject", f"{BUCKET}/videos/*")), resource_policy=tls_only) == "allowed"
    plain_http = Check("s3:GetObject", f"{BUCKET}/videos/a", {"aws:SecureTransport": ["false"]})
    assert verdict(plain_http, policy(allow("s3:GetObject", f"{BUCKET}/videos/*")), resource_policy=tls_only) \
        == "explicit-deny-resource"


# ── conditions ─────────────────────────────────────────────────────────────────────────────────────────────


def via(service: str) -> dict:
    return {"StringEquals": {"kms:ViaService": f"{service}.us-east-1.amazonaws.com"}}


ACCOUNT_KEY_POLICY = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                             "Action": "kms:*", "Resource": "*"})


@pytest.mark.parametrize(("context", "expected"), [
    ({"kms:ViaService": ["sqs.us-east-1.amazonaws.com"]}, "allowed"),
    ({"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}, "no-identity-allow"),  # the key through another service
    ({}, "no-identity-allow"),  # a direct call to KMS: the key is absent, StringEquals fails
])
def test_kms_via_service_limits_the_key_to_one_service(context, expected):
    grant = policy(allow("kms:Decrypt", KEY, Condition=via("sqs")))
    check = Check("kms:Decrypt", KEY, context)
    assert verdict(check, grant, resource_policy=ACCOUNT_KEY_POLICY, key_policy=True) == expected


@pytest.mark.parametrize(("prefix", "expected"), [
    (["videos/job-1/video."], "allowed"),
    (["thumbnails/"], "no-identity-allow"),
    (None, "no-identity-allow"),  # a listing without a prefix: the key is absent
])
def test_s3_prefix_limits_the_listing(prefix, expected):
    grant = policy(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["videos/*"]}}))
    context = {"s3:prefix": prefix} if prefix is not None else {}
    assert verdict(Check("s3:ListBucket", BUCKET, context), grant) == expected


@pytest.mark.parametrize(("operator", "wanted", "found", "holds"), [
    ("StringEquals", "a", ["a"], True),
    ("StringEquals", "a", ["A"], False),
    ("StringEqualsIgnoreCase", "a", ["A"], True),
    ("StringNotEquals", "a", ["b"], True),
    ("StringNotEquals", "a", None, True),  # a negated operator holds when the key is absent
    ("StringLike", "a*", ["abc"], True),
    ("StringNotLike", "a*", ["abc"], False),
    ("StringEqualsIfExists", "a", None, True),
    ("StringEqualsIfExists", "a", ["b"], False),
    ("ArnLike", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*",
     ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:dlq"], True),
    ("ArnLike", "arn:aws:cloudwatch:*:123456789012:alarm:*", ["arn:aws:cloudwatch:us-east-1:999:alarm:x"], False),
    ("ArnEquals", "arn:aws:logs:us-east-1:1:log-group:a", ["arn:aws:logs:us-east-1:1:log-group:a"], True),
    ("Bool", "false", ["true"], False),
    ("Bool", "true", ["True"], True),
    ("NumericLessThan", "1.2", ["1.3"], False),
    ("NumericLessThan", "1.2", ["1.0"], True),
    ("NumericGreaterThanEquals", "5", ["5"], True),
    ("Null", "true", None, True),
    ("Null", "false", None, False),
    ("ForAnyValue:StringEquals", "b", ["a", "b"], True),
    ("ForAllValues:StringEquals", "a", ["a", "b"], False),
])
def test_condition_operators(operator, wanted, found, holds):
    condition = {operator: {"test:key": wanted}}
    context = {"test:key": found} if found is not None else {}
    grant = policy(allow("sqs:SendMessage", QUEUE, Condition=condition))
    assert verdict(Check("sqs:SendMessage", QUEUE, context), grant) == ("allowed" if holds else "no-identity-allow")


def test_condition_keys_are_case_insensitive_and_all_conditions_must_hold():
    grant = policy(allow("ses:SendEmail", "*", Condition={
        "StringEquals": {"SES:FromAddress": "noreply@example.com"},
        "Bool": {"aws:SecureTransport": "true"},
    }))
    both = {"ses:FromAddress": ["noreply@example.com"], "aws:SecureTransport": ["true"]}
    assert verdict(Check("ses:SendEmail", "arn:x", both), grant) == "allowed"
    assert verdict(Check("ses:SendEmail", "arn:x", {**both, "ses:FromAddress": ["other@example.com"]}), grant) \
        == "no-identity-allow"
    assert verdict(Check("ses:SendEmail", "arn:x", {"ses:FromAddress": ["noreply@example.com"]}), grant) \
        == "no-identity-allow"


def test_an_operator_not_evaluated_locally_is_refused_not_guessed():
    grant = policy(allow("sqs:SendMessage", QUEUE, Condition={"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}))
    with pytest.raises(UnsupportedCondition):
        verdict(Check("sqs:SendMessage", QUEUE, {"aws:CurrentTime": ["2026-01-01"]}), grant)


# ── resource policies ──────────────────────────────────────────────────────────────────────────────────────


def test_a_bucket_policy_naming_the_role_allows_without_an_identity_policy():
    named = policy({**allow("s3:GetObject", f"{BUCKET}/*"), "Principal": {"AWS": ROLE.role_arn}})
    assert verdict(Check("s3:GetObject", f"{BUCKET}/a"), resource_policy=named) == "allowed"


def test_a_bucket_policy_naming_the_account_leaves_the_decision_to_iam():
    account = policy({**allow("s3:GetObject", f"{BUCKET}/*"), "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}})
    assert verdict(Check("s3:GetObject", f"{BUCKET}/a"), resource_policy=account) == "no-identity-allow"


def test_a_bucket_policy_for_another_principal_neither_allows_nor_denies():
    other = policy({**deny("s3:*", "*"), "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"}})
    grant = policy(allow("s3:GetObject", f"{BUCKET}/*"))
    assert verdict(Check("s3:GetObject", f"{BUCKET}/a"), grant, resource_policy=other) == "allowed"


def test_a_tls_version_deny_applies_only_to_old_tls():
    old_tls = policy({**deny("s3:*", f"{BUCKET}/*"), "Principal": "*",
                      "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}})
    grant = policy(allow("s3:PutObject", f"{BUCKET}/*"))
    assert verdict(Check("s3:PutObject", f"{BUCKET}/a", {"s3:TlsVersion": ["1.3"]}), grant,
                   resource_policy=old_tls) == "allowed"
    assert verdict(Check("s3:PutObject", f"{BUCKET}/a", {"s3:TlsVersion": ["1.1"]}), grant,
                   resource_policy=old_tls) == "explicit-deny-resource"


# ── KMS: the key policy decides ────────────────────────────────────────────────────────────────────────────


def test_iam_policies_grant_a_key_only_when_its_key_policy_allows_the_account():
    grant = policy(allow("kms:Decrypt", KEY))
    check = Check("kms:Decrypt", KEY)
    assert verdict(check, grant, resource_policy=ACCOUNT_KEY_POLICY, key_policy=True) == "allowed"
    administrators_only = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"},
                                  "Action": "kms:*", "Resource": "*"})
    assert verdict(check, grant, resource_policy=administrators_only, key_policy=True) == "no-resource-allow"


def test_a_key_policy_that_lets_the_account_use_but_not_manage_the_key():
    use_only = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                       "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"})
    everything = policy(allow("kms:*", KEY))
    assert verdict(Check("kms:GenerateDataKey", KEY), everything, resource_policy=use_only, key_policy=True) \
        == "allowed"
    assert verdict(Check("kms:ScheduleKeyDeletion", KEY), everything, resource_policy=use_only, key_policy=True) \
        == "no-resource-allow"


def test_a_key_policy_naming_the_role_allows_without_an_iam_policy():
    named = policy({"Effect": "Allow", "Principal": {"AWS": ROLE.role_arn}, "Action": "kms:Decrypt", "Resource": "*"})
    assert verdict(Check("kms:Decrypt", KEY), resource_policy=named, key_policy=True) == "allowed"


def test_the_denial_names_its_reason_as_aws_does():
    decision = evaluate(ROLE, Check("kms:Decrypt", KEY), [], ACCOUNT_KEY_POLICY, key_policy=True)
    assert decision.because("kms:Decrypt") == "because no identity-based policy allows the kms:Decrypt action"
    decision = evaluate(ROLE, Check("kms:Decrypt", KEY), [policy(deny("kms:*", "*"))], ACCOUNT_KEY_POLICY,
                        key_policy=True)
    assert decision.because("kms:Decrypt") == "with an explicit deny in an identity-based policy"
