"""What the demo job waits for (generator/local/demo.py): every stage while every consumer polls; with one
stopped (the rollback's `enabled = false`, or `disable`), the stages before it, and a sentence on where the
job waits, instead of a wait that can only time out."""

from __future__ import annotations

import pytest

from generator.local import demo

EVERYTHING = {"job_queued", "video stored", "video_downloaded", "thumbnails stored", "thumbnails_created",
              "email recorded", "email_sent"}


@pytest.mark.parametrize(("stopped", "expected", "stops"), [
    ({}, EVERYTHING, None),
    ({"downloader": ["video-processing-queue"]}, {"job_queued"},
     "downloader is stopped (its trigger on video-processing-queue is disabled)"),
    ({"thumbnail": ["thumbnail-generation-queue"]},
     {"job_queued", "video stored", "video_downloaded"}, "thumbnail is stopped"),
    ({"email": ["email-queue"]}, EVERYTHING - {"email recorded", "email_sent"},
     "email is stopped (its trigger on email-queue is disabled)"),
    ({"analytics": ["analytics-queue"]}, {"video stored", "thumbnails stored", "email recorded"},
     "analytics is stopped: the job's milestones wait in analytics-queue"),
    ({"analytics": ["analytics-queue"], "thumbnail": ["thumbnail-generation-queue"]}, {"video stored"},
     "thumbnail is stopped"),
    ({"router": []}, EVERYTHING, None),  # not a consumer of the job's way
])
def test_the_job_is_awaited_as_far_as_the_enabled_consumers_take_it(stopped, expected, stops) -> None:
    found, sentence = demo.expected_stages(stopped)
    assert found == expected
    if stops is None:
        assert sentence is None
    else:
        assert sentence is not None and sentence.startswith(stops)


def test_only_functions_whose_every_mapping_is_disabled_are_stopped() -> None:
    class Lambda:
        def get_paginator(self, name):
            assert name == "list_event_source_mappings"
            return self

        def paginate(self):
            rows = [("email", "email-queue", "Disabled"), ("worker", "a", "Disabled"), ("worker", "b", "Enabled"),
                    ("thumbnail", "t", "Disabling"), ("downloader", "v", "Enabled")]
            yield {"EventSourceMappings": [
                {"FunctionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{function}",
                 "EventSourceArn": f"arn:aws:sqs:us-east-1:123456789012:{queue}", "State": state}
                for function, queue, state in rows]}

    class Session:
        def client(self, service, endpoint_url=None):
            return Lambda()

    assert demo.stopped_consumers(Session(), None) == {"email": ["email-queue"], "thumbnail": ["t"]}
