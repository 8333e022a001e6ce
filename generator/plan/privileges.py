"""The least-privilege table: each use queues.toml can declare, the AWS calls it stands for, and exactly what
those calls need: the IAM actions that authorize them, and the KMS actions the service performs with the
caller's credentials on what the pipeline key encrypts (scoped by kms:ViaService to that service).

generator/plan/iam.py builds every role from this table only, so each action of a policy traces back to a row
here and its reason; tests/terraform/test_least_privilege.py derives the same grants independently from the
calls the functions' code makes, and compares.

Sources: the Service Authorization Reference (actions per API call); Lambda, "Execution role permissions" for
SQS event sources (ReceiveMessage, DeleteMessage, GetQueueAttributes); SQS, "Key management" (producers need
kms:GenerateDataKey and kms:Decrypt, consumers kms:Decrypt); DynamoDB, "Encryption at rest: how it works" (the
table key is decrypted for each caller, at most every 5 minutes); S3, "Using server-side encryption with AWS
KMS keys" (PutObject needs kms:GenerateDataKey, GetObject kms:Decrypt, multipart uploads both); S3 GetObject /
HeadObject (a missing key is 404 only for a caller allowed s3:ListBucket, else 403).

Not in any role, on purpose: the functions' environment variables are decrypted through a KMS grant that
Lambda creates for the role at deployment (with the deployer's kms:CreateGrant), and CloudWatch Logs encrypts
the log groups as its own service principal (the key policy's logs statement).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Use:
    calls: tuple[str, ...]  # the API calls made with the function's role (by its code, or by Lambda for it)
    actions: tuple[str, ...]  # the IAM actions those calls are authorized by, sorted
    why: str  # printed above the statement in iam.tf (one line)
    key_actions: tuple[str, ...] = ()  # KMS actions the service performs as the caller, sorted
    key_service: str = ""  # the service that calls KMS (kms:ViaService), when key_actions


USES: dict[str, Use] = {
    "write_logs": Use(
        calls=("logs:CreateLogStream", "logs:PutLogEvents"),
        actions=("logs:CreateLogStream", "logs:PutLogEvents"),
        why="Lambda writes the function's logs with this role; CloudWatch Logs itself encrypts them",
    ),
    "consume_queue": Use(
        calls=("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
        actions=("sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"),
        why="The event source mapping polls, deletes and reads the queue's attributes with this role",
        key_actions=("kms:Decrypt",),
        key_service="sqs",
    ),
    "send_message": Use(
        calls=("sqs:SendMessage",),
        actions=("sqs:SendMessage",),
        why="SendMessage to exactly these queues",
        key_actions=("kms:Decrypt", "kms:GenerateDataKey"),
        key_service="sqs",
    ),
    "use_table": Use(
        calls=("dynamodb:<the item actions listed in queues.toml>",),
        actions=(),  # the actions queues.toml lists (TransactWriteItems is authorized per contained action)
        why="The item actions queues.toml lists; a transaction is authorized per action it contains",
        key_actions=("kms:Decrypt",),
        key_service="dynamodb",
    ),
    "read_objects": Use(
        calls=("s3:GetObject", "s3:HeadObject"),
        actions=("s3:GetObject",),
        why="GetObject and HeadObject under these prefixes",
        key_actions=("kms:Decrypt",),
        key_service="s3",
    ),
    "list_objects": Use(
        calls=("s3:ListObjectsV2", "s3:GetObject or s3:HeadObject of a missing key"),
        actions=("s3:ListBucket",),
        why="ListObjectsV2 under these prefixes; readers too: S3 answers 404 for a missing key only to a lister",
    ),
    "write_objects": Use(
        calls=("s3:PutObject",),
        actions=("s3:PutObject",),
        why="PutObject under these prefixes",
        key_actions=("kms:GenerateDataKey",),
        key_service="s3",
    ),
    "upload_objects": Use(
        calls=("s3:CreateMultipartUpload", "s3:UploadPart", "s3:CompleteMultipartUpload", "s3:AbortMultipartUpload"),
        actions=("s3:AbortMultipartUpload", "s3:PutObject"),
        why="Uploads in parts under these prefixes (s3:PutObject), aborted on failure",
        key_actions=("kms:Decrypt", "kms:GenerateDataKey"),
        key_service="s3",
    ),
    "send_email": Use(
        calls=("ses:SendEmail",),
        actions=("ses:SendEmail",),
        why="SendEmail from the sender only",
    ),
    "write_traces": Use(
        calls=("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
        actions=("xray:PutTelemetryRecords", "xray:PutTraceSegments"),
        why="Active tracing; X-Ray's write actions have no resource-level permissions, so the resource is *",
    ),
}

# Item actions that read or write item data, so DynamoDB decrypts the table key for them; DescribeTable does not.
TABLE_DATA_ACTIONS = frozenset({
    "BatchGetItem", "BatchWriteItem", "ConditionCheckItem", "DeleteItem", "GetItem", "PutItem", "Query", "Scan",
    "UpdateItem",
})  # fmt: skip

# Why each service uses the key as the caller; printed above the role's key statement for that service.
KEY_SERVICES: dict[str, tuple[str, str]] = {  # service → (its name in a statement id, why)
    "dynamodb": ("DynamoDb", "DynamoDB decrypts the table key with the caller's credentials (every 5 min at most)"),
    "s3": ("S3", "S3 makes each written object's data key as the caller, and decrypts it for reads and parts"),
    "sqs": ("Sqs", "SQS makes the producer's data key and decrypts it for producers and consumers, as the caller"),
}
