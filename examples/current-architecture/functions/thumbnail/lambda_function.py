"""thumbnail, before the week-1 plan: invoked by downloader; renders nothing here, it only logs the job."""

import json


def lambda_handler(event, context):
    print(json.dumps({"thumbnail_for": event.get("video_url")}))
    return {"statusCode": 200}
