"""The message contract between the pipeline's functions: one module, shared by producers and consumers.

Every message body is a JSON object carrying a `type` and a `version` beside its fields:

    {"type": "video_job", "version": 1, "job_id": "...", ...}

Parsing is strict: wrong JSON, a wrong `type`, an unknown `version`, a missing or unknown field or a value
of the wrong type raise `MessageError` with every problem listed, so a poison message fails alone and its
reason is in the log. Strings never hold control, format or non-characters (`common.text`), and producers
check a message with `validate` before sending it, so what one function sends the next one accepts. To
change a message incompatibly, add a new version and keep parsing the old one until every queue holding it
has drained.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any, ClassVar, TypeVar

from common.text import refused_character

QUALITY_CHOICES = ("360p", "480p", "720p", "1080p", "best")

ANALYTICS_KINDS = (
    "job_queued",
    "quota_exceeded",
    "video_downloaded",
    "thumbnails_created",
    "email_sent",
    "email_rejected",
)

MAX_TEXT = 2048  # longest accepted string field (URLs included)


class MessageError(ValueError):
    """A message body does not follow the contract; the record is poison and should fail alone."""


@dataclasses.dataclass(frozen=True)
class Message:
    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1
    SUPPORTED_VERSIONS: ClassVar[frozenset[int]] = frozenset({1})

    def problems(self) -> list[str]:
        """Rules beyond field types; subclasses add theirs."""
        return []

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.TYPE, "version": self.VERSION, **dataclasses.asdict(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclasses.dataclass(frozen=True)
class VideoJob(Message):
    """router → video-processing-queue → downloader (the seed's body plus type and version)."""

    TYPE: ClassVar[str] = "video_job"

    job_id: str
    video_url: str
    user_email: str
    quality: str
    timestamp: int

    def problems(self) -> list[str]:
        found = []
        if self.quality not in QUALITY_CHOICES:
            found.append(f"quality: {self.quality!r} is not one of {', '.join(QUALITY_CHOICES)}")
        if not self.video_url.startswith(("http://", "https://")):
            found.append("video_url: must be an http or https URL")
        return found


@dataclasses.dataclass(frozen=True)
class ThumbnailJob(Message):
    """downloader → thumbnail-generation-queue → thumbnail."""

    TYPE: ClassVar[str] = "thumbnail_job"

    job_id: str
    video_key: str
    video_url: str
    user_email: str
    timestamp: int
    video_title: str | None = None

    def problems(self) -> list[str]:
        if not self.video_key.startswith(f"videos/{self.job_id}/"):
            return [f"video_key: must start with videos/{self.job_id}/"]
        return []


@dataclasses.dataclass(frozen=True)
class EmailNotification(Message):
    """thumbnail → email-queue → email. `notification_id` is the exactly-once key."""

    TYPE: ClassVar[str] = "email_notification"

    notification_id: str
    job_id: str
    to_address: str
    video_url: str
    thumbnail_keys: list[str]
    timestamp: int
    video_title: str | None = None


@dataclasses.dataclass(frozen=True)
class AnalyticsEvent(Message):
    """every function → analytics-queue → analytics.

    Counted once per `event_id`, per (kind, subject, UTC day).
    """

    TYPE: ClassVar[str] = "analytics_event"

    event_id: str
    kind: str
    subject: str
    source: str
    occurred_at: int
    job_id: str | None = None

    def problems(self) -> list[str]:
        if self.kind not in ANALYTICS_KINDS:
            return [f"kind: {self.kind!r} is not one of {', '.join(ANALYTICS_KINDS)}"]
        return []


M = TypeVar("M", bound=Message)


def parse(body: str | bytes, message_type: type[M]) -> M:
    """The message in an SQS body, or `MessageError` naming every problem."""
    try:
        data = json.loads(body)
    except (ValueError, TypeError) as error:
        raise MessageError(f"{message_type.TYPE}: body is not JSON ({error})") from None
    if not isinstance(data, dict):
        raise MessageError(f"{message_type.TYPE}: body must be a JSON object, not {type(data).__name__}")
    return from_dict(data, message_type)


def validate(message: M) -> M:
    """The message itself when it follows the contract (what its consumer will accept), else MessageError."""
    return from_dict(message.to_dict(), type(message))


def from_dict(data: dict[str, Any], message_type: type[M]) -> M:
    name = message_type.TYPE
    if data.get("type") != name:
        raise MessageError(f"{name}: field 'type' must be {name!r}, got {data.get('type')!r}")
    version = data.get("version")
    if type(version) is not int or version not in message_type.SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in sorted(message_type.SUPPORTED_VERSIONS))
        raise MessageError(f"{name}: version {version!r} is not supported (supported: {supported})")

    hints = typing.get_type_hints(message_type)
    fields = {f.name: f for f in dataclasses.fields(message_type)}
    problems = [f"{key}: unknown field" for key in sorted(set(data) - set(fields) - {"type", "version"})]
    values = {}
    for field_name, field in fields.items():
        if field_name not in data:
            if field.default is dataclasses.MISSING:
                problems.append(f"{field_name}: required field is missing")
            continue
        problem = _type_problem(data[field_name], hints[field_name])
        if problem:
            problems.append(f"{field_name}: {problem}")
        else:
            values[field_name] = data[field_name]
    if not problems:
        message = message_type(**values)
        problems = message.problems()
        if not problems:
            return message
    raise MessageError(f"{name} v{version}: " + "; ".join(problems))


def _type_problem(value: Any, hint: Any) -> str | None:
    """Why `value` does not fit the annotation `hint` (str, int, list[str], X | None), or None."""
    if isinstance(hint, types.UnionType):
        if value is None and type(None) in hint.__args__:
            return None
        (hint,) = [arg for arg in hint.__args__ if arg is not type(None)]
    if hint is str:
        if not isinstance(value, str):
            return f"must be a string, got {type(value).__name__}"
        if not value.strip():
            return "must not be empty"
        if len(value) > MAX_TEXT:
            return f"longer than {MAX_TEXT} characters"
        return refused_character(value)
    if hint is int:
        # bool is an int subclass; true/false is never a timestamp or a count.
        if type(value) is not int:
            return f"must be an integer, got {type(value).__name__}"
        return None
    if typing.get_origin(hint) is list:
        if not isinstance(value, list):
            return f"must be a list, got {type(value).__name__}"
        (item_hint,) = typing.get_args(hint)
        for index, item in enumerate(value):
            problem = _type_problem(item, item_hint)
            if problem:
                return f"item {index} {problem}"
        return None
    raise TypeError(f"unsupported annotation {hint!r}")  # a contract bug, caught by the tests
