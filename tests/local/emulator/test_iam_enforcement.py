"""IAM enforced in the emulator (generator/local/emulator/iam_enforcement.py) on a moto server in this process:
calls signed with an assumed role's credentials are authorized as AWS authorizes them, the KMS calls services make
with the caller's permissions included, and a denial answers with each service's error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from botocore.exceptions import ClientError

from generator.local.emulator import iam_enforcement, patches
from generator.local.state import EmulatorConfig, LocalState
from tests.conftest import on_one_worker

pytestmark = on_one_worker(__name__)

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE_NAME = "fn-role"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE_NAME}/fn"
ACCOUNT_ADMINISTERS = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                       "Action": "kms:*", "Resource": "*"}


@dataclass
class Emulator:
    endpoint: str
    admin: boto3.session.Session
    role: boto3.session.Session

    def admin_client(self, service: str):
        return self.admin.client(service, endpoint_url=self.endpoint)

    def role_client(self, service: str):
        return self.role.client(service, endpoint_url=self.endpoint)

    def grant(self, *statements: dict) -> None:
        self.admin_client("iam").put_role_policy(RoleName=ROLE_NAME, PolicyName="least-privilege",
                                                 PolicyDocument=json.dumps({"Version": "2012-10-17",
                                                                            "Statement": list(statements)}))

    def key(self, *statements: dict) -> str:
        document = {"Version": "2012-10-17", "Statement": list(statements) or [ACCOUNT_ADMINISTERS]}
        return self.admin_client("kms").create_key(Policy=json.dumps(document))["KeyMetadata"]["Arn"]


_APPLIED = []


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    if not _APPLIED:  # the patch wraps moto's WSGI entry once per process; it acts on role-signed calls only
        patches.apply("iam_enforced")
        _APPLIED.append(True)
    running = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    running.start()
    host, port = running.get_host_and_port()
    yield f"http://{host}:{port}"
    running.stop()


@pytest.fixture
def emulator(server: str) -> Iterator[Emulator]:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{server}/moto-api/reset", method="POST")).close()
    admin = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=REGION)
    role_arn = admin.client("iam", endpoint_url=server).create_role(
        RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    credentials = admin.client("sts", endpoint_url=server).assume_role(RoleArn=role_arn,
                                                                       RoleSessionName="fn")["Credentials"]
    role = boto3.session.Session(aws_access_key_id=credentials["AccessKeyId"],
                                 aws_secret_access_key=credentials["SecretAccessKey"],
                                 aws_session_token=credentials["SessionToken"], region_name=REGION)
    yield Emulator(server, admin, role)
    iam_enforcement.SETTING.state_dir = None


def error_of(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    error = response["Error"]
    return error["Code"], response["ResponseMetadata"]["HTTPStatusCode"], error.get("Message", "")


def via(service: str) -> dict:
    return {"StringEquals": {"kms:ViaService": f"{service}.{REGION}.amazonaws.com"}}


# ── the request's own action ───────────────────────────────────────────────────────────────────────────────


def test_a_call_no_policy_allows_fails_with_the_services_error_and_awss_text(emulator):
    queue = emulator.admin_client("sqs").create_queue(QueueName="jobs")["QueueUrl"]
    code, status, message = error_of(lambda: emulator.role_client("sqs").send_message(QueueUrl=queue,
                                                                                      MessageBody="x"))
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: {SESSION} is not authorized to perform: sqs:SendMessage on resource: "
                       f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs because no identity-based policy allows the "
                       "sqs:SendMessage action")


def test_a_grant_on_the_exact_arn_allows_and_a_wrong_arn_does_not(emulator):
    sqs = emulator.admin_client("sqs")
    jobs, other = sqs.create_queue(QueueName="jobs")["QueueUrl"], sqs.create_queue(QueueName="other")["QueueUrl"]
    emulator.grant({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"})
    emulator.role_client("sqs").send_message(QueueUrl=jobs, MessageBody="x")
    assert error_of(lambda: emulator.role_client("sqs").send_message(QueueUrl=other, MessageBody="x"))[0] \
        == "AccessDenied"


def test_the_admin_credentials_stay_unrestricted(emulator):
    queue = emulator.admin_client("sqs").create_queue(QueueName="jobs")["QueueUrl"]
    emulator.admin_client("sqs").send_message(QueueUrl=queue, MessageBody="x")


def test_an_explicit_deny_in_an_attached_managed_policy_wins(emulator):
    iam = emulator.admin_client("iam")
    queue = emulator.admin_client("sqs").create_queue(QueueName="jobs")["QueueUrl"]
    emulator.grant({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"})
    arn = iam.create_policy(PolicyName="no-send", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=ROLE_NAME, PolicyArn=arn)
    _, _, message = error_of(lambda: emulator.role_client("sqs").send_message(QueueUrl=queue, MessageBody="x"))
    assert message.endswith("with an explicit deny in an identity-based policy")


def test_dynamodb_lambda_and_ses_answer_as_each_service_does(emulator):
    code, status, message = error_of(lambda: emulator.role_client("dynamodb").put_item(
        TableName="t", Item={"k": {"S": "1"}}))
    assert (code, status) == ("AccessDeniedException", 400)
    assert f"dynamodb:PutItem on resource: arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t" in message
    code, status, _ = error_of(lambda: emulator.role_client("lambda").invoke(FunctionName="fn"))
    assert (code, status) == ("AccessDeniedException", 403)
    code, status, message = error_of(lambda: emulator.role_client("ses").send_email(
        Source="noreply@example.com", Destination={"ToAddresses": ["a@example.com"]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}))
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User `{SESSION}' is not authorized to perform `ses:SendEmail' on resource "
                       f"`arn:aws:ses:{REGION}:{ACCOUNT}:identity/noreply@example.com'")


def test_ses_from_address_condition(emulator):
    ses = emulator.admin_client("ses")
    ses.verify_email_identity(EmailAddress="noreply@example.com")
    ses.verify_email_identity(EmailAddress="other@example.com")
    emulator.grant({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
                    "Condition": {"StringEquals": {"ses:FromAddress": "noreply@example.com"}}})

    def send(source: str):
        return emulator.role_client("ses").send_email(
            Source=source, Destination={"ToAddresses": ["a@example.com"]},
            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})

    send("noreply@example.com")
    assert error_of(lambda: send("other@example.com"))[0] == "AccessDenied"


# ── what services do with the caller's permissions ─────────────────────────────────────────────────────────


def test_sqs_send_to_a_queue_with_a_customer_managed_key_needs_generate_data_key_and_decrypt(emulator):
    key = emulator.key()
    queue = emulator.admin_client("sqs").create_queue(QueueName="jobs", Attributes={"KmsMasterKeyId": key})["QueueUrl"]
    send = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"}

    def sending():
        return emulator.role_client("sqs").send_message(QueueUrl=queue, MessageBody="x")

    emulator.grant(send)
    code, status, message = error_of(sending)
    assert (code, status) == ("KMS.AccessDeniedException", 400)
    assert message.startswith("The ciphertext refers to a customer master key that does not exist")
    assert f"kms:GenerateDataKey on resource: {key}" in message
    emulator.grant(send, {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key, "Condition": via("sqs")})
    assert "kms:Decrypt" in error_of(sending)[2]
    emulator.grant(send, {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key,
                          "Condition": via("s3")})  # the key through another service
    assert error_of(sending)[0] == "KMS.AccessDeniedException"
    emulator.grant(send, {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key,
                          "Condition": via("sqs")})
    sending()


def test_sqs_receive_from_a_queue_with_a_customer_managed_key_needs_decrypt(emulator):
    key = emulator.key()
    queue = emulator.admin_client("sqs").create_queue(QueueName="jobs", Attributes={"KmsMasterKeyId": key})["QueueUrl"]
    receive = {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"}
    emulator.grant(receive)
    assert error_of(lambda: emulator.role_client("sqs").receive_message(QueueUrl=queue))[0] \
        == "KMS.AccessDeniedException"
    emulator.grant(receive, {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key, "Condition": via("sqs")})
    emulator.role_client("sqs").receive_message(QueueUrl=queue)


def test_an_aws_managed_key_needs_no_grant(emulator):
    queue = emulator.admin_client("sqs").create_queue(
        QueueName="jobs", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
    emulator.grant({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"})
    emulator.role_client("sqs").send_message(QueueUrl=queue, MessageBody="x")


def test_iam_grants_of_a_key_whose_policy_does_not_allow_the_account_count_for_nothing(emulator):
    key = emulator.key({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"},
                        "Action": "kms:*", "Resource": "*"})
    queue = emulator.admin_client("sqs").create_queue(QueueName="jobs", Attributes={"KmsMasterKeyId": key})["QueueUrl"]
    emulator.grant({"Effect": "Allow", "Action": ["sqs:SendMessage", "kms:*"], "Resource": "*"})
    _, _, message = error_of(lambda: emulator.role_client("sqs").send_message(QueueUrl=queue, MessageBody="x"))
    assert "because no resource-based policy allows the kms:GenerateDataKey action" in message


def _kms_bucket(emulator: Emulator, key: str) -> None:
    s3 = emulator.admin_client("s3")
    s3.create_bucket(Bucket="media")
    s3.put_bucket_encryption(Bucket="media", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
         "BucketKeyEnabled": True}]})


def test_s3_put_to_an_sse_kms_bucket_needs_generate_data_key_and_get_needs_decrypt(emulator):
    key = emulator.key()
    _kms_bucket(emulator, key)
    objects = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::media/videos/*"}
    emulator.grant(objects)
    s3 = emulator.role_client("s3")
    code, status, message = error_of(lambda: s3.put_object(Bucket="media", Key="videos/a", Body=b"1"))
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: {SESSION} is not authorized to perform: kms:GenerateDataKey on resource: {key} "
                       "because no identity-based policy allows the kms:GenerateDataKey action")
    emulator.grant(objects, {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key,
                             "Condition": via("s3")})
    s3.put_object(Bucket="media", Key="videos/a", Body=b"1")
    assert "kms:Decrypt" in error_of(lambda: s3.get_object(Bucket="media", Key="videos/a"))[2]
    emulator.grant(objects, {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key,
                             "Condition": via("s3")})
    assert s3.get_object(Bucket="media", Key="videos/a")["Body"].read() == b"1"


def test_s3_a_missing_key_answers_403_to_a_caller_without_list_bucket_and_404_to_a_lister(emulator):
    emulator.admin_client("s3").create_bucket(Bucket="media")
    read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::media/videos/*"}
    emulator.grant(read)
    s3 = emulator.role_client("s3")
    assert error_of(lambda: s3.head_object(Bucket="media", Key="videos/missing"))[:2] == ("403", 403)
    assert error_of(lambda: s3.get_object(Bucket="media", Key="videos/missing"))[:2] == ("AccessDenied", 403)
    emulator.grant(read, {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::media",
                          "Condition": {"StringLike": {"s3:prefix": ["videos/*"]}}})
    assert error_of(lambda: s3.head_object(Bucket="media", Key="videos/missing"))[:2] == ("404", 404)
    assert error_of(lambda: s3.get_object(Bucket="media", Key="videos/missing"))[:2] == ("NoSuchKey", 404)


def test_s3_a_bucket_policy_deny_applies_to_the_role(emulator):
    s3 = emulator.admin_client("s3")
    s3.create_bucket(Bucket="media")
    s3.put_bucket_policy(Bucket="media", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::media/locked/*"}]}))
    emulator.grant({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::media/*"})
    emulator.role_client("s3").put_object(Bucket="media", Key="open/a", Body=b"1")
    _, _, message = error_of(lambda: emulator.role_client("s3").put_object(Bucket="media", Key="locked/a", Body=b"1"))
    assert message.endswith("with an explicit deny in a resource-based policy")


def test_dynamodb_with_a_customer_managed_key_needs_decrypt_through_dynamodb(emulator):
    key = emulator.key()
    emulator.admin_client("dynamodb").create_table(
        TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
    put = {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t"}
    emulator.grant(put)
    dynamodb = emulator.role_client("dynamodb")
    code, _, message = error_of(lambda: dynamodb.put_item(TableName="t", Item={"k": {"S": "1"}}))
    assert code == "AccessDeniedException" and f"kms:Decrypt on resource: {key}" in message
    emulator.grant(put, {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key, "Condition": via("dynamodb")})
    emulator.role_client("dynamodb").put_item(TableName="t", Item={"k": {"S": "1"}})


def test_each_action_of_a_transaction_is_authorized(emulator):
    emulator.admin_client("dynamodb").create_table(
        TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    emulator.grant({"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"})
    items = [{"Put": {"TableName": "t", "Item": {"k": {"S": "1"}}}},
             {"Update": {"TableName": "t", "Key": {"k": {"S": "2"}}, "UpdateExpression": "SET v = :v",
                         "ExpressionAttributeValues": {":v": {"N": "1"}}}}]
    _, _, message = error_of(lambda: emulator.role_client("dynamodb").transact_write_items(TransactItems=items))
    assert "dynamodb:UpdateItem" in message


# ── the setting ────────────────────────────────────────────────────────────────────────────────────────────


def test_no_iam_lets_every_call_through(emulator, tmp_path):
    queue = emulator.admin_client("sqs").create_queue(QueueName="jobs")["QueueUrl"]
    state = LocalState(tmp_path)
    EmulatorConfig(iam=False).write(state)
    iam_enforcement.configure(state.dir)
    emulator.role_client("sqs").send_message(QueueUrl=queue, MessageBody="x")
