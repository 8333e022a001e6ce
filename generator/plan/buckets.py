"""S3 buckets of the generated Terraform: a name AWS accepts, and the hardened settings they share."""

from __future__ import annotations

from generator.plan.model import BucketPlan
from generator.plan.skips import artifacts_bucket_skips
from generator.problems import Problem, error

ARTIFACTS_LABEL = "artifacts"
_BUCKET_NAME_MAX = 63  # S3: 3-63 characters of lowercase letters, digits, hyphens and dots
_ACCOUNT_ID_LENGTH = 12
_LONGEST_REGION = len("ap-southeast-5")  # the longest region names have 14 characters
_ARTIFACTS_INFIX = "-artifacts-"
# project + "-artifacts-" + account id + "-" + region must fit in 63 characters in every region.
MAX_PROJECT_NAME_FOR_ARTIFACTS = (
    _BUCKET_NAME_MAX - len(_ARTIFACTS_INFIX) - _ACCOUNT_ID_LENGTH - len("-") - _LONGEST_REGION
)


def _name_prefix(project: str) -> str:
    return project.replace("_", "-")  # S3 bucket names allow no underscores


def artifacts_bucket(project: str, kms_key_arn: str) -> BucketPlan:
    """Holds the zips over Lambda's direct-upload limit. Bucket names are global: the account id and region
    make this one unique without a random suffix, so the name is the same on every run and machine."""
    return BucketPlan(
        label=ARTIFACTS_LABEL,
        name=f'"{_name_prefix(project)}{_ARTIFACTS_INFIX}'
             '${data.aws_caller_identity.current.account_id}-${var.region}"',
        purpose="Lambda zips over the 50 MB direct-upload limit; Terraform uploads them, Lambda reads them",
        kms_key_arn=kms_key_arn,
        noncurrent_version_days=30,
        incomplete_upload_days=7,
        skips=artifacts_bucket_skips(),
    )


def artifacts_bucket_problems(project: str) -> list[Problem]:
    if len(_name_prefix(project)) <= MAX_PROJECT_NAME_FOR_ARTIFACTS:
        return []
    return [error(
        ("project", "name"),
        f"{project!r} is too long to name the artifacts bucket a zip over 50 MB needs: "
        f'"{_name_prefix(project)}{_ARTIFACTS_INFIX}<account id>-<region>" can exceed S3\'s '
        f"{_BUCKET_NAME_MAX} characters",
        f"use a project name of at most {MAX_PROJECT_NAME_FOR_ARTIFACTS} characters",
    )]
