"""router, before the week-1 plan: takes a job and invokes downloader directly (synchronously; a failure or a
throttle there fails the request, and nothing retries it)."""

import json
import os

import boto3

lambda_client = boto3.client("lambda", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))


def lambda_handler(event, context):
    job = json.loads(event.get("body") or "{}")
    lambda_client.invoke(FunctionName="downloader", InvocationType="Event", Payload=json.dumps(job))
    return {"statusCode": 202, "body": json.dumps({"accepted": job.get("video_url")})}
