"""The Lambda service's Invoke API answers as Lambda's: boto3's `lambda.invoke` reads it unchanged."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from botocore.config import Config

from generator.local.lambda_service.environments import InvocationOutcome
from generator.local.lambda_service.invoke_endpoint import InvokeEndpoint


@pytest.fixture
def endpoint():
    calls: list[tuple[str, str | None, object]] = []

    def invoke(name: str, qualifier: str | None, event: object) -> InvocationOutcome:
        calls.append((name, qualifier, event))
        if isinstance(event, dict) and event.get("raise"):
            return InvocationOutcome("error", error={"errorType": "ValueError", "errorMessage": "asked"},
                                     request_id="r-2")
        return InvocationOutcome("ok", payload={"batchItemFailures": []}, request_id="r-1")

    server = InvokeEndpoint(invoke, lambda name: name == "fn", lambda name, rid: [f"START RequestId: {rid}", "hi"])
    client = boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="local",
                          aws_secret_access_key="local", config=Config(retries={"total_max_attempts": 1}))
    try:
        yield client, calls
    finally:
        server.close()


def test_a_response_a_function_error_and_the_log_tail(endpoint):
    client, calls = endpoint
    answer = client.invoke(FunctionName="fn", Payload=json.dumps({"Records": []}), LogType="Tail")
    assert json.loads(answer["Payload"].read()) == {"batchItemFailures": []}
    assert answer["ResponseMetadata"]["RequestId"] == "r-1" and "FunctionError" not in answer
    assert base64.b64decode(answer["LogResult"]).decode() == "START RequestId: r-1\nhi\n"
    assert calls == [("fn", None, {"Records": []})]
    failed = client.invoke(FunctionName="arn:aws:lambda:us-east-1:123456789012:function:fn",
                           Payload=json.dumps({"raise": True}))
    assert calls[-1][:2] == ("fn", None)
    client.invoke(FunctionName="fn", Qualifier="live", Payload=b"{}")  # an alias, as `generator invoke` asks
    client.invoke(FunctionName="fn:7", Payload=b"{}")  # a version, in the name
    assert [call[:2] for call in calls[-2:]] == [("fn", "live"), ("fn", "7")]
    assert failed["FunctionError"] == "Unhandled" and "LogResult" not in failed
    assert json.loads(failed["Payload"].read())["errorType"] == "ValueError"


def test_an_unknown_function_and_an_asynchronous_invocation_are_refused(endpoint):
    client, calls = endpoint
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke(FunctionName="other", Payload=b"{}")
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.invoke(FunctionName="fn", Payload=b"{}", InvocationType="Event")
    assert calls == []
