"""Lambda's deployment package limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).

Read through the module (`limits.UNZIPPED_LIMIT`), so tests can lower them.
"""

from __future__ import annotations

# "50 MB (zipped, when uploaded through the Lambda API or SDKs)": larger zips must come from S3.
DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024
# "250 MB: the maximum size of the contents of a deployment package, including layers" - from S3 too.
UNZIPPED_LIMIT = 250 * 1024 * 1024


def deployed_through_s3(zip_size: int) -> bool:
    return zip_size > DIRECT_UPLOAD_LIMIT


def too_large_unzipped(unzipped_size: int) -> bool:
    return unzipped_size > UNZIPPED_LIMIT


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
