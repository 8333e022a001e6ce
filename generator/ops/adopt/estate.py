"""The target adopt looks at (clients, account, region) and the model it compares it with (generator/plan),
indexed by the labels the module's resources carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.plan.model import AlarmPlan, BucketPlan, FunctionPlan, MappingPlan, Plan, QueuePlan, TablePlan

if TYPE_CHECKING:
    from boto3.session import Session
    from types_boto3_cloudwatch import CloudWatchClient
    from types_boto3_dynamodb import DynamoDBClient
    from types_boto3_lambda import LambdaClient
    from types_boto3_s3 import S3Client
    from types_boto3_sqs import SQSClient

# Errors a lookup reads as "there is nothing of that name" (each service spells it its own way).
NOT_FOUND = frozenset({
    "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "ResourceNotFoundException", "NoSuchEntity",
    "NotFoundException", "NotFound", "NoSuchBucket", "404", "NoSuchBucketPolicy", "NoSuchLifecycleConfiguration",
    "NoSuchPublicAccessBlockConfiguration", "OwnershipControlsNotFoundError", "ResourceNotFound",
    "NoSuchKey",
})  # fmt: skip


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def missing(exc: Exception) -> bool:
    """A ClientError that says the thing looked up does not exist."""
    return error_code(exc) in NOT_FOUND


@dataclass
class Estate:
    plan: Plan
    prefix: str  # "<environment>-" or ""
    account: str
    region: str
    partition: str
    session: Session
    endpoint: str | None
    _clients: dict[str, Any] = field(default_factory=dict)
    queue_attributes: dict[str, dict[str, str] | None] = field(default_factory=dict)  # name → attributes

    # ── the target ──

    def client(self, service: str) -> Any:
        """IAM, Logs, SNS, KMS, SES and Signer: the dev lock carries no stubs for them (Any); the typed five
        below are used where the stubs exist."""
        if service not in self._clients:
            self._clients[service] = self.session.client(service, endpoint_url=self.endpoint)  # type: ignore[call-overload]
        return self._clients[service]

    def sqs(self) -> SQSClient:
        client: SQSClient = self.client("sqs")
        return client

    def lambda_(self) -> LambdaClient:
        client: LambdaClient = self.client("lambda")
        return client

    def cloudwatch(self) -> CloudWatchClient:
        client: CloudWatchClient = self.client("cloudwatch")
        return client

    def s3(self) -> S3Client:
        client: S3Client = self.client("s3")
        return client

    def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self.client("dynamodb")
        return client

    # ── names ──

    def name(self, base: str) -> str:
        """The AWS name of a model name in this environment."""
        return self.prefix + base

    def resolve(self, expression: str) -> str:
        """A quoted HCL template of the module's (`"${local.name_prefix}x-${local.account_id}"`) → the AWS name."""
        text = expression.strip()
        if text.startswith('"') and text.endswith('"'):
            text = text[1:-1]
        return (text.replace("${local.name_prefix}", self.prefix).replace("${local.account_id}", self.account)
                .replace("${local.region}", self.region).replace("${local.partition}", self.partition))

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    # ── the model, by the labels the module gives its resources ──

    def queue(self, label: str) -> tuple[QueuePlan, bool] | None:
        """The queue (is_dlq False) or DLQ (True) the label stands for."""
        for queue in self.plan.queues:
            if label == queue.label:
                return queue, False
            if label == queue.dlq_label:
                return queue, True
        return None

    def function(self, label: str) -> FunctionPlan | None:
        return next((fn for fn in self.plan.functions if fn.label == label), None)

    def mapping(self, label: str) -> MappingPlan | None:
        return next((m for m in self.plan.mappings if m.label == label), None)

    def alarm(self, label: str) -> AlarmPlan | None:
        groups = [alarms for _, alarms in self.plan.queue_alarms] + [alarms for _, alarms in self.plan.function_alarms]
        return next((alarm for alarms in groups for alarm in alarms if alarm.label == label), None)

    def table(self, label: str) -> TablePlan | None:
        return next((t for t in self.plan.tables if t.label == label), None)

    def bucket(self, label: str) -> BucketPlan | None:
        buckets = [*self.plan.buckets, *([self.plan.artifacts_bucket] if self.plan.artifacts_bucket else [])]
        return next((b for b in buckets if b.label == label), None)

    def attributes_of(self, name: str) -> dict[str, str] | None:
        """A queue's attributes (None: no queue of that name), looked up once."""
        if name not in self.queue_attributes:
            sqs = self.sqs()
            try:
                url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
                answer = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                attributes: dict[str, str] = {str(name): value for name, value in answer.items()}
                attributes["QueueUrl"] = url
                self.queue_attributes[name] = attributes
            except Exception as exc:
                if not missing(exc):
                    raise
                self.queue_attributes[name] = None
        return self.queue_attributes[name]
