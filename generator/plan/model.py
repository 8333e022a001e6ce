"""What the templates print. Every name, label, expression and number is decided before rendering."""

from __future__ import annotations

from dataclasses import dataclass

from generator.naming import EnvironmentRoom


@dataclass(frozen=True)
class Skip:
    """A checkov suppression printed inside its block: `#checkov:skip=<check_id>:<reason>`."""

    check_id: str
    reason: str


@dataclass(frozen=True)
class QueuePlan:
    key: str
    label: str
    name: str
    description: str
    fifo: bool
    content_based_deduplication: bool
    deduplication_scope: str | None  # printed only when queues.toml sets it (else AWS's default applies)
    fifo_throughput_limit: str | None
    visibility_timeout_seconds: int
    message_retention_seconds: int
    delay_seconds: int
    receive_wait_time_seconds: int
    max_message_size: int
    max_receive_count: int
    dlq_label: str
    dlq_name: str
    dlq_visibility_timeout_seconds: int
    dlq_message_retention_seconds: int
    oldest_message_alarm_seconds: int | None  # None: no age alarm
    consumer: str | None  # function key


@dataclass(frozen=True)
class Condition:
    test: str
    variable: str
    values: tuple[str, ...]  # HCL expressions


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]  # sorted
    resources: tuple[str, ...]  # HCL expressions, sorted
    conditions: tuple[Condition, ...] = ()
    why: str = ""  # the least-privilege table's reason, printed above the statement


@dataclass(frozen=True)
class CodePlan:
    """Where Terraform finds the function's zip: a local file, or an S3 object it uploads (zips > 50 MB)."""

    filename: str  # HCL expression of the local zip path
    source_code_hash: str  # derived from the package's inputs, not from zip bytes
    via_s3: bool
    s3_key: str  # the object's key in the artifacts bucket, when via_s3
    missing_zip_message: str  # HCL string: the plan-time precondition's error when the zip in filename is absent


@dataclass(frozen=True)
class FunctionPlan:
    key: str
    label: str
    name: str
    alias_label: str  # the `live` alias's Terraform label: what mappings and the function URL point at
    alias: str  # its name
    description: str
    role_name: str
    handler: str
    runtime: str
    architecture: str
    timeout: int
    memory_size: int
    ephemeral_storage_size: int
    reserved_concurrent_executions: int | None
    log_retention_days: int
    environment: tuple[str, ...]  # aligned `NAME = expression` lines
    statements: tuple[Statement, ...]
    code: CodePlan
    code_note: tuple[str, ...]  # why the zip goes through the artifacts bucket (comment lines above its upload)
    signed_prefix: str | None  # where AWS Signer writes the signed zip, when code signing is on
    skips: tuple[Skip, ...]
    http_auth: str | None  # function URL authorization type, if the function has an HTTPS endpoint
    url_skips: tuple[Skip, ...]


@dataclass(frozen=True)
class MappingPlan:
    function_key: str
    label: str
    output_key: str  # key in the event_source_mapping_uuids output: the function key, or `<function>/<queue>`
    path: str  # where queues.toml declares it: functions.<key>.trigger, or functions.<key>.triggers.<queue>
    function_label: str
    alias_label: str  # the function's `live` alias: the mapping invokes it
    queue_label: str
    queue_name: str
    enabled: bool
    batch_size: int
    maximum_batching_window_seconds: int | None
    maximum_concurrency: int | None
    filter_patterns: tuple[str, ...]  # HCL expressions for jsonencode(...)


@dataclass(frozen=True)
class AlarmPlan:
    label: str
    name: str
    description: str
    namespace: str
    metric_name: str
    dimension_name: str
    dimension_value: str  # HCL expression
    statistic: str
    period: int
    evaluation_periods: int
    threshold: int
    comparison_operator: str


@dataclass(frozen=True)
class TablePlan:
    key: str
    label: str
    name: str
    description: str
    hash_key: str
    range_key: str | None
    ttl_attribute: str | None


@dataclass(frozen=True)
class OutputPlan:
    name: str
    description: str
    entries: tuple[str, ...] = ()  # aligned `key = expression` lines of the output's map
    value: str = ""  # or one expression


@dataclass(frozen=True)
class BucketPlan:
    """A private, versioned, KMS-encrypted, TLS-only S3 bucket (templates/_s3.j2's hardened_bucket)."""

    label: str
    name: str  # HCL expression (a quoted template: the name embeds the account id and region)
    purpose: str  # the banner line above the bucket
    kms_key_arn: str  # HCL expression
    noncurrent_version_days: int
    incomplete_upload_days: int
    skips: tuple[Skip, ...]
    expire_after_days: int | None = None  # current versions expire too (the media bucket's videos)


@dataclass(frozen=True)
class CodeSigningPlan:
    """One AWS Signer profile for Lambda, and the code signing config every function enforces it with."""

    profile_name_prefix: str  # Signer names: letters, digits and '_'; Terraform appends a unique suffix
    signature_validity_months: int
    description: str  # of the code signing config


@dataclass(frozen=True)
class DashboardPlan:
    """The CloudWatch dashboard (generator/plan/dashboard.py lays it out)."""

    label: str
    name: str  # the AWS name (the template prefixes it)
    body: tuple[str, ...]  # the lines of the jsonencode(...) argument, laid out as terraform fmt would
    metric_count: int  # metrics shown (CloudWatch's free tier counts dashboards of up to 50)


@dataclass(frozen=True)
class KeyPolicyPlan:
    """The pipeline key's policy statements that depend on `var.key_administrators` (generator/plan/key_policy.py)."""

    administrator_actions: tuple[str, ...]  # the named administrators' statement
    account_use_actions: tuple[str, ...]  # what the account's IAM policies may grant when administrators are named


@dataclass(frozen=True)
class ZipDirs:
    """Where the Lambda zips are (build/lambda/ beside the root), relative to the module and to the root."""

    from_module: str
    from_root: str


@dataclass(frozen=True)
class Plan:
    source: str  # the spec file name printed in headers
    project: str
    environment_room: EnvironmentRoom  # how long `var.environment` may be, and why
    encrypted: tuple[str, ...]  # what the pipeline key encrypts, for its description
    key_policy_skips: tuple[Skip, ...]
    key_policy: KeyPolicyPlan
    log_group_arns: tuple[str, ...]  # HCL template strings for the key policy's logs condition
    queues: tuple[QueuePlan, ...]
    functions: tuple[FunctionPlan, ...]
    mappings: tuple[MappingPlan, ...]
    topic_label: str
    topic_name: str
    subscribers: tuple[str, ...]
    queue_alarms: tuple[tuple[QueuePlan, tuple[AlarmPlan, ...]], ...]
    function_alarms: tuple[tuple[FunctionPlan, tuple[AlarmPlan, ...]], ...]
    outputs: tuple[OutputPlan, ...]
    tables: tuple[TablePlan, ...]
    buckets: tuple[BucketPlan, ...]
    email_sender: str | None
    email_sender_arn: str | None  # HCL string: the identity's ARN, whichever environment manages it
    artifacts_bucket: BucketPlan | None  # set when any zip is deployed through S3
    code_signing: CodeSigningPlan | None  # set when queues.toml turns code signing on
    dashboard: DashboardPlan
    module_name: str  # the generated module's folder (modules/<name>/) and the root's label for it
    module_arguments: tuple[str, ...]  # the root's module call: aligned `input = expression` lines
    zip_dirs: ZipDirs
