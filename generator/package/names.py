"""Zip entry names that stay inside the zip's root on every unzip tool, and file names that can become one.

A zip entry is a path string. Unzip tools disagree about what is a separator (`\\` on Windows), a drive (`C:`)
or a parent (`..`), so an entry that some tool could place outside its root is refused, wherever it comes from:
a function's folder or a wheel. Lambda unpacks entry names as UTF-8, so names that are not UTF-8 are refused too.
"""

from __future__ import annotations

import re
import unicodedata

_DRIVE = re.compile(r"^[A-Za-z]:")


def display(name: str) -> str:
    """A file name as messages print it: undecodable bytes as \\xNN escapes, control characters escaped."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def file_name_problem(name: str) -> str | None:
    """What is wrong with one file or folder name of a function's sources (os.fsdecode'd), or None."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "has a name that is not valid UTF-8 (Lambda reads zip entry names as UTF-8)"
    if "\\" in name:
        return "has a backslash in its name, which Windows and some unzip tools read as a folder separator"
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in name):
        return "has a control or invisible formatting character in its name"
    return None


def entry_name_problem(name: str) -> str | None:
    """What makes a zip entry name unsafe (could land outside the root, or is ambiguous), or None."""
    if not name:
        return "an empty name"
    if "\\" in name:
        return "a backslash (a folder separator on Windows)"
    if name.startswith("/"):
        return "an absolute path"
    if _DRIVE.match(name):
        return "a drive letter"
    if "\0" in name:
        return "a NUL character"
    parts = name.split("/")
    if ".." in parts:
        return "a '..' component"
    if any(part in ("", ".") for part in parts[:-1]) or parts[-1] in ("", "."):
        return "an empty or '.' component"
    return None
