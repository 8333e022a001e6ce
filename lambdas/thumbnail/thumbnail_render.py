"""Rendering thumbnails of a frame with Pillow: exact pixel sizes, cropped to the aspect. No AWS here."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image, ImageOps

MAX_SIDE = 4096
JPEG_QUALITY = 85

_SIZE = re.compile(r"(\d+)x(\d+)")


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """ "1280x720,320x180" → [(1280, 720), (320, 180)]; ValueError naming the bad entry."""
    sizes = []
    for entry in (item.strip() for item in text.split(",")):
        if not entry:
            continue
        match = _SIZE.fullmatch(entry)
        if not match:
            raise ValueError(f"thumbnail size {entry!r} is not WIDTHxHEIGHT")
        width, height = int(match[1]), int(match[2])
        if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
            raise ValueError(f"thumbnail size {entry!r} must be between 1x1 and {MAX_SIDE}x{MAX_SIDE}")
        if (width, height) not in sizes:
            sizes.append((width, height))
    if not sizes:
        raise ValueError("no thumbnail sizes given")
    return sizes


def render_jpeg(frame: Path, size: tuple[int, int]) -> bytes:
    """The frame scaled and centre-cropped to exactly `size`, as JPEG bytes."""
    with Image.open(frame) as image:
        fitted = ImageOps.fit(image.convert("RGB"), size, method=Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    fitted.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def thumbnail_key(job_id: str, size: tuple[int, int]) -> str:
    return f"thumbnails/{job_id}/{size[0]}x{size[1]}.jpg"
