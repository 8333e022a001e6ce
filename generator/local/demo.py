"""Everything that knows the video pipeline (lambdas/): the demo job `up` runs and the `job` command (a video
synthesized on loopback, submitted through the router's local function URL, awaited stage by stage in the
emulator), the week-1 plan's test message, and the settings the router and the downloader need locally.

The job request, the S3 layout and the analytics markers of each milestone are the pipeline's contract.
Everything else in generator/local/ and generator/ops/ works for any topology; a topology without a `router`
function serving a URL gets no demo job.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.local.state import LocalError, LocalSetting
from generator.progress import Progress

if TYPE_CHECKING:
    from boto3.session import Session

    from generator.ops.topology import Topology

ROUTER = "router"  # the function (queues.toml key) whose URL takes jobs
TEST_QUEUE = "video-processing"  # the queue the week-1 plan's Test 1 sends to (queues.toml key)
SAMPLE = "sample.mp4"
DEMO_EMAIL = "ada@example.com"
# The week-1 plan's Test 1 message, as written there (`send QUEUE` without a body sends it).
SEED_TEST_MESSAGE = {
    "job_id": "test-123",
    "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "user_email": "test@example.com",
    "quality": "720p",
}
# What the router and the downloader need locally to take the demo's video from the loopback media server.
LOCAL_SETTINGS = (
    LocalSetting("ALLOWED_VIDEO_HOSTS", "the router admits the loopback video server (127.0.0.1)", "127.0.0.1",
                 append=True),
    LocalSetting("ALLOW_LOOPBACK_URLS", "the downloader may fetch from loopback (the local video server)", "true"),
)
MILESTONES = ("job_queued", "video_downloaded", "thumbnails_created", "email_sent")
# The job's way through the pipeline after the router: (the consuming function, what it produces, its milestone).
# Analytics counts the milestones; a stage whose consumer is stopped holds the job in its queue.
STAGES = (("downloader", "video stored", "video_downloaded"), ("thumbnail", "thumbnails stored", "thumbnails_created"),
          ("email", "email recorded", "email_sent"))
COUNTER = "analytics"
_STOPPED_STATES = ("Disabled", "Disabling")


class DemoError(LocalError):
    pass


def synthesize_video(media_dir: Path) -> Path:
    """A 2-second 320x240 test pattern (ffmpeg's testsrc), made once per stack."""
    path = media_dir / SAMPLE
    if path.exists():
        return path
    import imageio_ffmpeg

    media_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.mp4")
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10",
         "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(partial)],
        check=True, timeout=120,
    )  # fmt: skip
    partial.rename(path)
    return path


def router_url(topology: Topology, function_urls: dict[str, str]) -> str | None:
    """The router's local URL (function_urls: AWS name → URL, as the Lambda service serves them), if the topology
    has a router serving one."""
    name = topology.function_name(ROUTER)
    return function_urls.get(name) if name else None


def test_queue(topology: Topology) -> str:
    """The queue the summary's examples name: the week-1 plan's, else the topology's first."""
    keys = sorted(topology.spec.queues)
    return TEST_QUEUE if TEST_QUEUE in keys else (keys[0] if keys else "QUEUE")


def submit_job(router_url: str, video_url: str, *, email: str, quality: str = "480p",
               caller_key: str | None = None) -> dict[str, Any]:
    """POST the job to the router's function URL; the JSON answer (raises DemoError on a non-200)."""
    body = json.dumps({"video_url": video_url, "user_email": email, "quality": quality}).encode()
    request = urllib.request.Request(router_url.rstrip("/") + "/jobs", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    if caller_key:  # the local endpoint reads the caller from the SigV4 credential; the signature is not checked
        request.add_header("Authorization", f"AWS4-HMAC-SHA256 Credential={caller_key}/local/lambda/aws4_request")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer
    except urllib.error.HTTPError as error:
        raise DemoError(f"the router answered {error.code}: {error.read().decode('utf-8', 'replace')}") from None


@dataclass
class JobArtefacts:
    job_id: str
    objects: list[str] = field(default_factory=list)  # s3://bucket/key
    email: dict[str, Any] | None = None  # source, destinations, subject, body: as the emulator's SES route has them
    milestones: dict[str, bool] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        has_video = any("/videos/" in key for key in self.objects)
        has_thumbnail = any("/thumbnails/" in key for key in self.objects)
        return has_video and has_thumbnail and self.email is not None and all(self.milestones.values())


def artefacts(session: Session, endpoint: str, job_id: str) -> JobArtefacts:
    """What the pipeline has produced for the job so far, read from the emulator."""
    found = JobArtefacts(job_id)
    s3 = session.client("s3", endpoint_url=endpoint)
    for bucket in s3.list_buckets().get("Buckets", []):
        for prefix in ("videos", "thumbnails"):
            listing = s3.list_objects_v2(Bucket=bucket["Name"], Prefix=f"{prefix}/{job_id}/")
            found.objects += [f"s3://{bucket['Name']}/{item['Key']}" for item in listing.get("Contents", [])]
    found.email = _sent_email(endpoint, job_id)
    dynamodb = session.client("dynamodb", endpoint_url=endpoint)
    tables = dynamodb.list_tables().get("TableNames", [])
    analytics = [name for name in tables if name.endswith("analytics")]
    counted = set()
    for table in analytics:  # the analytics function's markers: pk = "event#<kind>:<...job id...>"
        pages = dynamodb.get_paginator("scan").paginate(
            TableName=table, FilterExpression="contains(pk, :job)",
            ExpressionAttributeValues={":job": {"S": job_id}}, ProjectionExpression="pk",
        )
        for page in pages:
            counted |= {item["pk"]["S"].removeprefix("event#").split(":", 1)[0] for item in page["Items"]}
    found.milestones = {kind: kind in counted for kind in MILESTONES}
    return found


def _sent_email(endpoint: str, job_id: str) -> dict[str, Any] | None:
    """The email SES recorded for the job (the emulator's local route: SES has no API for sent mail)."""
    with urllib.request.urlopen(f"{endpoint}/_local/ses/messages", timeout=30) as response:
        messages = json.loads(response.read())
    for message in messages:
        if job_id in json.dumps(message):
            return {key: message.get(key) for key in ("source", "destinations", "subject", "body")}
    return None


def stopped_consumers(session: Session, endpoint: str | None) -> dict[str, list[str]]:
    """Function name → its queues, for every function whose event source mappings are all disabled on the target
    (the rollback's `enabled = false`, or `disable`): what the job cannot get past."""
    from generator.ops.status import mapping_states

    mappings: dict[str, list[tuple[str, str]]] = {}
    for (function, queue), state in mapping_states(session, endpoint).items():
        mappings.setdefault(function, []).append((queue, state))
    return {function: sorted(queue for queue, _ in found) for function, found in mappings.items()
            if all(state in _STOPPED_STATES for _, state in found)}


def expected_stages(stopped: dict[str, list[str]]) -> tuple[set[str], str | None]:
    """What the job will reach with those consumers stopped, and a sentence on where it stops (None: nowhere)."""
    counted = COUNTER not in stopped
    expected = {"job_queued"} if counted else set()
    for function, artefact, milestone in STAGES:
        if function in stopped:
            return expected, (f"{function} is stopped (its trigger on {', '.join(stopped[function])} is disabled): "
                              f"the job waits there until it is enabled again")
        expected.add(artefact)
        if counted:
            expected.add(milestone)
    return expected, None if counted else (f"{COUNTER} is stopped: the job's milestones wait in "
                                           f"{', '.join(stopped[COUNTER])}, uncounted")


def wait_for_job(session: Session, endpoint: str, job_id: str, progress: Progress,
                 timeout: float) -> JobArtefacts:
    """Wait until the job has reached every stage its enabled consumers can take it to."""
    expected, stops = expected_stages(stopped_consumers(session, endpoint))
    if stops is not None:
        progress(f"job {job_id}: {stops}")
    started = time.monotonic()
    reported: set[str] = set()
    last_report = started
    while True:
        found = artefacts(session, endpoint, job_id)
        done = {kind for kind, seen in found.milestones.items() if seen}
        if any("/videos/" in key for key in found.objects):
            done.add("video stored")
        if any("/thumbnails/" in key for key in found.objects):
            done.add("thumbnails stored")
        if found.email is not None:
            done.add("email recorded")
        for stage in sorted(done - reported):
            progress(f"job {job_id}: {stage.replace('_', ' ')}")
        reported |= done
        if found.complete or expected <= done:
            return found
        now = time.monotonic()
        if now - started > timeout:
            raise DemoError(f"job {job_id} not complete after {timeout:.0f} s (done: {sorted(reported) or 'nothing'})")
        if now - last_report >= 10:
            so_far = ", ".join(sorted(reported)) or "nothing yet"
            progress(f"job {job_id}: waiting ({now - started:.0f} s; done: {so_far})")
            last_report = now
        time.sleep(0.5)
