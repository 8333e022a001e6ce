"""The Jinja environment every generated file is rendered with (the Terraform, moved.tf, the docs), and the
cache that keeps its compiled templates between runs.

Compiling the templates is most of what a `generate --full` that changes nothing spends (about 0.4 s of the
seed's), so the compiled code is kept in Jinja's own bytecode cache: Jinja's per-user folder in the temp
directory (created 0700 and refused when someone else owns it), one file per template, reused only while the
template's source checksum matches. The file names carry a key of the Jinja version and of the settings
below, since a template compiled under other settings prints differently and its source alone would not tell.
A cache that cannot be read or written is no cache: rendering never depends on it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
import jinja2.bccache

SETTINGS: dict[str, Any] = {
    "undefined": jinja2.StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
    "autoescape": False,
}


def settings_key() -> str:
    described = repr(sorted((name, getattr(value, "__name__", value)) for name, value in SETTINGS.items()))
    return hashlib.sha256(f"{jinja2.__version__} {described}".encode()).hexdigest()[:16]


class _QuietCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache, where a failure to read or write an entry only means compiling the template."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a truncated or foreign entry (pickle/marshal errors), an unreadable file
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # a full or read-only temp directory
            super().dump_bytecode(bucket)


def bytecode_cache(directory: str | None = None) -> jinja2.BytecodeCache | None:
    try:
        return _QuietCache(directory, pattern=f"__sqs_lambda_generator_{settings_key()}_%s.cache")
    except (OSError, RuntimeError):  # Jinja could not make its folder, or found it unsafe
        return None


@functools.cache
def _shared_cache() -> jinja2.BytecodeCache | None:
    """One cache (and one check of Jinja's folder) for every environment of the process."""
    return bytecode_cache()


def environment(*, filters: Mapping[str, Callable[..., Any]] | None = None,
                cache: jinja2.BytecodeCache | None = None, cached: bool = True) -> jinja2.Environment:
    """The templates' environment with FILTERS; compiled templates kept in CACHE (default: bytecode_cache()),
    or nowhere when cached=False."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        bytecode_cache=cache if cache is not None or not cached else _shared_cache(),
        **SETTINGS,
    )
    env.filters.update(filters or {})
    return env
