"""The shared message contract (common.messages) and small shared helpers: parsing is strict and explains."""

from __future__ import annotations

import json

import pytest
import ssrf_guard
from common import config
from common.messages import (
    AnalyticsEvent,
    EmailNotification,
    MessageError,
    ThumbnailJob,
    VideoJob,
    from_dict,
    parse,
    validate,
)
from common.time_budget import OutOfTime, TimeBudget
from lambda_events import FakeLambdaContext

EXAMPLES = [
    VideoJob(
        job_id="j1", video_url="https://youtube.com/v", user_email="a@example.com", quality="720p",
        timestamp=1,
    ),
    ThumbnailJob(
        job_id="j1", video_key="videos/j1/video.mp4", video_url="https://youtube.com/v",
        user_email="a@example.com", timestamp=1,
    ),
    EmailNotification(
        notification_id="video-ready:j1", job_id="j1", to_address="a@example.com", video_url="https://youtube.com/v",
        thumbnail_keys=["thumbnails/j1/320x180.jpg"], timestamp=1, video_title="T",
    ),
    AnalyticsEvent(event_id="e1", kind="job_queued", subject="user#x", source="router", occurred_at=1),
]  # fmt: skip


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: m.TYPE)
def test_every_message_survives_a_round_trip_with_type_and_version(message):
    body = message.to_json()
    assert json.loads(body)["type"] == message.TYPE
    assert json.loads(body)["version"] == 1
    assert parse(body, type(message)) == message


def test_the_video_job_body_keeps_the_seed_fields():
    body = json.loads(EXAMPLES[0].to_json())
    assert {"job_id", "video_url", "user_email", "quality", "timestamp"} <= set(body)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("not json", "body is not JSON"),
        ("[]", "must be a JSON object, not list"),
        ('{"type": "thumbnail_job", "version": 1}', "field 'type' must be 'video_job'"),
        ('{"type": "video_job", "version": 2}', "version 2 is not supported (supported: 1)"),
        ('{"type": "video_job", "version": "1"}', "version '1' is not supported"),
        ('{"type": "video_job", "version": true}', "version True is not supported"),
    ],
)
def test_a_body_that_is_not_a_supported_message_is_refused(body, fragment):
    with pytest.raises(MessageError, match=None) as error:
        parse(body, VideoJob)
    assert fragment in str(error.value)


def test_every_field_problem_is_listed_at_once():
    data = {**EXAMPLES[0].to_dict(), "timestamp": True, "quality": "8k", "extra": 1}
    del data["user_email"]
    with pytest.raises(MessageError) as error:
        from_dict(data, VideoJob)
    text = str(error.value)
    for fragment in ("extra: unknown field", "user_email: required field is missing",
                     "timestamp: must be an integer, got bool"):  # fmt: skip
        assert fragment in text


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"thumbnail_keys": ["ok", 3]}, "thumbnail_keys: item 1 must be a string"),
        ({"to_address": "   "}, "to_address: must not be empty"),
        ({"video_url": "x" * 3000}, "longer than 2048"),
        ({"video_title": 5}, "video_title: must be a string"),
    ],
)
def test_field_types_are_checked(change, fragment):
    with pytest.raises(MessageError, match=None) as error:
        from_dict({**EXAMPLES[2].to_dict(), **change}, EmailNotification)
    assert fragment in str(error.value)


def test_optional_fields_may_be_null_or_absent():
    data = EXAMPLES[2].to_dict()
    assert from_dict({**data, "video_title": None}, EmailNotification).video_title is None
    del data["video_title"]
    assert from_dict(data, EmailNotification).video_title is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://x/", "http:///nohost"])
def test_only_http_urls_with_a_host_are_fetched(url):
    with pytest.raises(ssrf_guard.UnsafeUrlError):
        ssrf_guard.check_url(url, allow_loopback=True)


def test_config_helpers_name_the_variable(monkeypatch):
    monkeypatch.setenv("DAILY_QUOTA", "lots")
    with pytest.raises(config.ConfigError, match="DAILY_QUOTA='lots' must be an integer"):
        config.integer("DAILY_QUOTA")
    monkeypatch.setenv("ALLOW_LOOPBACK_URLS", "maybe")
    with pytest.raises(config.ConfigError, match="ALLOW_LOOPBACK_URLS"):
        config.boolean("ALLOW_LOOPBACK_URLS", default=False)
    monkeypatch.setenv("ALLOWED_VIDEO_HOSTS", " , ")
    with pytest.raises(config.ConfigError, match="at least one"):
        config.comma_list("ALLOWED_VIDEO_HOSTS")
    with pytest.raises(config.ConfigError, match="MEDIA_BUCKET is required"):
        config.required("MEDIA_BUCKET")


def test_the_time_budget_refuses_work_that_cannot_finish():
    budget = TimeBudget(FakeLambdaContext(remaining_ms=2_000))
    budget.require(1_000, "small work")
    with pytest.raises(OutOfTime, match="big work needs at least 5000 ms"):
        budget.require(5_000, "big work")
    assert budget.seconds_for("step", reserve_ms=500, at_most_s=0.5) == 0.5
    with pytest.raises(OutOfTime):
        budget.seconds_for("step", reserve_ms=5_000, at_most_s=10)


# ── refused characters in every string field of every message ─────────────────────────────────────────

REFUSED = [
    "\x00", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f", "\u202e", "\u202d", "\u2066", "\u200b", "\u200c",
    "\u200d", "\u2060", "\ufeff", "\u00ad", "\U000e0041", "\u2028", "\u2029", "\ufffe", "\uffff", "\ufdd0",
    "\U0001fffe", "\ud800", "\udfff",
]  # fmt: skip
STRING_FIELDS = [
    (message, name)
    for message in EXAMPLES
    for name, value in message.to_dict().items()
    if isinstance(value, str) and name not in ("type",)
]


@pytest.mark.security_family("refused characters, per message field")
@pytest.mark.parametrize("char", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
@pytest.mark.parametrize(
    ("message", "field"), STRING_FIELDS, ids=[f"{m.TYPE}.{name}" for m, name in STRING_FIELDS]
)
def test_no_message_carries_a_control_or_format_character(message, field, char):
    data = message.to_dict()
    data[field] = data[field][:3] + char + data[field][3:]
    # THEN a producer cannot send it (validate) and a consumer refuses it, naming the field and the character
    with pytest.raises(MessageError, match=f"{field}: contains U\\+{ord(char):04X}"):
        from_dict(data, type(message))
    with pytest.raises(MessageError):
        validate(type(message)(**{k: v for k, v in data.items() if k not in ("type", "version")}))


def test_the_format_character_table_covers_this_pythons_unicode():
    # The table is Unicode 15.1's; a newer Python knowing more format characters must fail here, not in prod.
    import unicodedata

    from common.text import refusal_kind

    missing = [f"U+{cp:04X}" for cp in range(0x110000)
               if unicodedata.category(chr(cp)) == "Cf" and refusal_kind(cp) is None]  # fmt: skip
    assert missing == []


@pytest.mark.parametrize("text", ["Café 🎬", "日本語", "a b", "ok-ok_ok.ok", "\u00a0nbsp", "\U0001f468\ufe0f"])
def test_ordinary_text_is_accepted(text):
    from common.text import refused_character

    assert refused_character(text) is None


@pytest.mark.parametrize("version", ["3.12.1", "3.13.0"])
def test_the_format_character_table_covers_other_pythons_too(version):
    import os
    import subprocess
    from pathlib import Path

    python = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions" / version / "bin"
    python = next(iter(sorted(python.glob("python3.1?"))), None) if python.is_dir() else None
    if python is None:
        pytest.skip(f"Python {version} is not installed here (pyenv); the table was NOT checked on it")
    lambdas = Path(__file__).resolve().parents[2] / "lambdas"
    probe = (
        "import sys, unicodedata; sys.path.insert(0, sys.argv[1]); from common.text import refusal_kind; "
        "print([cp for cp in range(0x110000) if unicodedata.category(chr(cp)) == 'Cf' and not refusal_kind(cp)])"
    )
    result = subprocess.run([str(python), "-I", "-c", probe, str(lambdas)], capture_output=True, text=True,
                            timeout=120, check=True)  # fmt: skip
    assert result.stdout.strip() == "[]"
