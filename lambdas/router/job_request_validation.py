"""Validating a job request from the HTTP body: plain values in, per-field errors out. No AWS here.

Every field that reaches a queue or an email is refused when it holds a control, format or non-character
(`common.text`), with the character named; the address must be plain ASCII dot-atom anyway.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from urllib.parse import urlsplit

from common.messages import QUALITY_CHOICES
from common.text import refused_character

DEFAULT_QUALITY = "720p"
MAX_URL_LENGTH = 2048

# Pragmatic address syntax (RFC 5321 dot-atom local part, LDH domain labels, a dot in the domain): what SES
# accepts, without quoted local parts or IP-literal domains.
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")

_FIELDS = ("video_url", "user_email", "quality")

# A host name as DNS spells it: LDH labels (IDNs in their xn-- form), or an IP address. Anything else in the
# host (a backslash, a percent escape, an underscore, ...) is read differently by different URL parsers.
_HOST_NAME = re.compile(r"([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9-]{1,63}\.?")
# Where a WHATWG-style parser (urllib3, hence requests, and yt-dlp's requests handler; browsers) ends the
# authority: at the first of / \ ? # after "//". urllib.parse does not count the backslash, so
# `https://evil.example\.youtube.com/` is youtube.com's subdomain to urlsplit and evil.example to urllib3.
_AUTHORITY_END = re.compile(r"[/\\?#]")


@dataclasses.dataclass(frozen=True)
class JobRequest:
    video_url: str
    user_email: str
    quality: str


def validate_job_request(payload: Any, allowed_hosts: list[str]) -> tuple[JobRequest | None, dict[str, str]]:
    """The request, or None and an error message per field."""
    if not isinstance(payload, dict):
        return None, {"body": "must be a JSON object with video_url, user_email and quality"}
    errors = {name: "unknown field" for name in sorted(set(payload) - set(_FIELDS))}

    video_url = payload.get("video_url")
    url_error = video_url_error(video_url, allowed_hosts)
    if url_error:
        errors["video_url"] = url_error

    user_email = payload.get("user_email")
    email_error = email_error_for(user_email)
    if email_error:
        errors["user_email"] = email_error

    quality = payload.get("quality", DEFAULT_QUALITY)
    if not isinstance(quality, str) or quality not in QUALITY_CHOICES:
        errors["quality"] = f"must be one of {', '.join(QUALITY_CHOICES)}"

    if errors:
        return None, errors
    return JobRequest(video_url=video_url.strip(), user_email=user_email.strip(), quality=quality), {}


def video_url_error(value: Any, allowed_hosts: list[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "is required (an http or https URL)"
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    refused = refused_character(value)
    if refused:
        return refused
    if any(ch.isspace() for ch in value):
        return "must not contain whitespace"
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").rstrip(".")
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "must use http or https"
    if not host:
        return "must name a host"
    if parts.username is not None or parts.password is not None:
        return "must not contain credentials"
    ambiguous = ambiguous_host_error(value, parts.netloc, host)
    if ambiguous:
        return ambiguous
    if not host_is_allowed(host, allowed_hosts):
        return f"host {host!r} is not allowed"
    return None


def ambiguous_host_error(url: str, netloc: str, host: str) -> str | None:
    """Refuse a URL whose host the downloader's HTTP layer could read otherwise than this check does: the
    authority must end where every parser ends it, and the host must be a plain DNS name or IP literal."""
    after_scheme = url.split("//", 1)[1] if "//" in url else ""
    authority = _AUTHORITY_END.split(after_scheme, 1)[0]
    if authority != netloc:
        return "must not contain a backslash before the path (URL parsers disagree on its host)"
    if not (netloc.startswith("[") or _HOST_NAME.fullmatch(host)):  # "[…]": an IPv6 literal, parsed alike
        return f"host {host!r} is not a valid host name"
    return None


def host_is_allowed(host: str, allowed_hosts: list[str]) -> bool:
    """A host matches an allowlist entry when it is that entry or one of its subdomains."""
    host = host.lower().rstrip(".")
    for allowed in allowed_hosts:
        allowed = allowed.lower().strip().rstrip(".")
        if allowed and (host == allowed or host.endswith("." + allowed)):
            return True
    return False


def email_error_for(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "is required"
    value = value.strip()
    if len(value) > 254:
        return "must be at most 254 characters"
    refused = refused_character(value)
    if refused:
        return refused
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        return "is not a valid email address"
    if len(local) > 64 or not _LOCAL_PART.fullmatch(local):
        return "is not a valid email address"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        return "is not a valid email address"
    if labels[-1].isdigit():
        return "is not a valid email address"
    return None


def normalised_address(address: str) -> str:
    """The mailbox an address reaches, for counting: case folded, `+tag` dropped, Gmail's dots ignored.

    `Ada+1@Example.com` and `ada@example.com` reach one mailbox at most providers, so they share one quota.
    """
    local, _, domain = address.strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    local = local.lower()
    untagged = local.split("+", 1)[0]
    local = untagged or local
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", "") or local, "gmail.com"
    return f"{local}@{domain}"
