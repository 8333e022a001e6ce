"""The one price table of the cost estimate: AWS list prices in us-east-1 (US East, N. Virginia), each with the
page it comes from. Prices change and other regions differ: update this table (and PRICES_CHECKED) when AWS
publishes new ones; nothing else in the estimate holds a price.

Checked on PRICES_CHECKED against the AWS pricing pages below (through the search tool's copies of them and of
secondary pages quoting them: no AWS account or live page was reachable from here).
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_CHECKED = "2026-12-01"
REGION = "us-east-1"


@dataclass(frozen=True)
class Price:
    dollars: float  # per `per` units
    per: int
    unit: str  # what is counted, for the report
    source: str  # the AWS page that publishes it

    def of(self, quantity: float) -> float:
        return quantity * self.dollars / self.per

    def describe(self) -> str:
        amount = f"${self.dollars:.10f}".rstrip("0").rstrip(".") if self.dollars < 0.01 else f"${self.dollars:.2f}"
        return f"{amount} per {self.per:,} {self.unit}" if self.per != 1 else f"{amount} per {self.unit}"


SQS_PAGE = "https://aws.amazon.com/sqs/pricing/"
LAMBDA_PAGE = "https://aws.amazon.com/lambda/pricing/"
KMS_PAGE = "https://aws.amazon.com/kms/pricing/"
CLOUDWATCH_PAGE = "https://aws.amazon.com/cloudwatch/pricing/"

# SQS: every API action is a request, each 64 KB chunk of a request's payload billed as one; first tier.
SQS_STANDARD_REQUEST = Price(0.40, 1_000_000, "requests", SQS_PAGE)
SQS_FIFO_REQUEST = Price(0.50, 1_000_000, "requests", SQS_PAGE)
SQS_CHUNK_BYTES = 64 * 1024
SQS_FREE_REQUESTS = 1_000_000  # per month, standard and FIFO together

# Lambda: requests, and duration in GB-seconds by architecture (first tier, up to 6 billion GB-s a month).
LAMBDA_REQUEST = Price(0.20, 1_000_000, "requests", LAMBDA_PAGE)
LAMBDA_GB_SECOND = {
    "x86_64": Price(0.0000166667, 1, "GB-second", LAMBDA_PAGE),
    "arm64": Price(0.0000133334, 1, "GB-second", LAMBDA_PAGE),
}
# Ephemeral storage above the 512 MB every function gets free.
LAMBDA_STORAGE_GB_SECOND = Price(0.0000000309, 1, "GB-second of storage above 512 MB", LAMBDA_PAGE)
LAMBDA_FREE_REQUESTS = 1_000_000
LAMBDA_FREE_GB_SECONDS = 400_000  # both architectures together

# KMS: a customer managed key per month, and its requests.
KMS_KEY_MONTH = Price(1.00, 1, "key per month", KMS_PAGE)
KMS_REQUEST = Price(0.03, 10_000, "requests", KMS_PAGE)
KMS_FREE_REQUESTS = 20_000

# CloudWatch: standard-resolution alarms (one metric each) and dashboards.
CLOUDWATCH_ALARM_MONTH = Price(0.10, 1, "alarm metric per month", CLOUDWATCH_PAGE)
CLOUDWATCH_DASHBOARD_MONTH = Price(3.00, 1, "dashboard per month", CLOUDWATCH_PAGE)
CLOUDWATCH_FREE_ALARMS = 10
CLOUDWATCH_FREE_DASHBOARDS = 3
CLOUDWATCH_FREE_DASHBOARD_METRICS = 50  # the free dashboards hold up to 50 metrics each

# What the estimate assumes about the Lambda service's SQS pollers (documented behaviour, not prices):
# it long-polls (20 s per ReceiveMessage) with 5 pollers per mapping at low traffic, down to 2 when the
# mapping sets no maximum concurrency ("this optimization is not available if you enable maximum
# concurrency"): https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
POLL_SECONDS = 20
POLLERS_WITH_MAXIMUM_CONCURRENCY = 5
POLLERS_WITHOUT = 2
RECEIVE_BATCH = 10  # ReceiveMessage returns at most 10 messages; Lambda deletes them in batches of 10

# SQS with a KMS key: at most B / D × (2 P + C) KMS requests per queue a month (B the billing period, D the
# data key reuse period, P producing and C consuming principals):
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
DATA_KEY_REUSE_SECONDS = 300  # kms_data_key_reuse_period_seconds: AWS's default, the generated queues keep it

MONTH_SECONDS = 30 * 24 * 3600  # a 30-day month
