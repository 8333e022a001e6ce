"""Tables and buckets: keys that DynamoDB accepts, bucket names that fit S3's limit."""

from __future__ import annotations

from collections.abc import Iterator

from generator.naming import ARTIFACTS_KEY, BUCKET_PREFIX_MAX, bucket_name_prefix, bucket_name_too_long
from generator.problems import Problem, error
from generator.rules.common import rule
from generator.spec.model import Spec


@rule
def table_keys_are_distinct(spec: Spec) -> Iterator[Problem]:
    """DynamoDB: the partition and sort keys are different attributes, and the TTL attribute is neither
    (key attributes must be present on every item; TTL values are numbers, keys here are strings)."""
    for key, table in spec.tables.items():
        if table.range_key is not None and table.range_key == table.hash_key:
            yield error(("tables", key, "range_key"), f'"{table.range_key}" is already the hash key',
                        "use another attribute as the sort key, or remove range_key")
        if table.ttl_attribute in (table.hash_key, table.range_key):
            yield error(("tables", key, "ttl_attribute"), f'"{table.ttl_attribute}" is a key attribute',
                        "use a separate numeric attribute for the expiry")


@rule
def bucket_names_fit(spec: Spec) -> Iterator[Problem]:
    """S3 bucket names are at most 63 characters and global; ours are `<project>-<key>-<account>-<region>`
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). The key `artifacts` names
    the bucket the generator adds for zips over 50 MB."""
    for key in spec.buckets:
        prefix = bucket_name_prefix(spec.project.name, key)
        if key == "artifacts":
            yield error(("buckets", key), "'artifacts' is the bucket the generator adds for zips over 50 MB",
                        "give the bucket another key")
        elif bucket_name_too_long(prefix):
            yield error(("buckets", key), f'"{prefix}-<account id>-<region>" can exceed S3\'s 63 characters',
                        f"keep the project name and bucket key within {BUCKET_PREFIX_MAX - 1} characters together")


@rule
def signed_code_has_an_artifacts_bucket(spec: Spec) -> Iterator[Problem]:
    """AWS Signer signs S3 objects, so with code signing every zip deploys from the artifacts bucket
    (https://docs.aws.amazon.com/signer/latest/developerguide/signing-lambda.html): its name must fit too."""
    prefix = bucket_name_prefix(spec.project.name, ARTIFACTS_KEY)
    if spec.code_signing.enabled and bucket_name_too_long(prefix):
        yield error(("code_signing", "enabled"),
                    f'signed code deploys from the artifacts bucket, and "{prefix}-<account id>-<region>" can exceed '
                    "S3's 63 characters",
                    f"use a project name of at most {BUCKET_PREFIX_MAX - len('-' + ARTIFACTS_KEY)} characters, or "
                    "turn code signing off")
