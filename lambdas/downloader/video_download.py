"""Downloading one video with yt-dlp into a local folder: its own code only, never another program. No AWS.

Every byte must come through yt-dlp's own HTTP code, where the SSRF guard checks each connection. ffmpeg
(or aria2c, curl, …) would open connections the guard never sees — for a key URL, a playlist, a redirect —
so the native downloaders are pinned and external programs are refused outright:
- options: `external_downloader` native for every protocol, `hls_prefer_native`, no post-processors, no
  fix-ups; only single-file formats ("best" = best format holding both audio and video), so no merge;
- live streams (and scheduled ones) are refused: yt-dlp hands live HLS to ffmpeg whatever the options say;
- while yt-dlp runs, starting any process fails (`external_programs_refused`); yt-dlp then sees no ffmpeg,
  and decrypts AES-128 HLS itself.
The size cap holds for fragmented downloads (HLS, DASH) too: the progress hook counts every byte received
and the bytes in the folder, and stops the download past the cap.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yt_dlp
from common.messages import MAX_TEXT
from common.text import clean_line
from yt_dlp.utils import DownloadError
from yt_dlp.utils import Popen as YtdlpPopen

MAX_FILE_BYTES = 3 * 1024**3  # the function has 4 GiB of /tmp
SCRATCH_MARGIN_BYTES = 64 * 1024**2  # kept free in /tmp beside the download

# `<=?`: formats whose height is unknown (a plain .mp4 link) still qualify.
FORMAT_FOR_QUALITY = {
    "360p": "best[height<=?360]/worst",
    "480p": "best[height<=?480]/worst",
    "720p": "best[height<=?720]/best",
    "1080p": "best[height<=?1080]/best",
    "best": "best",
}

REFUSED_LIVE_STATUSES = frozenset({"is_live", "is_upcoming"})


class DownloadFailed(Exception):
    """yt-dlp could not produce the video; the record fails and is retried."""


class DownloadDeadline(Exception):
    """The invocation is about to time out: stop downloading so the record can fail cleanly."""


class DownloadTooLarge(Exception):
    """More bytes arrived than the cap allows (a long playlist of fragments, a lying Content-Length)."""


class ExternalProgramRefused(OSError):
    """Raised where yt-dlp would start a program; an OSError, which yt-dlp reads as "not installed"."""


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


@contextlib.contextmanager
def external_programs_refused() -> Iterator[list[str]]:
    """While active, yt-dlp cannot start any program; yields the list of programs it tried to start.

    Every program yt-dlp runs (ffmpeg, ffprobe, aria2c, a JavaScript runtime) goes through its `Popen`.
    Process-wide: safe in Lambda, where one invocation runs at a time.
    """
    attempts: list[str] = []
    original = YtdlpPopen.__init__

    def refuse(self: Any, args: Any, *rest: Any, **kwargs: Any) -> None:
        program = str(args[0] if isinstance(args, list | tuple) and args else args)
        attempts.append(program)
        raise ExternalProgramRefused(f"external program refused: {program}")

    YtdlpPopen.__init__ = refuse  # type: ignore[method-assign]
    try:
        yield attempts
    finally:
        YtdlpPopen.__init__ = original  # type: ignore[method-assign]


def size_cap_for(folder: Path) -> int:
    """The most a download into `folder` may take: MAX_FILE_BYTES, or less when /tmp has less room."""
    free = shutil.disk_usage(folder).free
    return max(0, min(MAX_FILE_BYTES, free - SCRATCH_MARGIN_BYTES))


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def clean_title(title: Any) -> str | None:
    """The title as the contract wants it: one line, no control or format characters, ≤ MAX_TEXT."""
    return clean_line(title, limit=MAX_TEXT) if isinstance(title, str) else None


def download(
    url: str, quality: str, folder: Path, *, socket_timeout: float, deadline: float, logger: Any
) -> DownloadedVideo:
    """Download `url` at `quality` into `folder`.

    Raises DownloadDeadline once `time.monotonic()` passes `deadline`, DownloadTooLarge past the size cap,
    DownloadFailed for anything else.
    """
    cap = size_cap_for(folder)
    refusals: list[str] = []
    # Why the progress hook stopped the download: yt-dlp reports some exceptions raised in a hook (inside a
    # fragment) only as a failed fragment, so the reason is kept here too.
    stops: list[Exception] = []

    def watch(progress: dict[str, Any]) -> None:
        if time.monotonic() > deadline:
            stops.append(DownloadDeadline("the invocation's time is nearly up; download abandoned"))
            raise stops[-1]
        received = max(progress.get("downloaded_bytes") or 0, progress.get("total_bytes") or 0)
        if received > cap or folder_bytes(folder) > cap:
            stops.append(DownloadTooLarge(f"the video is larger than the {cap}-byte cap; download abandoned"))
            raise stops[-1]

    def refuse_live(info: dict[str, Any], *, incomplete: bool = False) -> str | None:
        if info.get("is_live") or info.get("live_status") in REFUSED_LIVE_STATUSES:
            refusals.append(f"{url} is a live or scheduled stream; only finished videos are downloaded")
            return refusals[-1]
        return None

    options = {
        "format": FORMAT_FOR_QUALITY[quality],
        "outtmpl": {"default": str(folder / "video.%(ext)s")},
        "noplaylist": True,
        "playlist_items": "1",
        # No `max_filesize`: yt-dlp would drop an oversized fragment silently; the hook stops it, saying why.
        "socket_timeout": socket_timeout,
        "retries": 2,
        "fragment_retries": 2,
        "skip_unavailable_fragments": False,  # a video with holes is a failure, not a result
        "external_downloader": {"default": "native"},
        "hls_prefer_native": True,
        "postprocessors": [],
        "fixup": "never",
        "match_filter": refuse_live,
        "cachedir": False,  # only /tmp is writable on Lambda, and nothing is worth caching across jobs
        "proxy": "",  # ignore *_PROXY variables: connections must go where the SSRF guard checked
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "overwrites": True,
        "continuedl": False,
        "updatetime": False,
        "progress_hooks": [watch],
        "logger": _YtdlpLog(logger),
    }
    with external_programs_refused() as programs:
        try:
            with yt_dlp.YoutubeDL(options) as ydl:
                info = ydl.extract_info(url, download=True)
        except DownloadError as error:
            if stops:
                raise stops[0] from error
            # yt-dlp remembers that ffmpeg is "missing" once a probe was refused, so its own words count too.
            wanted = sorted(set(programs)) or (["ffmpeg"] if "ffmpeg" in str(error).lower() else [])
            if wanted:
                raise DownloadFailed(
                    f"{error} (this stream needs {', '.join(wanted)}, which is refused: it would fetch outside "
                    "the SSRF guard)"
                ) from error
            raise DownloadFailed(str(error)) from error
    if stops:  # a fragment stopped by the hook and skipped: never a result
        raise stops[0]
    if refusals:
        raise DownloadFailed(refusals[0])

    info = info or {}
    if info.get("_type") == "playlist":
        entries = [entry for entry in info.get("entries") or [] if entry]
        info = entries[0] if entries else {}
    downloads = info.get("requested_downloads") or []
    path = Path(downloads[0]["filepath"]) if downloads and downloads[0].get("filepath") else None
    if path is None or not path.is_file():
        raise DownloadFailed(f"yt-dlp produced no file for {url} (too large, or no single-file format)")
    if path.stat().st_size > cap:
        raise DownloadTooLarge(f"the video is larger than the {cap}-byte cap")
    return DownloadedVideo(
        path=path, extension=path.suffix.lstrip(".") or "bin", title=clean_title(info.get("title"))
    )
