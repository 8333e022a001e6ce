"""What a Lambda Python runtime provides without the zip: its standard library and the AWS SDK.

The standard library of the *target* runtime, not of the Python running the generator: 3.12 removed
asyncore, distutils, imp …, 3.13 removed cgi, crypt, telnetlib …. `sys.stdlib_module_names` of this Python is
moved to the target's version with the table below, taken from the interpreters themselves (3.11.7, 3.12.1,
3.13.0: `python -c "import sys; print(sorted(sys.stdlib_module_names))"`); tests/package/test_imports.py
compares it with every interpreter of those versions it finds.
"""

from __future__ import annotations

import sys
from functools import cache

from packaging.utils import canonicalize_name

# "The Lambda Python runtimes include the AWS SDK for Python (Boto3) and its dependencies"
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html): distribution → its import names.
RUNTIME_DISTRIBUTIONS = {
    canonicalize_name("boto3"): ("boto3",),
    canonicalize_name("botocore"): ("botocore",),
    canonicalize_name("s3transfer"): ("s3transfer",),
    canonicalize_name("jmespath"): ("jmespath",),
    canonicalize_name("python-dateutil"): ("dateutil",),
    canonicalize_name("urllib3"): ("urllib3",),
    canonicalize_name("six"): ("six",),
}
RUNTIME_PROVIDED = frozenset(RUNTIME_DISTRIBUTIONS)
RUNTIME_MODULES = frozenset(name for names in RUNTIME_DISTRIBUTIONS.values() for name in names)

# Top-level standard library modules added and removed by each version, relative to the one before.
_CHANGES: dict[tuple[int, int], tuple[frozenset[str], frozenset[str]]] = {
    (3, 12): (
        frozenset({"_pydatetime", "_pylong", "_sha2"}),
        frozenset({"_bootsubprocess", "_sha256", "_sha512", "asynchat", "asyncore", "distutils", "imp",
                   "smtpd"}),
    ),
    (3, 13): (
        frozenset({"_android_support", "_colorize", "_interpchannels", "_interpqueues", "_interpreters",
                   "_ios_support", "_opcode_metadata", "_pyrepl", "_suggestions", "_sysconfig", "_wmi"}),
        frozenset({"_crypt", "_msi", "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3",
                   "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau",
                   "telnetlib", "uu", "xdrlib"}),
    ),
}


@cache
def stdlib_modules(python_version: str, host: tuple[int, int] | None = None,
                   host_names: frozenset[str] | None = None) -> frozenset[str]:
    """Top-level standard library module names of the target Python ("3.12")."""
    current = host or sys.version_info[:2]
    names = set(host_names if host_names is not None else sys.stdlib_module_names)
    target = tuple(int(part) for part in python_version.split("."))
    while current < target:  # forward: apply each newer version's changes
        current = (current[0], current[1] + 1)
        added, removed = _CHANGES.get(current, (frozenset(), frozenset()))
        names = (names - removed) | added
    while current > target:  # backward: undo them
        added, removed = _CHANGES.get(current, (frozenset(), frozenset()))
        names = (names - added) | removed
        current = (current[0], current[1] - 1)
    return frozenset(names)
