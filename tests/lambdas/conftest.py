"""Fixtures for the Lambda function tests: isolated environment, moto-backed AWS, handler loading.

Each function's handler is `handler.py` in its own folder, so handlers are loaded under unique module names
("router_handler", ...); their own modules have names unique across functions and `common` is the shared
package, exactly as in the deployed zips.
"""

from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import os
import socket
import subprocess
import sys
import types
from pathlib import Path

import pytest

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
FUNCTIONS = ("router", "downloader", "thumbnail", "email", "analytics")

for folder in (LAMBDAS, *(LAMBDAS / fn for fn in FUNCTIONS)):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import boto3  # noqa: E402 - after sys.path, like the rest of the imports below
from common import aws as common_aws  # noqa: E402
from moto import mock_aws  # noqa: E402

CONFIG_VARIABLES = (
    "POWERTOOLS_SERVICE_NAME", "LOG_LEVEL", "POWERTOOLS_LOG_LEVEL", "AWS_LAMBDA_LOG_LEVEL",
    "VIDEO_QUEUE_URL", "THUMBNAIL_QUEUE_URL", "EMAIL_QUEUE_URL", "ANALYTICS_QUEUE_URL",
    "QUOTAS_TABLE", "ALLOWED_VIDEO_HOSTS", "DAILY_QUOTA", "MEDIA_BUCKET", "ALLOW_LOOPBACK_URLS",
    "YTDLP_SOCKET_TIMEOUT", "THUMBNAIL_SIZES", "SENDER_EMAIL", "IDEMPOTENCY_TABLE", "ANALYTICS_TABLE",
    "AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
    "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy",
)  # fmt: skip

SENDER = "pipeline@example.com"

# Attack families (issue 12): every parametrised case marked `security_family("<family>")` is counted here,
# tried and handled (passed), and the figures are printed at the end of the run (tests/conftest.py SUMMARY).
FAMILY_RESULTS: dict[str, list[int]] = {}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "security_family(name): one case of an attack family; counted in the 'figures' section"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("security_family")
    if marker is None or report.skipped:
        return
    if report.when == "call" or (report.when == "setup" and report.failed):
        counts = FAMILY_RESULTS.setdefault(marker.args[0], [0, 0])
        counts[0] += 1
        counts[1] += int(report.passed)


@pytest.hookimpl(tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    from tests.conftest import SUMMARY

    for family, (tried, handled) in sorted(FAMILY_RESULTS.items()):
        SUMMARY.append(f"security family {family}: {handled} of {tried} cases handled")

_TEST_SESSION = boto3.session.Session()  # reused: it caches the service models, which keeps fixtures fast


def load_handler(function: str) -> types.ModuleType:
    """The function's handler module, imported once per test session under the name '<function>_handler'."""
    name = f"{function}_handler"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, LAMBDAS / function / "handler.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def patch_aws_call(monkeypatch, service: str, operation: str, make_fake) -> None:
    """Every client the functions get for `service` (whatever its call limits) has `operation` replaced by
    `make_fake(client, real_operation)` — for faults moto cannot produce (throttling, timeouts, SES errors)."""
    real_factory = common_aws._client
    patched: set[int] = set()

    def factory(service_name, limits):
        client = real_factory(service_name, limits)
        if service_name == service and id(client) not in patched:
            patched.add(id(client))
            monkeypatch.setattr(client, operation, make_fake(client, getattr(client, operation)))
        return client

    factory.cache_clear = real_factory.cache_clear
    monkeypatch.setattr(common_aws, "_client", factory)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """No configuration leaks in from the machine or from another test; fresh boto3 clients per test."""
    for variable in CONFIG_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable in [v for v in os.environ if v.startswith("AWS_ENDPOINT_URL_")]:
        monkeypatch.delenv(variable)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the functions' scratch folders land here, where tests look
    monkeypatch.setattr("tempfile.tempdir", None)
    common_aws.reset_clients()
    if "email_handler" in sys.modules:
        sys.modules["email_handler"]._send_once_with.cache_clear()
    yield
    common_aws.reset_clients()
    if "email_handler" in sys.modules:
        sys.modules["email_handler"]._send_once_with.cache_clear()


@pytest.fixture(autouse=True)
def _loopback_only_network(monkeypatch):
    """A safety net under the SSRF tests: no test may open a connection beyond this machine's loopback."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = str(address[0]).split("%", 1)[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise OSError(f"test network guard: connection to {address!r} refused (loopback only)")

    def connect(sock, address):
        check(sock, address)
        return original_connect(sock, address)

    def connect_ex(sock, address):
        check(sock, address)
        return original_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture
def aws():
    """moto-backed SQS, S3, SES and DynamoDB with the pipeline's queues, bucket, tables and sender."""
    with _pipeline_resources() as resources:
        yield resources


@pytest.fixture(scope="module")
def aws_shared():
    """The same, once per module: for galleries of requests that must all be refused and leave it untouched
    (each test checks that nothing was queued), where a fresh backend per case would cost 0.2 s each."""
    with _pipeline_resources() as resources:
        yield resources


@contextlib.contextmanager
def _pipeline_resources():
    with mock_aws():
        sqs, s3, ses, dynamodb = (
            _TEST_SESSION.client(name, region_name="us-east-1") for name in ("sqs", "s3", "ses", "dynamodb")
        )
        queues = {
            name: sqs.create_queue(QueueName=f"{name}-queue")["QueueUrl"]
            for name in ("video-processing", "thumbnail-generation", "email", "analytics")
        }
        s3.create_bucket(Bucket="media-bucket")
        ses.verify_email_identity(EmailAddress=SENDER)
        _create_table(dynamodb, "quotas", ["pk"], "expires_at")
        _create_table(dynamodb, "idempotency", ["id"], "expiration")
        _create_table(dynamodb, "analytics", ["pk", "sk"], "expires_at")
        yield types.SimpleNamespace(
            sqs=sqs, s3=s3, ses=ses, dynamodb=dynamodb, queues=queues, bucket="media-bucket", sender=SENDER
        )


def _create_table(dynamodb, name: str, keys: list[str], ttl_attribute: str) -> None:
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
        KeySchema=[
            {"AttributeName": key, "KeyType": kind}
            for key, kind in zip(keys, ("HASH", "RANGE"), strict=False)
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute}
    )


# Each function's environment, as its Terraform sets it, on the moto-backed resources.
@pytest.fixture
def thumbnail_env(aws, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "thumbnail")
    monkeypatch.setenv("MEDIA_BUCKET", aws.bucket)
    monkeypatch.setenv("EMAIL_QUEUE_URL", aws.queues["email"])
    monkeypatch.setenv("ANALYTICS_QUEUE_URL", aws.queues["analytics"])
    monkeypatch.setenv("THUMBNAIL_SIZES", "1280x720, 320x180,96x96")
    return aws


def set_router_environment(monkeypatch, aws, *, daily_quota: int, allowed_hosts: str = "youtube.com",
                           video_queue: str | None = None) -> None:
    """The router's settings (those the generated Terraform gives it), pointing at the moto resources."""
    for name, value in {
        "VIDEO_QUEUE_URL": video_queue or aws.queues["video-processing"],
        "ANALYTICS_QUEUE_URL": aws.queues["analytics"],
        "QUOTAS_TABLE": "quotas",
        "ALLOWED_VIDEO_HOSTS": allowed_hosts,
        "DAILY_QUOTA": str(daily_quota),
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def email_env(aws, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "email")
    monkeypatch.setenv("SENDER_EMAIL", aws.sender)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", "idempotency")
    monkeypatch.setenv("ANALYTICS_QUEUE_URL", aws.queues["analytics"])
    return aws


@pytest.fixture
def pipeline_env(aws, monkeypatch):
    settings = {
        "VIDEO_QUEUE_URL": aws.queues["video-processing"],
        "THUMBNAIL_QUEUE_URL": aws.queues["thumbnail-generation"],
        "EMAIL_QUEUE_URL": aws.queues["email"],
        "ANALYTICS_QUEUE_URL": aws.queues["analytics"],
        "QUOTAS_TABLE": "quotas",
        "ALLOWED_VIDEO_HOSTS": "127.0.0.1",
        "DAILY_QUOTA": "5",
        "MEDIA_BUCKET": aws.bucket,
        "ALLOW_LOOPBACK_URLS": "true",
        "THUMBNAIL_SIZES": "320x180",
        "SENDER_EMAIL": aws.sender,
        "IDEMPOTENCY_TABLE": "idempotency",
        "ANALYTICS_TABLE": "analytics",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return aws


@pytest.fixture
def urllib_only(monkeypatch):
    """yt-dlp as deployed: the zip ships no `requests`, so yt-dlp uses its urllib handler.

    (Here `requests` is installed for moto, and inside mock_aws moto answers some `requests` calls itself,
    such as those to 169.254.169.254, which would hide what the guard does. The requests handler is tested
    outside moto in test_the_guard_covers_the_requests_handler_too.)
    """
    from yt_dlp.networking.common import _REQUEST_HANDLERS

    for key in [key for key in _REQUEST_HANDLERS if key != "Urllib"]:
        monkeypatch.delitem(_REQUEST_HANDLERS, key)


@pytest.fixture(scope="session")
def test_video(tmp_path_factory) -> Path:
    """A 1-second 320x240 test-pattern MP4, synthesized with the ffmpeg that imageio-ffmpeg ships."""
    import imageio_ffmpeg

    path = tmp_path_factory.mktemp("media") / "testsrc.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=duration=1:size=320x240:rate=10",
            "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path
