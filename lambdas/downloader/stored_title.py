"""The video's title, kept with the stored video as S3 user metadata (`x-amz-meta-title`), so that a delivery
retried after the upload sends the same thumbnail job as the first one did.

S3 sends user metadata as HTTP headers: the value must be printable ASCII, and all of an object's user metadata
at most 2 KB. The title (one clean line, `common.text.clean_line`) is stored percent-encoded as UTF-8, with every
printable ASCII character but `%` as itself; a title whose encoding is longer than MAX_ENCODED is cut, on a
character, to fit. The title sent downstream is always the stored one, on the first delivery and on a retry.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from video_download import clean_title

METADATA_KEY = "title"  # x-amz-meta-title
MAX_ENCODED = 1800  # of S3's 2 KB for all user metadata, leaving room for the key and any other entry
_SAFE = "".join(chr(code) for code in range(0x20, 0x7F) if chr(code) != "%")


def title_metadata(title: str | None) -> dict[str, str]:
    """The user metadata that keeps `title` (none when there is no title)."""
    if not title:
        return {}
    encoded = quote(title, safe=_SAFE)
    while len(encoded) > MAX_ENCODED:
        title = title[: max(0, len(title) - 1 - (len(encoded) - MAX_ENCODED) // 9)].rstrip()
        encoded = quote(title, safe=_SAFE)
    return {METADATA_KEY: encoded} if title else {}


def title_from_metadata(metadata: dict[str, str]) -> str | None:
    """The title kept by `title_metadata`; None when there is none, or it does not decode to a clean title."""
    encoded = metadata.get(METADATA_KEY)
    if not encoded:
        return None
    try:
        decoded = unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        return None
    return clean_title(decoded)
