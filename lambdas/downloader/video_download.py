"""Downloading one video with yt-dlp into a local folder. No AWS here.

Only single-file formats are chosen ("best" = best format holding both audio and video), so yt-dlp never needs
ffmpeg to merge streams, and fix-ups that would need ffmpeg are off.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import yt_dlp
from yt_dlp.utils import DownloadError

MAX_FILE_BYTES = 3 * 1024**3  # the function has 4 GiB of /tmp; leave room for the .part file's bookkeeping

# `<=?`: formats whose height is unknown (a plain .mp4 link) still qualify.
FORMAT_FOR_QUALITY = {
    "360p": "best[height<=?360]/worst",
    "480p": "best[height<=?480]/worst",
    "720p": "best[height<=?720]/best",
    "1080p": "best[height<=?1080]/best",
    "best": "best",
}


class DownloadFailed(Exception):
    """yt-dlp could not produce the video; the record fails and is retried."""


class DownloadDeadline(Exception):
    """The invocation is about to time out: stop downloading so the record can fail cleanly."""


@dataclasses.dataclass(frozen=True)
class DownloadedVideo:
    path: Path
    extension: str
    title: str | None


class _YtdlpLog:
    """Routes yt-dlp's messages into the function's structured log instead of stderr."""

    def __init__(self, logger: Any) -> None:
        self._logger = logger

    def debug(self, message: str) -> None:
        self._logger.debug(message, extra={"source": "yt-dlp"})

    def info(self, message: str) -> None:
        self._logger.debug(message, extra={"source": "yt-dlp"})

    def warning(self, message: str) -> None:
        self._logger.warning(message, extra={"source": "yt-dlp"})

    def error(self, message: str) -> None:
        # yt-dlp reports the error it then raises; the handler logs the failure once, with its context.
        self._logger.debug(message, extra={"source": "yt-dlp"})


def download(
    url: str, quality: str, folder: Path, *, socket_timeout: float, deadline: float, logger: Any
) -> DownloadedVideo:
    """Download `url` at `quality` into `folder`.

    Raises DownloadDeadline once `time.monotonic()` passes `deadline`, DownloadFailed for anything else.
    """

    def stop_at_deadline(progress: dict[str, Any]) -> None:
        if time.monotonic() > deadline:
            raise DownloadDeadline("the invocation's time is nearly up; download abandoned")

    options = {
        "format": FORMAT_FOR_QUALITY[quality],
        "outtmpl": {"default": str(folder / "video.%(ext)s")},
        "noplaylist": True,
        "playlist_items": "1",
        "max_filesize": MAX_FILE_BYTES,
        "socket_timeout": socket_timeout,
        "retries": 2,
        "fragment_retries": 2,
        "fixup": "never",
        "cachedir": False,  # only /tmp is writable on Lambda, and nothing is worth caching across jobs
        "proxy": "",  # ignore *_PROXY variables: connections must go where the SSRF guard checked
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "overwrites": True,
        "continuedl": False,
        "updatetime": False,
        "progress_hooks": [stop_at_deadline],
        "logger": _YtdlpLog(logger),
    }
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=True)
    except DownloadError as error:
        cause = error.exc_info[1] if error.exc_info else None
        if isinstance(cause, DownloadDeadline):
            raise cause from error
        raise DownloadFailed(str(error)) from error

    info = info or {}
    if info.get("_type") == "playlist":
        entries = [entry for entry in info.get("entries") or [] if entry]
        info = entries[0] if entries else {}
    downloads = info.get("requested_downloads") or []
    path = Path(downloads[0]["filepath"]) if downloads and downloads[0].get("filepath") else None
    if path is None or not path.is_file():
        raise DownloadFailed(f"yt-dlp produced no file for {url} (too large, or no single-file format)")
    return DownloadedVideo(path=path, extension=path.suffix.lstrip(".") or "bin", title=info.get("title"))
