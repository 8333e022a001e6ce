"""downloader, before the week-1 plan: "downloads" the video, then invokes thumbnail directly."""

import json
import os

import boto3

lambda_client = boto3.client("lambda", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))


def lambda_handler(event, context):
    print(json.dumps({"downloaded": event.get("video_url")}))
    lambda_client.invoke(FunctionName="thumbnail", InvocationType="Event", Payload=json.dumps(event))
    return {"statusCode": 200}
