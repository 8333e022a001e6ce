"""S3 buckets of the generated Terraform: names AWS accepts, and the hardened settings they share."""

from __future__ import annotations

from generator.naming import (
    BUCKET_PREFIX_MAX,
    bucket_label,
    bucket_name_expression,
    bucket_name_prefix,
    bucket_name_too_long,
)
from generator.plan.model import BucketPlan
from generator.plan.skips import bucket_skips
from generator.problems import Problem, error
from generator.spec.model import Bucket

ARTIFACTS_KEY = "artifacts"


def artifacts_bucket(project: str, kms_key_arn: str, *, signed: bool) -> BucketPlan:
    """Holds the zips over Lambda's direct-upload limit, or every zip when code is signed. Bucket names are
    global: the account id and region make this one unique without a random suffix, so the name is the same on
    every run and machine."""
    return BucketPlan(
        label=bucket_label(ARTIFACTS_KEY),
        name=bucket_name_expression(bucket_name_prefix(project, ARTIFACTS_KEY)),
        purpose=("Lambda zips: Terraform uploads them, AWS Signer writes signed copies under signed/, Lambda "
                 "deploys those" if signed else
                 "Lambda zips over the 50 MB direct-upload limit; Terraform uploads them, Lambda reads them"),
        kms_key_arn=kms_key_arn,
        noncurrent_version_days=30,
        incomplete_upload_days=7,
        skips=bucket_skips("artifacts"),
    )


def declared_bucket(project: str, key: str, bucket: Bucket, kms_key_arn: str) -> BucketPlan:
    return BucketPlan(
        label=bucket_label(key),
        name=bucket_name_expression(bucket_name_prefix(project, key)),
        purpose=f"bucket {key}" + (f": {bucket.description}" if bucket.description else ""),
        kms_key_arn=kms_key_arn,
        noncurrent_version_days=7,
        incomplete_upload_days=7,
        skips=bucket_skips("data"),
        expire_after_days=bucket.expire_after_days,
    )


def artifacts_bucket_problems(project: str) -> list[Problem]:
    prefix = bucket_name_prefix(project, ARTIFACTS_KEY)
    if not bucket_name_too_long(prefix):
        return []
    return [error(
        ("project", "name"),
        f"{project!r} is too long to name the artifacts bucket a zip over 50 MB needs: "
        f'"{prefix}-<account id>-<region>" can exceed S3\'s 63 characters',
        f"use a project name of at most {BUCKET_PREFIX_MAX - len('-' + ARTIFACTS_KEY)} characters",
    )]
