"""Identifiers the pipeline derives, kept in one place so producers agree on them."""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import urlsplit


def new_job_id() -> str:
    return str(uuid.uuid4())


def user_subject(email: str) -> str:
    """A stable, non-reversible id for a user: no email addresses in table keys or analytics subjects."""
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()
    return f"user#{digest[:32]}"


def host_subject(url: str) -> str:
    """The analytics subject of a video's host: counts per site, no user data."""
    return f"host#{(urlsplit(url).hostname or 'unknown').lower()}"


def milestone_event_id(kind: str, job_id: str) -> str:
    """The analytics event id of a once-per-job milestone.

    Deterministic on purpose: a redelivered message re-emits the same id, which analytics counts once.
    """
    return f"{kind}:{job_id}"


def notification_id(template: str, job_id: str) -> str:
    """The exactly-once key of an email: the same job never gets the same email twice."""
    return f"{template}:{job_id}"
