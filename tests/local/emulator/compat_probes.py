"""Probes of the emulator's differences from AWS, one per compatibility patch, run in a fresh interpreter:

    python -m tests.local.emulator.compat_probes {unpatched|patched}

prints what every probe observed as JSON (each probe in a fresh mock); tests/local/emulator/test_compat.py compares the
two runs. "patched" applies the whole layer, as the emulator does.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import threading
import zipfile

import boto3
from moto import mock_aws

REGION = "us-east-1"
PROBES = {}


def probe(fn):
    PROBES[fn.__name__.removeprefix("probe_")] = fn
    return fn


def client(service: str):
    return boto3.client(service, region_name=REGION)


def _role() -> str:
    iam = client("iam")
    return iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]


def _zip(extra: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return None\n" + extra)
    return buffer.getvalue()


def _function(**extra) -> str:
    return client("lambda").create_function(
        FunctionName="fn", Runtime="python3.12", Role=_role(), Handler="handler.lambda_handler",
        Code={"ZipFile": _zip()}, **extra)["FunctionArn"]


def _queue(sqs, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _redrive(sqs, url: str, dlq_arn: str, receives: int = 3) -> None:
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": receives})})


@probe
def probe_no_invocation_on_send():
    sqs = client("sqs")
    url, arn = _queue(sqs, "jobs")
    _, dlq_arn = _queue(sqs, "jobs-dlq")
    _redrive(sqs, url, dlq_arn, receives=1)
    client("lambda").create_event_source_mapping(FunctionName=_function(), EventSourceArn=arn, BatchSize=1)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    message = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"]).get("Messages", [])
    return {"first_receive_count": message[0]["Attributes"]["ApproximateReceiveCount"] if message else None}


@probe
def probe_redrive_allow_policy_attribute():
    sqs = client("sqs")
    url, _ = _queue(sqs, "dlq")
    policy = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": ["arn:aws:sqs:us-east-1:123456789012:q"]})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": policy})
    try:
        return {"returned": sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])
                ["Attributes"].get("RedriveAllowPolicy") == policy}
    except Exception as error:  # moto refuses the attribute name
        return {"returned": False, "error": type(error).__name__}


@probe
def probe_bucket_policy_secure_transport():
    s3 = client("s3")
    s3.create_bucket(Bucket="media")
    s3.put_bucket_policy(Bucket="media", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::media", "arn:aws:s3:::media/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, {
        "Sid": "DenyTlsOlderThan12", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::media", "arn:aws:s3:::media/*"],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}]}))
    found = {"put_object": _put(s3, "media")}
    # a condition that holds for the request still denies it: conditions are evaluated, not dropped
    s3.create_bucket(Bucket="future")
    s3.put_bucket_policy(Bucket="future", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyTlsOlderThan14", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::future", "arn:aws:s3:::future/*"],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.4"}}}]}))
    found["put_object_tls_1_4_required"] = _put(s3, "future")
    return found


def _put(s3, bucket: str) -> str:
    try:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        return "allowed"
    except Exception as error:
        return type(error).__name__


@probe
def probe_compact_redrive_policy():
    sqs = client("sqs")
    url, _ = _queue(sqs, "q")
    _, dlq_arn = _queue(sqs, "q-dlq")
    _redrive(sqs, url, dlq_arn)
    return {"policy": sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
            ["Attributes"]["RedrivePolicy"]}


@probe
def probe_function_configuration_round_trip():
    _function(LoggingConfig={"LogFormat": "JSON", "LogGroup": "/aws/lambda/fn"})
    lambda_ = client("lambda")
    lambda_.update_function_configuration(FunctionName="fn", EphemeralStorage={"Size": 2048},
                                          TracingConfig={"Mode": "Active"})
    configuration = lambda_.get_function_configuration(FunctionName="fn")
    return {"logging": configuration.get("LoggingConfig"), "storage": configuration["EphemeralStorage"]["Size"],
            "tracing": configuration["TracingConfig"]["Mode"]}


@probe
def probe_mappings_by_function_name():
    sqs = client("sqs")
    _, arn = _queue(sqs, "q")
    lambda_ = client("lambda")
    lambda_.create_event_source_mapping(FunctionName=_function(), EventSourceArn=arn, Enabled=False)
    return {"by_name": len(lambda_.list_event_source_mappings(FunctionName="fn")["EventSourceMappings"])}


@probe
def probe_alarms_start_insufficient():
    cloudwatch = client("cloudwatch")
    alarm = {"AlarmName": "a", "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
             "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1.0,
             "ComparisonOperator": "GreaterThanOrEqualToThreshold"}
    cloudwatch.put_metric_alarm(**alarm)
    initial = cloudwatch.describe_alarms(AlarmNames=["a"])["MetricAlarms"][0]["StateValue"]
    cloudwatch.set_alarm_state(AlarmName="a", StateValue="ALARM", StateReason="test")
    cloudwatch.put_metric_alarm(**{**alarm, "Threshold": 2.0})
    after_update = cloudwatch.describe_alarms(AlarmNames=["a"])["MetricAlarms"][0]["StateValue"]
    return {"initial": initial, "after_update": after_update}


@probe
def probe_transactions_snapshot_their_items():
    import moto.dynamodb.models as models

    dynamodb = client("dynamodb")
    dynamodb.create_table(TableName="t", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    for index in range(50):
        dynamodb.put_item(TableName="t", Item={"pk": {"S": f"old{index}"}})
    copies = []
    real = models.copy.deepcopy

    def counting(obj, memo=None):
        result = real(obj, memo)
        if result is not obj:
            copies.append(type(obj).__name__)
        return result

    models.copy.deepcopy = counting
    try:
        return _transactions(dynamodb, copies)
    finally:
        models.copy.deepcopy = real


def _transactions(dynamodb, copies: list[str]) -> dict:
    actions = [{"Put": {"TableName": "t", "Item": {"pk": {"S": f"new{index}"}}}} for index in range(20)]
    dynamodb.transact_write_items(TransactItems=actions)
    table_copies = copies.count("Table")
    # A cancelled transaction leaves nothing behind: new0 exists, so the whole transaction is refused.
    cancelled = [{"Put": {"TableName": "t", "Item": {"pk": {"S": "fresh"}}}},
                 {"Update": {"TableName": "t", "Key": {"pk": {"S": "old1"}}, "UpdateExpression": "SET v = :v",
                             "ExpressionAttributeValues": {":v": {"S": "changed"}}}},
                 {"Put": {"TableName": "t", "Item": {"pk": {"S": "new0"}}, "ConditionExpression":
                          "attribute_not_exists(pk)"}}]
    with contextlib.suppress(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=cancelled)
    left = {"fresh": "Item" in dynamodb.get_item(TableName="t", Key={"pk": {"S": "fresh"}}),
            "old1": dynamodb.get_item(TableName="t", Key={"pk": {"S": "old1"}})["Item"].get("v")}
    return {"table_copies": table_copies, "after_cancel": left}


@probe
def probe_sqs_backlog_costs_nothing():
    import moto.sqs.models as models

    sqs = client("sqs")
    url, _ = _queue(sqs, "backlog")
    for _ in range(50):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "m"} for i in range(10)])
    calls = [0]
    real = models.unix_time_millis

    def counting():
        calls[0] += 1
        return real()

    models.unix_time_millis = counting
    try:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    finally:
        models.unix_time_millis = real
    return {"clock_reads_per_receive": calls[0]}


@probe
def probe_queue_changes_are_atomic():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # make thread switches frequent, as on a busy emulator
    try:
        return _concurrent_deletes()
    finally:
        sys.setswitchinterval(interval)


def _concurrent_deletes() -> dict:
    sqs = client("sqs")
    url, _ = _queue(sqs, "shared")
    for _ in range(40):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "m"} for i in range(10)])
    handles = []
    while len(handles) < 400:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300).get("Messages", [])
        handles += [message["ReceiptHandle"] for message in batch]

    def delete(part: list[str]) -> None:
        for start in range(0, len(part), 10):
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": handle} for i, handle in enumerate(part[start:start + 10])])

    threads = [threading.Thread(target=delete, args=(handles[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return {"left_after_deleting_all": int(attributes["ApproximateNumberOfMessagesNotVisible"])
            + int(attributes["ApproximateNumberOfMessages"])}


def _versioned_zip(s3, bucket: str, key: str) -> tuple[bytes, str]:
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return None\n")
    body = buffer.getvalue()
    return body, s3.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"]


def _signed_copy(s3, profile: str, bucket: str = "artifacts") -> dict:
    """Start a signing job of a fresh zip; what it reports and whether its output is the zip."""
    body, version = _versioned_zip(s3, bucket, "fn/code.zip")
    signer = client("signer")
    try:
        job = signer.start_signing_job(
            source={"s3": {"bucketName": bucket, "key": "fn/code.zip", "version": version}},
            destination={"s3": {"bucketName": bucket, "prefix": "signed/fn/"}}, profileName=profile)
    except Exception as error:  # moto has no signing jobs
        return {"job": type(error).__name__}
    described = signer.describe_signing_job(jobId=job["jobId"])
    signed = described["signedObject"]["s3"]
    copy = s3.get_object(Bucket=signed["bucketName"], Key=signed["key"])["Body"].read()
    return {"job": described["status"], "source_version_kept": described["source"]["s3"]["version"] == version,
            "signed_key": signed["key"].startswith("signed/fn/") and signed["key"].endswith(".zip"),
            "copy_is_the_zip": copy == body, "key": signed["key"]}


@probe
def probe_signing_jobs():
    client("signer").put_signing_profile(profileName="pipeline", platformId="AWSLambda-SHA384-ECDSA")
    observed = _signed_copy(client("s3"), "pipeline")
    observed.pop("key", None)
    return observed


@probe
def probe_code_signing_configs():
    lambda_ = client("lambda")
    try:
        lambda_.list_code_signing_configs()
    except Exception as error:  # moto has none of the code signing config calls
        return {"configs": type(error).__name__}
    signer, s3 = client("signer"), client("s3")
    version_arn = signer.put_signing_profile(profileName="pipeline", platformId="AWSLambda-SHA384-ECDSA"
                                             )["profileVersionArn"]
    signed_key = _signed_copy(s3, "pipeline")["key"]
    config = lambda_.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [version_arn]}, Tags={"team": "video"},
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})["CodeSigningConfig"]
    arn = config["CodeSigningConfigArn"]
    code = {"Runtime": "python3.12", "Role": _role(), "Handler": "handler.lambda_handler", "CodeSigningConfigArn": arn}
    try:
        lambda_.create_function(FunctionName="unsigned", Code={"S3Bucket": "artifacts", "S3Key": "fn/code.zip"}, **code)
        unsigned = "deployed"
    except lambda_.exceptions.CodeVerificationFailedException:
        unsigned = "refused"
    lambda_.create_function(FunctionName="signed", Code={"S3Bucket": "artifacts", "S3Key": signed_key}, **code)
    attached = lambda_.get_function_code_signing_config(FunctionName="signed").get("CodeSigningConfigArn") == arn
    lambda_.delete_function_code_signing_config(FunctionName="signed")
    detached = lambda_.get_function_code_signing_config(FunctionName="signed").get("CodeSigningConfigArn")
    lambda_.put_function_code_signing_config(FunctionName="signed", CodeSigningConfigArn=arn)
    reattached = lambda_.get_function_code_signing_config(FunctionName="signed")["CodeSigningConfigArn"] == arn
    lambda_.update_code_signing_config(CodeSigningConfigArn=arn, Description="updated")
    config = lambda_.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]
    return {"unsigned_code": unsigned, "signed_code_attached": attached, "detached": detached,
            "reattached": reattached, "description": config["Description"],
            "tags": lambda_.list_tags(Resource=arn)["Tags"]}


def _failed_into_dlq(sqs, bodies: list[str]) -> tuple[str, str, str]:
    """A queue with maxReceiveCount 1 whose messages were received once and then moved to its DLQ by a receive."""
    url, _ = _queue(sqs, "q")
    dlq_url, dlq_arn = _queue(sqs, "q-dlq")
    _redrive(sqs, url, dlq_arn, receives=1)
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)  # past maxReceiveCount: moved to the DLQ
    return url, dlq_url, dlq_arn


@probe
def probe_dead_letter_source_arn():
    sqs = client("sqs")
    _, dlq_url, _ = _failed_into_dlq(sqs, ["failed"])
    message = sqs.receive_message(QueueUrl=dlq_url, MessageSystemAttributeNames=["DeadLetterQueueSourceArn"],
                                  VisibilityTimeout=0)["Messages"][0]
    return {"source": message.get("Attributes", {}).get("DeadLetterQueueSourceArn")}


@probe
def probe_message_move_tasks():
    import time

    sqs = client("sqs")
    url, dlq_url, dlq_arn = _failed_into_dlq(sqs, ["a", "b", "c"])
    failed_ids = {m["MessageId"] for m in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10,
                                                              VisibilityTimeout=0)["Messages"]}
    try:
        sqs.start_message_move_task(SourceArn=dlq_arn)
    except NotImplementedError as error:  # in-process moto raises what its server answers as a 500
        return {"error": type(error).__name__}
    deadline = time.monotonic() + 10
    while (task := sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0])["Status"] == "RUNNING":
        assert time.monotonic() < deadline, task
        time.sleep(0.05)
    back = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])["Messages"]
    return {"status": task["Status"], "moved": task["ApproximateNumberOfMessagesMoved"],
            "to_move": task["ApproximateNumberOfMessagesToMove"], "handle_listed": "TaskHandle" in task,
            "bodies": sorted(m["Body"] for m in back), "receive_counts": [m["Attributes"]["ApproximateReceiveCount"]
                                                                          for m in back],
            "new_ids": not failed_ids & {m["MessageId"] for m in back},
            "left_in_dlq": sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"]["ApproximateNumberOfMessages"]}


def _alias(lambda_) -> str:
    _function(Publish=True)
    return lambda_.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")["AliasArn"]


@probe
def probe_function_urls_per_qualifier():
    lambda_ = client("lambda")
    _alias(lambda_)
    created = lambda_.create_function_url_config(FunctionName="fn", Qualifier="live", AuthType="AWS_IAM")
    try:
        lambda_.get_function_url_config(FunctionName="fn")
        unqualified = "found"
    except lambda_.exceptions.ResourceNotFoundException:
        unqualified = "ResourceNotFoundException"
    found = lambda_.get_function_url_config(FunctionName="fn", Qualifier="live")
    return {"function_arn": created["FunctionArn"].split(":", 6)[-1], "unqualified": unqualified,
            "same_url": found["FunctionUrl"] == created["FunctionUrl"]}


def _fifo_queue(sqs, name: str = "jobs.fifo", **attributes) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true", **attributes})["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _lambda_error(call) -> dict:
    """What a Lambda call answered: its HTTP status and, for an error, the code, message and body shape."""
    try:
        response = call()
    except Exception as error:  # botocore's ClientError; anything else is recorded by its class
        answer = getattr(error, "response", None)
        if answer is None:
            return {"raised": type(error).__name__}
        headers = answer["ResponseMetadata"].get("HTTPHeaders", {})
        return {"status": answer["ResponseMetadata"]["HTTPStatusCode"], "code": answer["Error"]["Code"],
                "message": answer["Error"]["Message"], "type": answer.get("Type"),
                "error_type_header": headers.get("x-amzn-errortype")}
    return {"status": response["ResponseMetadata"]["HTTPStatusCode"]}


@probe
def probe_mapping_lifecycle():
    import time

    from generator.local.emulator.lambda_mappings import SETTLE_SECONDS

    sqs, lambda_ = client("sqs"), client("lambda")
    _, arn = _queue(sqs, "q")
    created = lambda_.create_event_source_mapping(FunctionName=_function(), EventSourceArn=arn, BatchSize=5)
    uuid = created["UUID"]

    def state() -> str:
        return lambda_.get_event_source_mapping(UUID=uuid)["State"]

    def settled() -> str:
        time.sleep(SETTLE_SECONDS + 0.15)
        return state()

    found = {"create_status": created["ResponseMetadata"]["HTTPStatusCode"], "created": created["State"],
             "reason": created.get("StateTransitionReason"),
             "window": created.get("MaximumBatchingWindowInSeconds"),
             "response_types": created.get("FunctionResponseTypes"), "then": settled()}
    found["updated"] = lambda_.update_event_source_mapping(UUID=uuid, BatchSize=7)["State"]
    found["after_update"] = settled()
    found["disabled"] = lambda_.update_event_source_mapping(UUID=uuid, Enabled=False)["State"]
    found["after_disable"] = settled()
    found["enabled"] = lambda_.update_event_source_mapping(UUID=uuid, Enabled=True)["State"]
    found["after_enable"] = settled()
    deleted = lambda_.delete_event_source_mapping(UUID=uuid)
    found["delete"] = [deleted["ResponseMetadata"]["HTTPStatusCode"], deleted["State"]]
    return found


@probe
def probe_mapping_validation():
    sqs, lambda_ = client("sqs"), client("lambda")
    _, arn = _queue(sqs, "q")
    _, fifo_arn = _fifo_queue(sqs)
    function_arn = _function()
    lambda_.publish_version(FunctionName="fn")
    lambda_.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")

    def create(**kwargs):
        return lambda: lambda_.create_event_source_mapping(**{"FunctionName": "fn", "EventSourceArn": arn, **kwargs})

    found = {
        "batch_11_no_window": _lambda_error(create(BatchSize=11)),
        "batch_10001": _lambda_error(create(BatchSize=10001, MaximumBatchingWindowInSeconds=1)),
        "fifo_batch_11": _lambda_error(create(EventSourceArn=fifo_arn, BatchSize=11,
                                              MaximumBatchingWindowInSeconds=1)),
        "fifo_window": _lambda_error(create(EventSourceArn=fifo_arn, BatchSize=5, MaximumBatchingWindowInSeconds=1)),
        "empty_array_filter": _lambda_error(create(FilterCriteria={"Filters": [{"Pattern": '{"body": {"k": []}}'}]})),
        "missing_queue": _lambda_error(create(EventSourceArn=arn + "-missing")),
    }
    first = lambda_.create_event_source_mapping(FunctionName=function_arn, EventSourceArn=arn)["UUID"]
    duplicate = _lambda_error(create())
    if "message" in duplicate:
        duplicate["message"] = duplicate["message"].replace(first, "<its UUID>")
    found["duplicate"] = duplicate
    alias = lambda_.create_event_source_mapping(FunctionName="fn:live", EventSourceArn=arn)
    found["alias_arn"] = alias["FunctionArn"].split(":", 6)[-1]
    found["bad_update"] = _lambda_error(lambda: lambda_.update_event_source_mapping(UUID=first, BatchSize=50))
    unknown = "00000000-0000-0000-0000-000000000000"
    found["unknown_get"] = _lambda_error(lambda: lambda_.get_event_source_mapping(UUID=unknown))
    found["unknown_update"] = _lambda_error(lambda: lambda_.update_event_source_mapping(UUID=unknown, BatchSize=5))
    found["unknown_delete"] = _lambda_error(lambda: lambda_.delete_event_source_mapping(UUID=unknown))
    return found


@probe
def probe_fifo_redelivery_in_order():
    import time

    sqs = client("sqs")
    url, _ = _fifo_queue(sqs, ContentBasedDeduplication="true")
    for body in ("m1", "m2", "m3"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=1).get("Messages", [])
    time.sleep(1.2)
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages", [])
    return {"first": [m["Body"] for m in first], "again": [m["Body"] for m in again]}


@probe
def probe_fifo_sequence_numbers():
    sqs = client("sqs")
    url, _ = _fifo_queue(sqs, ContentBasedDeduplication="true")
    sent = [sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g").get("SequenceNumber")
            for i in range(3)]
    batch = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "m3", "MessageGroupId": "g"}])
    sent.append(batch["Successful"][0].get("SequenceNumber"))
    received = [m.get("Attributes", {}).get("SequenceNumber") for m in sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["SequenceNumber"]).get("Messages", [])]
    numbers = [int(n) for n in sent if n]
    return {"sent": len(numbers), "twenty_digits": all(len(n) == 20 for n in sent if n),
            "increasing": numbers == sorted(set(numbers)), "received_match": received == sent}


@probe
def probe_iam_enforced():
    # A role without any grant sends to a queue through the emulator's WSGI application (the patch's place),
    # signed with the credentials the emulator's STS issued it.
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.test import Client

    sqs = client("sqs")
    url, _ = _queue(sqs, "jobs")
    issued = client("sts").assume_role(RoleArn=_role(), RoleSessionName="fn")["Credentials"]
    body = f"Action=SendMessage&QueueUrl={url}&MessageBody=job&Version=2012-11-05"
    request = AWSRequest(method="POST", url=f"https://sqs.{REGION}.amazonaws.com/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    SigV4Auth(Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"]),
              "sqs", REGION).add_auth(request)
    answer = Client(DomainDispatcherApplication(create_backend_app)).post(
        "/", data=body, headers=dict(request.headers.items()))
    code = re.search(r"<Code>([^<]+)</Code>", answer.get_data(as_text=True))
    return {"status": answer.status_code, "code": code.group(1) if code else None}


@probe
def probe_log_group_keys():
    logs = client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/router")  # as the old architecture created it
    key = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
    try:
        logs.associate_kms_key(logGroupName="/aws/lambda/router", kmsKeyId=key)
    except Exception as error:  # moto: the action is not implemented
        return {"associated": type(error).__name__}
    found = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/router")["logGroups"][0].get("kmsKeyId")
    logs.disassociate_kms_key(logGroupName="/aws/lambda/router")
    cleared = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/router")["logGroups"][0].get("kmsKeyId")
    return {"associated": found == key, "cleared": cleared is None}


def main(mode: str) -> None:
    from generator.local.emulator import patches

    if mode == "patched":
        patches.apply_all()
    observed = {}
    for name, run in sorted(PROBES.items()):
        with mock_aws():
            observed[name] = run()
    print(json.dumps(observed))


if __name__ == "__main__":
    main(sys.argv[1])

