"""The "your video is ready" email: subject, plain text and HTML bodies. No AWS here."""

from __future__ import annotations

import dataclasses
from html import escape

from common.messages import EmailNotification


@dataclasses.dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def video_ready_email(notification: EmailNotification) -> EmailContent:
    # One line: a title with line breaks must not break the Subject header.
    title = " ".join((notification.video_title or notification.video_url).split())
    count = len(notification.thumbnail_keys)
    subject = f"Your video is ready: {title}"[:200]
    text = "\n".join(
        [
            "Hello,",
            "",
            f"Your video {title} ({notification.video_url}) has been processed.",
            f"Job id: {notification.job_id}",
            f"Thumbnails: {count}",
            *(f"  - {key}" for key in notification.thumbnail_keys),
            "",
            "Thank you for using the video pipeline.",
        ]
    )
    items = "".join(f"<li><code>{escape(key)}</code></li>" for key in notification.thumbnail_keys)
    html = (
        "<!DOCTYPE html><html><body>"
        "<p>Hello,</p>"
        f'<p>Your video <a href="{escape(notification.video_url, quote=True)}">{escape(title)}</a>'
        " has been processed.</p>"
        f"<p>Job id: <code>{escape(notification.job_id)}</code></p>"
        f"<p>Thumbnails ({count}):</p><ul>{items}</ul>"
        "<p>Thank you for using the video pipeline.</p>"
        "</body></html>"
    )
    return EmailContent(subject=subject, text=text, html=html)
