"""The one handler every marketplace test function shares: acknowledges each record it can parse."""

import json


def lambda_handler(event, context):
    failures = []
    for record in event.get("Records", []):
        try:
            json.loads(record["body"])
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
