"""Scratch folders under /tmp that never outlive the record they serve."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A fresh folder under the temp dir (/tmp on Lambda), removed afterwards whatever happens.

    /tmp survives between invocations of a warm container, so leftovers would fill it job by job.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
