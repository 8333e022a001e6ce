"""Which characters may travel in a message or an email, decided the same way on every Python.

Refused: C0 and C1 controls and DEL (tab, LF and CR included: no field needs them), surrogates (a lone one
cannot be encoded as UTF-8, so SQS and SES would fail on it), the line and paragraph separators, Unicode
non-characters (U+FDD0–U+FDEF and the last two code points of every plane) and the format characters —
bidi overrides and isolates, zero-width spaces and joiners, the byte order mark, invisible operators, tags.

The format characters are a fixed table (Unicode 15.1's category Cf) rather than `unicodedata.category`,
whose answer changes with the Python version (3.11 has Unicode 14, 3.13 has 15.1): a producer and a consumer
on different runtimes must agree on what is valid. Stdlib only, so the table can be tested on any interpreter.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

# Unicode 15.1, General_Category=Cf, as closed ranges (first, last).
FORMAT_CHARACTERS = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip
_FORMAT_STARTS = [first for first, _ in FORMAT_CHARACTERS]


def refusal_kind(code_point: int) -> str | None:
    """Why a code point may not appear in a field, or None when it may."""
    if code_point < 0x20 or 0x7F <= code_point <= 0x9F:
        return "control character"
    if 0xD800 <= code_point <= 0xDFFF:
        return "lone surrogate"
    if code_point in (0x2028, 0x2029):
        return "line or paragraph separator"
    if 0xFDD0 <= code_point <= 0xFDEF or (code_point & 0xFFFE) == 0xFFFE:
        return "Unicode non-character"
    index = bisect.bisect_right(_FORMAT_STARTS, code_point) - 1
    if index >= 0 and code_point <= FORMAT_CHARACTERS[index][1]:
        return "invisible format character"
    return None


def describe(code_point: int) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)`: how a refused character is named in a message."""
    name = unicodedata.name(chr(code_point), "") if not 0xD800 <= code_point <= 0xDFFF else ""
    return f"U+{code_point:04X}" + (f" ({name})" if name else "")


def refused_character(text: str) -> str | None:
    """A description of the first character `text` may not contain, or None when it is clean."""
    for position, char in enumerate(text):
        kind = refusal_kind(ord(char))
        if kind:
            return f"contains {describe(ord(char))}, a {kind}, at position {position}"
    return None


def clean_line(text: str, *, limit: int) -> str | None:
    """`text` as one clean line: refused characters removed, whitespace collapsed, at most `limit` long.

    None when nothing readable is left (empty, only whitespace or only refused characters).
    """
    kept = "".join(" " if char.isspace() else char for char in text)  # line breaks, NEL, U+2028 too
    kept = "".join(char for char in kept if refusal_kind(ord(char)) is None)
    line = " ".join(kept.split())[:limit].rstrip()
    return line or None


# Anything shaped like an address, as SES quotes them in its messages (no validation intended).
_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"']+@([A-Za-z0-9.-]+)")


def redact_addresses(text: str) -> str:
    """`text` with every email address's mailbox hidden, its domain kept: `…@example.com`.

    For error texts that quote a recipient (SES names it) before they are logged or stored.
    """
    return _ADDRESS.sub(lambda match: f"…@{match[1]}", text)
