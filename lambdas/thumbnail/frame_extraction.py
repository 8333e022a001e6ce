"""Extracting one representative frame of a video with the ffmpeg binary imageio-ffmpeg ships. No AWS here."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

# Seek a little into the video first (openings are often black), then let ffmpeg's `thumbnail` filter pick the
# most representative of the next frames; a video shorter than the seek falls back to its start.
SEEK_OFFSETS_SECONDS = (2.0, 0.0)
FRAMES_CONSIDERED = 30


class FrameExtractionFailed(Exception):
    """ffmpeg produced no frame (not a video, or corrupt); the record fails and is retried."""


def extract_frame(video: Path, frame: Path, *, timeout_seconds: float) -> Path:
    """Write one frame of `video` as PNG to `frame`; subprocess.TimeoutExpired past `timeout_seconds`."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    errors = []
    for offset in SEEK_OFFSETS_SECONDS:
        frame.unlink(missing_ok=True)
        result = subprocess.run(
            [
                ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-ss", f"{offset:.3f}", "-i", str(video),
                "-vf", f"thumbnail={FRAMES_CONSIDERED}", "-frames:v", "1", "-an",
                str(frame),
            ],
            capture_output=True,
            timeout=timeout_seconds,
            check=False,
        )  # fmt: skip
        if result.returncode == 0 and frame.is_file() and frame.stat().st_size > 0:
            return frame
        errors.append(result.stderr.decode("utf-8", "replace").strip()[-500:] or f"exit {result.returncode}")
    raise FrameExtractionFailed(f"ffmpeg produced no frame: {' | '.join(errors)}")
