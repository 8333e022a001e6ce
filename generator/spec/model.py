"""The strict, typed copy of queues.toml.

Every bound and choice lives in a type, so a value out of range is reported by pydantic with its dotted path.
Limits are AWS's (see the links in each description) unless a comment says the Terraform provider is stricter.
Descriptions double as the queues.toml reference, docs/guide/queues-toml.md (``python -m generator.reference``).
"""

from __future__ import annotations

import builtins
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

# A TOML table key that names a queue, function or other resource. It becomes a Terraform label once `-` is
# turned into `_`, so it has to start with a letter and stay within what a label allows.
KEY_PATTERN = r"^[a-z][a-z0-9_-]{0,62}$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]

# SQS: "A queue name can have up to 80 characters. Valid values: alphanumeric characters, hyphens (-), and
# underscores (_)." A FIFO queue name must end with the .fifo suffix, which counts towards the 80. The length
# is left to max_length so that a standard name may use all 80 characters.
QUEUE_NAME_PATTERN = r"^[A-Za-z0-9_-]+(\.fifo)?$"
QueueName = Annotated[str, StringConstraints(pattern=QUEUE_NAME_PATTERN, max_length=80)]

# Lambda FunctionName: 1-64 characters of letters, digits, hyphens and underscores.
FUNCTION_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
FunctionName = Annotated[str, StringConstraints(pattern=FUNCTION_NAME_PATTERN)]

# Lambda Environment.Variables key pattern: `[a-zA-Z]([a-zA-Z0-9_])+`, so at least two characters.
# https://docs.aws.amazon.com/lambda/latest/api/API_Environment.html
# Lambda also reserves a list of names (AWS_REGION, ...), checked in generator/rules/environment.py.
ENV_VAR_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{1,127}$"
EnvVarName = Annotated[str, StringConstraints(pattern=ENV_VAR_PATTERN)]

# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy).
LogRetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
]

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EmailAddress = Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=254)]

# `module.function` inside the zip (Lambda's Handler).
HANDLER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.]*\.[A-Za-z_][A-Za-z0-9_]*$"

# SNS CreateTopic: up to 256 alphanumeric characters, hyphens and underscores (standard topics).
TOPIC_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,256}$"

# A relative folder: path segments of letters, digits, '.', '-' and '_'.
LAMBDAS_DIR_PATTERN = r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"


DEFAULT_AGE_ALARM = 3600  # seconds


def _false_is_zero(value: Any) -> Any:
    """`oldest_message_alarm_seconds = false` reads better than 0 for "no alarm"; both mean it."""
    return 0 if value is False else value


class StrictModel(BaseModel):
    """Unknown keys are errors, values are never coerced (no "30" for 30), and a parsed spec never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DeadLetterQueue(StrictModel):
    name: QueueName | None = Field(
        default=None,
        description="SQS name of the dead-letter queue. "
        "Default: the queue's key + `-dlq` (+ `.fifo` for FIFO).",
    )
    message_retention_seconds: Annotated[int, Field(ge=60, le=1_209_600)] = Field(
        default=1_209_600,
        description="How long failed messages are kept for investigation and redrive. 60–1209600 (14 days); "
        "must be longer than the source queue's retention.",
    )
    visibility_timeout_seconds: Annotated[int, Field(ge=0, le=43_200)] | None = Field(
        default=None, description="0–43200. Default: the source queue's visibility timeout."
    )


class QueueVolume(StrictModel):
    """What the queue is expected to carry, for the cost estimate (`python -m generator cost`)."""

    messages_per_month: Annotated[int, Field(ge=0, le=10**12)] = Field(
        description="Messages sent to the queue in a month. Required in `expected`."
    )
    message_bytes: Annotated[int, Field(ge=1, le=262_144)] = Field(
        default=1024, description="Average message size in bytes (SQS bills each 64 KB chunk as a request)."
    )


class FunctionVolume(StrictModel):
    """How the function is expected to run, for the cost estimate (`python -m generator cost`)."""

    invocations_per_month: Annotated[int, Field(ge=0, le=10**12)] = Field(
        default=0,
        description="Invocations besides those by its queues (derived from their `expected` volumes): HTTP "
        "requests, direct calls.",
    )
    duration_ms: Annotated[int, Field(ge=1, le=900_000)] | None = Field(
        default=None,
        description="Average duration of one invocation in milliseconds. Default: the timeout (an upper bound).",
    )


class Queue(StrictModel):
    name: QueueName | None = Field(
        default=None,
        description="SQS queue name (1–80 of `A-Za-z0-9_-`, FIFO names end in `.fifo`). "
        "Default: the key + `-queue` (+ `.fifo`).",
    )
    description: str = Field(
        default="", max_length=256, description="What the queue carries; printed in a banner."
    )
    fifo_queue: bool = Field(default=False, description="FIFO queue: ordered, exactly-once processing.")
    content_based_deduplication: bool = Field(
        default=False, description="FIFO only: deduplicate by a SHA-256 of the body."
    )
    # High-throughput FIFO: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/high-throughput-fifo.html
    deduplication_scope: Literal["queue", "messageGroup"] | None = Field(
        default=None,
        description="FIFO only: deduplicate across the whole `queue` (AWS's default) or within each "
        "`messageGroup`. High throughput needs `messageGroup`.",
    )
    fifo_throughput_limit: Literal["perQueue", "perMessageGroupId"] | None = Field(
        default=None,
        description="FIFO only: the throughput quota applies `perQueue` (AWS's default) or "
        "`perMessageGroupId` (high throughput), which needs deduplication_scope = \"messageGroup\".",
    )
    visibility_timeout_seconds: Annotated[int, Field(ge=0, le=43_200)] = Field(
        default=30,
        description="0–43200. Must be ≥ the consuming function's timeout (AWS rejects the mapping "
        "otherwise); AWS recommends ≥ 6 × timeout + batching window.",
    )
    message_retention_seconds: Annotated[int, Field(ge=60, le=1_209_600)] = Field(
        default=345_600, description="60–1209600 seconds."
    )
    delay_seconds: Annotated[int, Field(ge=0, le=900)] = Field(default=0, description="0–900 seconds.")
    receive_wait_time_seconds: Annotated[int, Field(ge=0, le=20)] = Field(
        default=0,
        description="0–20 seconds (long polling for non-Lambda consumers; Lambda long-polls anyway).",
    )
    # AWS raised the SQS maximum to 1048576 in August 2025, but hashicorp/aws 5.x (5.100.0 included) still
    # validates 1024-262144 and only 6.8.0 accepts more. The generated Terraform must work with both.
    max_message_size: Annotated[int, Field(ge=1024, le=262_144)] = Field(
        default=262_144,
        description="1024–262144 bytes. AWS accepts up to 1048576 since 2025, but hashicorp/aws 5.x rejects "
        "more than 262144.",
    )
    max_receive_count: Annotated[int, Field(ge=1, le=1000)] = Field(
        description="Receives before a message moves to the dead-letter queue. 1–1000. Required."
    )
    url_env_var: EnvVarName | None = Field(
        default=None,
        description="Environment variable that carries this queue's URL to the functions that send to it. "
        "Default: the key in UPPER_SNAKE + `_QUEUE_URL`.",
    )
    oldest_message_alarm_seconds: Annotated[int, BeforeValidator(_false_is_zero), Field(ge=0, le=1_209_600)] | None = (
        Field(
            default=None,
            description="Alarm when the oldest message is older than this many seconds "
            "(ApproximateAgeOfOldestMessage); below the retention period. `false` (or 0): no age alarm. "
            f"Default: {DEFAULT_AGE_ALARM}, or half the retention when that is {DEFAULT_AGE_ALARM} or less.",
        )
    )
    dlq: DeadLetterQueue = Field(
        default_factory=DeadLetterQueue, description="The queue's dead-letter queue."
    )
    expected: QueueVolume | None = Field(
        default=None, description="Expected monthly volume, for the cost estimate only (nothing deployed changes)."
    )

    @property
    def age_alarm_threshold(self) -> int | None:
        """The age alarm's threshold in seconds, or None when the alarm is off. Unset, it is derived so that a
        short retention (down to SQS's 60 s) still gets an alarm that can fire."""
        if self.oldest_message_alarm_seconds is not None:
            return self.oldest_message_alarm_seconds or None
        if self.message_retention_seconds > DEFAULT_AGE_ALARM:
            return DEFAULT_AGE_ALARM
        return self.message_retention_seconds // 2


class TriggerSettings(StrictModel):
    """How one queue invokes a function (one event source mapping)."""

    batch_size: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=10, description="1–10000 (≤ 10 for FIFO). Above 10 needs a batching window ≥ 1."
    )
    maximum_batching_window_seconds: Annotated[int, Field(ge=0, le=300)] = Field(
        default=0, description="0–300 seconds to gather a batch. Not allowed on FIFO queues."
    )
    maximum_concurrency: Annotated[int, Field(ge=2, le=1000)] | None = Field(
        default=None,
        description="2–1000 concurrent invocations by this mapping. Prevents throttled receives from "
        "pushing good messages to the DLQ.",
    )
    enabled: bool = Field(
        default=True, description="`false` stops polling without deleting anything (the rollback switch)."
    )
    filter_patterns: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=10,
        description="Event filter patterns (tables), e.g. `{ body = { kind = [\"video\"] } }`. At most 10. "
        "Messages that match no pattern are deleted unprocessed.",
    )


class Trigger(TriggerSettings):
    queue: Key = Field(
        description="Key of the queue that invokes the function (event source mapping). Required."
    )


# A key prefix inside a bucket: `videos/`, `exports/2024/`. Grants cover everything under it.
Prefix = Annotated[str, StringConstraints(pattern=r"^([A-Za-z0-9!_.()'-]+/)+$", max_length=256)]

# DynamoDB attribute names used as keys (and the TTL attribute): 1-255 characters.
AttributeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,255}$")]

TableAction = Literal[
    "BatchGetItem", "BatchWriteItem", "ConditionCheckItem", "DeleteItem", "DescribeTable", "GetItem", "PutItem",
    "Query", "Scan", "UpdateItem",
]


class BucketAccess(StrictModel):
    # `list` is a field name here, so the builtin is spelled out in this class.
    read: builtins.list[Prefix] = Field(
        default_factory=builtins.list,
        description="Prefixes the function reads (GetObject, HeadObject: s3:GetObject), with s3:ListBucket on the "
        "same prefixes so that a missing key reads as 404, not 403.",
    )
    write: builtins.list[Prefix] = Field(
        default_factory=builtins.list,
        description="Prefixes the function writes in one request (PutObject: s3:PutObject).",
    )
    upload: builtins.list[Prefix] = Field(
        default_factory=builtins.list,
        description="Prefixes the function uploads to in parts (boto3's upload_file above 8 MB: s3:PutObject, "
        "s3:AbortMultipartUpload, and kms:Decrypt for the parts).",
    )
    list: builtins.list[Prefix] = Field(
        default_factory=builtins.list,
        description="Prefixes the function may list (s3:ListBucket with an s3:prefix condition).",
    )


class Bucket(StrictModel):
    description: str = Field(default="", max_length=256, description="What the bucket holds; printed in a banner.")
    env_var: EnvVarName | None = Field(
        default=None,
        description="Environment variable carrying the bucket name to the functions that use it. "
        "Default: the key in UPPER_SNAKE + `_BUCKET`.",
    )
    expire_after_days: Annotated[int, Field(ge=1, le=36_500)] | None = Field(
        default=None, description="Delete objects this many days after creation. Unset: keep them."
    )


class Table(StrictModel):
    description: str = Field(default="", max_length=256, description="What the table holds; printed in a banner.")
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{3,255}$")] | None = Field(
        default=None, description="DynamoDB table name. Default: the project name + `-` + the key."
    )
    env_var: EnvVarName | None = Field(
        default=None,
        description="Environment variable carrying the table name. Default: the key in UPPER_SNAKE + `_TABLE`.",
    )
    hash_key: AttributeName = Field(description="Partition key attribute (a string). Required.")
    range_key: AttributeName | None = Field(default=None, description="Sort key attribute (a string), if any.")
    ttl_attribute: AttributeName | None = Field(
        default=None, description="Attribute holding an epoch-seconds expiry; DynamoDB deletes expired items."
    )


class Email(StrictModel):
    sender: EmailAddress = Field(description="The SES identity (address) emails are sent from. Required.")
    env_var: EnvVarName = Field(default="SENDER_EMAIL", description="Environment variable carrying the sender.")
    sandbox: bool = Field(
        default=False,
        description="While the account is in the SES sandbox, SES also authorizes the recipients' identities: "
        "`true` widens ses:SendEmail to this account's identities in the region.",
    )


class Function(StrictModel):
    name: FunctionName | None = Field(default=None, description="Lambda function name. Default: the key.")
    source: Key | None = Field(
        default=None,
        description="Folder under `lambdas_dir` with the function's code. Default: the key. Functions may "
        "share a folder.",
    )
    description: str = Field(default="", max_length=256, description="Lambda description, ≤ 256 characters.")
    handler: Annotated[str, StringConstraints(pattern=HANDLER_PATTERN)] = Field(
        default="handler.lambda_handler", description="`module.function` inside the zip."
    )
    runtime: Literal["python3.11", "python3.12", "python3.13"] = Field(
        default="python3.12", description="Lambda Python runtime."
    )
    architecture: Literal["x86_64", "arm64"] = Field(
        default="x86_64", description="Instruction set; also decides which wheels are packaged."
    )
    timeout: Annotated[int, Field(ge=1, le=900)] = Field(description="Seconds, 1–900. Required.")
    memory_size: Annotated[int, Field(ge=128, le=10_240)] = Field(default=128, description="MB, 128–10240.")
    ephemeral_storage_size: Annotated[int, Field(ge=512, le=10_240)] = Field(
        default=512, description="MB of /tmp, 512–10240."
    )
    reserved_concurrent_executions: Annotated[int, Field(ge=0, le=10_000)] | None = Field(
        default=None,
        description="Reserved concurrency: guaranteed to the function, and its ceiling whoever invokes it (an "
        "HTTPS endpoint's callers included). Unset: the account's unreserved pool. Must cover the sum of its "
        "triggers' maximum_concurrency.",
    )
    log_retention_days: LogRetentionDays = Field(
        default=365, description="Retention of `/aws/lambda/<name>`; one of CloudWatch's allowed values."
    )
    environment: dict[EnvVarName, str] = Field(
        default_factory=dict, description="Extra environment variables (plain settings, never secrets)."
    )
    trigger: Trigger | None = Field(default=None, description="The queue that invokes this function, if any.")
    triggers: dict[Key, TriggerSettings] = Field(
        default_factory=dict,
        description="Queues that invoke this function, by queue key: one `[functions.<key>.triggers.<queue>]` "
        "table each, with the settings of `trigger` but no `queue`. Use it to consume several queues (with or "
        "without `trigger`); each queue still has one consumer.",
    )
    sends_to: list[Key] = Field(
        default_factory=list,
        description="Keys of queues the function sends to: grants sqs:SendMessage on exactly those queues "
        "and sets their URL environment variables.",
    )
    tables: dict[Key, list[TableAction]] = Field(
        default_factory=dict,
        description="DynamoDB access by table key, as action names, e.g. `{ quotas = [\"UpdateItem\"] }`; sets "
        "the table's environment variable.",
    )
    buckets: dict[Key, BucketAccess] = Field(
        default_factory=dict,
        description="S3 access by bucket key and prefix, e.g. `{ media = { write = [\"videos/\"] } }`; sets the "
        "bucket's environment variable.",
    )
    sends_email: bool = Field(
        default=False, description="Grants ses:SendEmail from [email].sender and sets its environment variable."
    )
    http: Literal["aws_iam", "none"] | None = Field(
        default=None,
        description="Give the function an HTTPS endpoint (Lambda function URL, payload v2) with this auth: "
        "`aws_iam` (callers sign requests) or `none` (public).",
    )
    expected: FunctionVolume | None = Field(
        default=None, description="Expected use, for the cost estimate only (nothing deployed changes)."
    )


class Alarms(StrictModel):
    topic_name: Annotated[str, StringConstraints(pattern=TOPIC_NAME_PATTERN)] = Field(
        description="SNS topic every alarm notifies (OK transitions too). Required."
    )
    email_subscribers: list[EmailAddress] = Field(
        default_factory=list, description="Addresses subscribed to the topic (each must confirm by email)."
    )
    function_errors_threshold: Annotated[int, Field(ge=1)] = Field(
        default=1,
        description="Alarm when a function's Errors sum over `function_period_seconds` reaches this.",
    )
    function_throttles_threshold: Annotated[int, Field(ge=1)] = Field(
        default=1,
        description="Alarm when a function's Throttles sum over `function_period_seconds` reaches this.",
    )
    function_period_seconds: Literal[60, 300, 900, 3600] = Field(
        default=300, description="Period of the function alarms."
    )


class CodeSigning(StrictModel):
    enabled: bool = Field(
        default=False,
        description="Sign every zip with an AWS Signer profile and make Lambda refuse code that profile did not "
        "sign (a code signing config in Enforce mode). Signed code deploys from the artifacts bucket.",
    )
    # Signer: SignatureValidityPeriod up to 135 months (its default).
    signature_validity_months: Annotated[int, Field(ge=1, le=135)] = Field(
        default=135,
        description="How long a signature stays valid, 1–135 months. Lambda refuses to deploy a zip whose "
        "signature expired; running functions are not affected, and every deploy signs anew.",
    )


class Project(StrictModel):
    name: Key = Field(
        description="Short name used for the KMS key alias and resource descriptions. Required."
    )
    lambdas_dir: Annotated[str, StringConstraints(pattern=LAMBDAS_DIR_PATTERN)] = Field(
        default="lambdas",
        description="Folder (relative to queues.toml) holding `<function key>/` and the shared `common/`.",
    )


class Spec(StrictModel):
    version: Literal[1] = Field(default=1, description="Schema version of queues.toml.")
    project: Project = Field(description="Names the topology.")
    alarms: Alarms = Field(description="Where alarms go and the function alarm thresholds.")
    queues: dict[Key, Queue] = Field(min_length=1, description="Queue/DLQ pairs, keyed by a short name.")
    functions: dict[Key, Function] = Field(default_factory=dict, description="Lambda functions, keyed by name.")
    buckets: dict[Key, Bucket] = Field(default_factory=dict, description="S3 buckets the functions use.")
    tables: dict[Key, Table] = Field(default_factory=dict, description="DynamoDB tables the functions use.")
    email: Email | None = Field(default=None, description="The SES sender, for functions with sends_email.")
    code_signing: CodeSigning = Field(
        default_factory=CodeSigning, description="Signing the zips and enforcing signatures at deployment."
    )
