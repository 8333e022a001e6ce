"""router under hostile input: no event or body crashes it, each is a 4xx naming what is wrong.

Three galleries (issue 12), one line per case: bodies that are not the JSON we accept, events that are not a
function URL request, and characters that must never reach a queue or an email.
"""

from __future__ import annotations

import base64
import json

import pytest
from conftest import load_handler, set_router_environment
from lambda_events import FakeLambdaContext, http_event, rest_api_event

router = load_handler("router")

GOOD_JOB = {
    "video_url": "https://www.youtube.com/watch?v=abc123",
    "user_email": "ada@example.com",
    "quality": "720p",
}


@pytest.fixture
def router_env(aws_shared, monkeypatch):
    set_router_environment(monkeypatch, aws_shared, daily_quota=100)
    return aws_shared


def call(event):
    response = router.lambda_handler(event, FakeLambdaContext("router", remaining_ms=10_000))
    return response["statusCode"], json.loads(response["body"])


def nothing_queued(aws) -> bool:
    return "Messages" not in aws.sqs.receive_message(QueueUrl=aws.queues["video-processing"])


def job_with(**changes) -> str:
    return json.dumps({**GOOD_JOB, **changes})


# ── bodies ─────────────────────────────────────────────────────────────────────────────────────────────

DEEP = 5000  # ≤ 16 KB, and far deeper than the recursion limit of Python's JSON decoder

HOSTILE_BODIES = [
    ("nested arrays", "[" * DEEP + "]" * DEEP, "deeper than 10 levels"),
    ("nested objects", '{"a":' * 2000 + "1" + "}" * 2000, "deeper than 10 levels"),
    ("nested inside a field", job_with(quality=[[[[[[[[[[["x"]]]]]]]]]]]), "deeper than 10 levels"),
    ("unclosed nesting", "[" * DEEP, "deeper than 10 levels"),
    ("brackets in strings are not nesting", job_with(quality="[[[[[[[[[[[[[[[[[[[[[["), "quality"),
    ("lone surrogate in the raw body", '{"video_url": "\ud800"}', "lone surrogate"),
    ("escaped lone surrogate in video_url", job_with(video_url="https://youtube.com/\ud800"), "video_url"),
    ("escaped lone low surrogate", json.dumps({**GOOD_JOB, "user_email": "\udfff@example.com"}), "user_email"),
    ("escaped lone surrogate in a key", '{"\\ud800": 1}', "a key of body"),
    ("reversed surrogate pair", json.dumps({**GOOD_JOB, "quality": "\udc00\ud800"}), "lone surrogate"),
    ("invalid UTF-8 (base64)", b'{"video_url": "\xff\xfe"}', "not valid UTF-8"),
    ("overlong UTF-8 (base64)", b'{"quality": "\xc0\xaf"}', "not valid UTF-8"),
    ("UTF-8 encoded surrogate (base64)", b'{"quality": "\xed\xa0\x80"}', "not valid UTF-8"),
    ("NaN", '{"quality": NaN}', "NaN, which is not JSON"),
    ("Infinity", '{"quality": -Infinity}', "Infinity, which is not JSON"),
    ("a 5000-digit integer", '{"quality": ' + "9" * 5000 + "}", "number longer than"),
    ("a float out of range", '{"quality": 1e999}', "out of range"),
    ("a 300-digit float", '{"quality": 0.' + "1" * 300 + "}", "out of range"),
    ("duplicate key", '{"user_email": "ada@example.com", "user_email": "eve@example.com"}', "more than once"),
    ("duplicate key, nested", '{"quality": {"a": 1, "a": 2}}', "more than once"),
    ("not JSON", "{not json", "not valid JSON"),
    ("trailing garbage", job_with() + "]", "not valid JSON"),
    ("a byte order mark", "\ufeff" + job_with(), "not valid JSON"),
    ("JSON but not an object", "[1, 2]", "Invalid job request"),
    ("a bare string", '"hello"', "Invalid job request"),
    ("null", "null", "Invalid job request"),
    ("empty", "", "Invalid job request"),
]


@pytest.mark.security_family("router: hostile JSON bodies")
@pytest.mark.parametrize(("body", "fragment"), [c[1:] for c in HOSTILE_BODIES], ids=[c[0] for c in HOSTILE_BODIES])
def test_a_hostile_body_is_a_400_that_says_why(router_env, body, fragment):
    # GIVEN a body no job request is made of (raw bytes travel base64-encoded, as a function URL sends them)
    event = http_event(body if isinstance(body, str) else None)
    if isinstance(body, bytes):
        event.update(isBase64Encoded=True, body=base64.b64encode(body).decode())
    # WHEN the router receives it
    status, answer = call(event)
    # THEN it answers 400 with the reason, and queues nothing
    assert status == 400, answer
    assert fragment in json.dumps(answer, ensure_ascii=False), answer
    assert nothing_queued(router_env)


# ── URLs whose host the downloader's HTTP layer reads otherwise ────────────────────────────────────────

# urllib.parse (the router's check) does not end the authority at a backslash; urllib3 (requests, yt-dlp's
# requests handler) and browsers do, so each of these names youtube.com to a naive check and another host to
# the library that would fetch it.
MISREAD_URLS = [
    ("backslash before a dot suffix", "https://evil.example\\.youtube.com/", "backslash"),
    ("backslash before a subdomain", "https://evil.example\\www.youtube.com/", "backslash"),
    ("backslash with a port", "https://evil.example\\.youtube.com:443/watch", "backslash"),
    ("backslash with a query", "https://evil.example\\.youtube.com?v=1", "backslash"),
]
# Hosts that are no DNS name: a WHATWG parser percent-decodes the host before it checks it, urllib3 does not.
NOT_A_HOST_NAME = [
    ("percent-escaped backslash", "https://evil.example%5C.youtube.com/"),
    ("percent-escaped slash", "https://evil.example%2F.youtube.com/"),
    ("underscore in the last label", "https://www.youtube.c_m/"),
]


@pytest.mark.security_family("router: URLs the fetching library reads otherwise")
@pytest.mark.parametrize(("url", "fragment"), [c[1:] for c in MISREAD_URLS], ids=[c[0] for c in MISREAD_URLS])
def test_a_url_whose_host_parsers_disagree_on_is_refused(router_env, url, fragment):
    from urllib.parse import urlsplit

    from urllib3.util import parse_url

    # GIVEN a URL whose host urllib.parse and the HTTP layer read differently (so a check on one is no check)
    assert (urlsplit(url).hostname or "").endswith("youtube.com")
    assert parse_url(url).host != urlsplit(url).hostname
    # WHEN the router receives it THEN it is a 400 naming video_url, and nothing is queued
    status, answer = call(http_event(job_with(video_url=url)))
    assert status == 400, answer
    assert "video_url" in json.dumps(answer) and fragment in json.dumps(answer), answer
    assert nothing_queued(router_env)


@pytest.mark.security_family("router: URLs the fetching library reads otherwise")
@pytest.mark.parametrize("url", [c[1] for c in NOT_A_HOST_NAME], ids=[c[0] for c in NOT_A_HOST_NAME])
def test_a_host_that_is_no_dns_name_is_refused(router_env, url):
    status, answer = call(http_event(job_with(video_url=url)))
    assert status == 400, answer
    assert "is not a valid host name" in json.dumps(answer), answer
    assert nothing_queued(router_env)


# ── events ─────────────────────────────────────────────────────────────────────────────────────────────


def event_with(change) -> dict:
    event = http_event(GOOD_JOB)
    change(event)
    return event


def _set(path: str, value):
    def change(event):
        *parents, last = path.split(".")
        target = event
        for key in parents:
            target = target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return change


_DELETE = object()

MALFORMED_EVENTS = [
    ("REST API payload 1.0", rest_api_event(GOOD_JOB), "Payload format 1.0"),
    ("HTTP API payload 1.0", {**rest_api_event(GOOD_JOB), "version": "1.0"}, "Payload format 1.0"),
    ("not an object", ["POST", "/jobs"], "must be a JSON object"),
    ("null event", None, "must be a JSON object"),
    ("no version", event_with(_set("version", _DELETE)), "version must be '2.0'"),
    ("version 3.0", event_with(_set("version", "3.0")), "version must be '2.0'"),
    ("requestContext missing", event_with(_set("requestContext", _DELETE)), "requestContext must be an object"),
    ("requestContext null", event_with(_set("requestContext", None)), "requestContext must be an object"),
    ("requestContext a string", event_with(_set("requestContext", "x")), "requestContext must be an object"),
    ("http missing", event_with(_set("requestContext.http", _DELETE)), "requestContext.http must be"),
    ("http null", event_with(_set("requestContext.http", None)), "requestContext.http must be"),
    ("http a list", event_with(_set("requestContext.http", [])), "requestContext.http must be"),
    ("method missing", event_with(_set("requestContext.http.method", _DELETE)), "http.method must be"),
    ("method null", event_with(_set("requestContext.http.method", None)), "http.method must be"),
    ("method a number", event_with(_set("requestContext.http.method", 1)), "http.method must be"),
    ("method empty", event_with(_set("requestContext.http.method", "")), "http.method must be"),
    ("rawPath missing", event_with(_set("rawPath", _DELETE)), "rawPath must be"),
    ("rawPath null", event_with(_set("rawPath", None)), "rawPath must be"),
    ("rawPath a list", event_with(_set("rawPath", ["/jobs"])), "rawPath must be"),
    ("headers missing", event_with(_set("headers", _DELETE)), "headers must be an object"),
    ("headers null", event_with(_set("headers", None)), "headers must be an object"),
    ("headers a list", event_with(_set("headers", [["content-type", "application/json"]])), "headers must be"),
    ("a header value null", event_with(_set("headers.content-type", None)), "header 'content-type'"),
    ("a header value a list", event_with(_set("headers.x-a", ["1", "2"])), "header 'x-a'"),
    ("body a number", event_with(_set("body", 42)), "body must be a string"),
    ("body an object", event_with(_set("body", GOOD_JOB)), "body must be a string"),
    ("isBase64Encoded a string", event_with(_set("isBase64Encoded", "true")), "isBase64Encoded must be"),
    ("isBase64Encoded null", event_with(_set("isBase64Encoded", None)), "isBase64Encoded must be"),
    ("body not base64", event_with(lambda e: e.update(isBase64Encoded=True, body="%%%")), "not valid base64"),
    ("authorizer a string", event_with(_set("requestContext.authorizer", "iam")), "authorizer must be"),
    ("iam a list", event_with(_set("requestContext.authorizer.iam", [])), "authorizer.iam must be"),
    ("iam without userArn", event_with(_set("requestContext.authorizer.iam.userArn", _DELETE)), "userArn"),
    ("userArn null", event_with(_set("requestContext.authorizer.iam.userArn", None)), "userArn"),
    ("userArn empty", event_with(_set("requestContext.authorizer.iam.userArn", "")), "userArn"),
]


@pytest.mark.security_family("router: malformed events")
@pytest.mark.parametrize(("event", "fragment"), [c[1:] for c in MALFORMED_EVENTS], ids=[c[0] for c in MALFORMED_EVENTS])
def test_a_malformed_event_is_a_400_that_says_which(router_env, event, fragment):
    status, answer = call(event)
    assert status == 400, answer
    assert fragment in answer["message"]
    assert nothing_queued(router_env)


def test_a_large_body_is_refused_before_it_is_decoded(router_env):
    event = http_event(None)
    event.update(isBase64Encoded=True, body="A" * (6 * 1024 * 1024))
    assert call(event)[0] == 413


# ── characters that must not reach a queue or an email ─────────────────────────────────────────────────

REFUSED_CHARACTERS = [
    ("NUL", "\x00"), ("BEL", "\x07"), ("TAB", "\t"), ("LF", "\n"), ("CR", "\r"), ("ESC", "\x1b"),
    ("DEL", "\x7f"), ("C1 NEL", "\x85"), ("C1 CSI", "\x9b"),
    ("right-to-left override", "\u202e"), ("left-to-right embedding", "\u202a"),
    ("right-to-left isolate", "\u2067"), ("pop directional isolate", "\u2069"), ("Arabic letter mark", "\u061c"),
    ("zero-width space", "\u200b"), ("zero-width joiner", "\u200d"), ("word joiner", "\u2060"),
    ("byte order mark", "\ufeff"), ("soft hyphen", "\u00ad"), ("Mongolian vowel separator", "\u180e"),
    ("tag space", "\U000e0020"), ("interlinear annotation", "\ufff9"), ("Egyptian format control", "\U0001343f"),
    ("line separator", "\u2028"), ("paragraph separator", "\u2029"),
    ("non-character FFFE", "\ufffe"), ("non-character FFFF", "\uffff"), ("non-character FDD0", "\ufdd0"),
    ("non-character 10FFFF", "\U0010ffff"),
    ("lone surrogate", "\ud800"),
]  # fmt: skip

FIELD_SPOTS = {
    "video_url": lambda char: f"https://www.youtube.com/watch?v=a{char}b",
    "user_email": lambda char: f"ada{char}@example.com",
    "quality": lambda char: f"720p{char}",
}


@pytest.mark.security_family("refused characters, per router field")
@pytest.mark.parametrize("field", sorted(FIELD_SPOTS))
@pytest.mark.parametrize("char", [c[1] for c in REFUSED_CHARACTERS], ids=[c[0] for c in REFUSED_CHARACTERS])
def test_a_control_or_format_character_in_a_field_is_refused(router_env, field, char):
    # GIVEN a job whose field hides a control or format character (sent JSON-escaped, as a client would)
    status, answer = call(http_event(json.dumps({**GOOD_JOB, field: FIELD_SPOTS[field](char)})))
    # THEN the answer is 400 naming that field, and nothing is queued
    assert status == 400, answer
    assert field in json.dumps(answer), answer
    assert nothing_queued(router_env)
