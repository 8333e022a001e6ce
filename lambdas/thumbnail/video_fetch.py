"""Fetching the job's video from S3 into the scratch folder — only when it fits in the room and the time left.

1. HeadObject: the size and the ETag of the object.
2. The size must fit in the scratch folder's free space (ephemeral storage, `shutil.disk_usage`) with a
   margin for the frame, and its transfer (at a conservative rate) in the time left: otherwise the record
   fails at once with the reason, before a byte is fetched.
3. GetObject with IfMatch on that ETag (the object checked is the object fetched), streamed to disk in
   chunks: stops at the checked size whatever the body holds, and at the deadline.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from common import aws
from common.time_budget import OutOfTime, TimeBudget

SCRATCH_MARGIN_BYTES = 32 * 1024**2  # the frame and the JPEGs beside the video
FETCH_BYTES_PER_SECOND = 25 * 1024**2  # conservative S3 → Lambda rate for one stream
CHUNK_BYTES = 1024**2


class VideoDoesNotFit(RuntimeError):
    """The video is larger than the scratch folder's free space: raise the function's ephemeral storage."""


class VideoChanged(RuntimeError):
    """The object's body is not what HeadObject described (replaced meanwhile, or longer than announced)."""


def fetch_video(bucket: str, key: str, target: Path, budget: TimeBudget, *, reserve_ms: int) -> int:
    """Download s3://bucket/key to `target`; returns its size. Keeps `reserve_ms` of the budget for later."""
    head = aws.client("s3", budget, reserve_ms=reserve_ms).head_object(Bucket=bucket, Key=key)
    size = int(head["ContentLength"])
    check_room(size, target.parent)
    transfer_ms = 1_000 + size * 1000 // FETCH_BYTES_PER_SECOND
    budget.require(transfer_ms + reserve_ms, f"fetching {size} bytes of video")

    deadline = budget.deadline(reserve_ms=reserve_ms)
    response = aws.client("s3", budget, reserve_ms=reserve_ms).get_object(
        Bucket=bucket, Key=key, IfMatch=head["ETag"]
    )
    written = 0
    with target.open("wb") as file:
        for chunk in response["Body"].iter_chunks(CHUNK_BYTES):
            written += len(chunk)
            if written > size:
                raise VideoChanged(f"s3://{bucket}/{key} holds more than the {size} bytes HeadObject announced")
            if time.monotonic() > deadline:
                raise OutOfTime(f"fetching {key} did not finish in time ({written} of {size} bytes)")
            file.write(chunk)
    if written != size:
        raise VideoChanged(f"s3://{bucket}/{key}: {written} bytes received, {size} announced")
    return size


def check_room(size: int, folder: Path) -> None:
    free = shutil.disk_usage(folder).free
    if size + SCRATCH_MARGIN_BYTES > free:
        raise VideoDoesNotFit(
            f"the video is {size} bytes but the scratch folder has {free} bytes free (keeping "
            f"{SCRATCH_MARGIN_BYTES} for the frame): raise the thumbnail function's ephemeral_storage_size"
        )
