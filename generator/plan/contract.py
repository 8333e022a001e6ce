"""The contract of queues.toml as `terraform test` assertions on the generated module (contract.tftest.hcl).

`terraform test` runs the module against a mocked AWS provider: no credentials, nothing created. Every value the
configuration sets is planned and "applied" as Terraform would send it to AWS, and every value AWS would compute
(ARNs, queue URLs, ids) is a fixed, well-formed one chosen here, per resource (override_resource), so an
assertion can name the exact ARN a redrive policy, a mapping or a role statement must hold. The assertions are
what queues.toml declares: each queue's DLQ and maxReceiveCount, retention and visibility, visibility at least
its consumer's timeout, an alarm on every DLQ notifying the topic, each mapping's queue, function, batch size,
window and enabled state, each role's statements (actions and resources, nothing more), and the resource
policies (the key's two shapes, the topic's, the buckets'). A hand edit of a generated value makes the test fail,
naming the assertion.

What a mocked run cannot check: the JSON of a policy document (a mock gives every aws_iam_policy_document the
same default), so statements are checked as the data sources' arguments, which their JSON is made of.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from generator import hcl
from generator.plan.model import BucketPlan, FunctionPlan, MappingPlan, Plan, QueuePlan

# The mocked deployment: the default environment (no name prefix) of this account, region and partition.
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"  # the example key id of AWS's KMS documentation
EMPTY_POLICY = '{"Version":"2012-10-17","Statement":[]}'  # every policy document's mocked JSON
KEY_ADMINISTRATOR = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/key-administrator"  # the named-administrators run
NOT_A_PRINCIPAL = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/*"  # a wildcard the variable's validation refuses
DLQ_ALARM_METRIC = ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", "GreaterThanOrEqualToThreshold", 1)
PARTIAL_BATCH_RESPONSE = "ReportBatchItemFailures"


@dataclass(frozen=True)
class Assertion:
    condition: str  # an HCL expression
    error_message: str  # an HCL string


@dataclass(frozen=True)
class Section:
    title: str  # the comment above its assertions
    assertions: tuple[Assertion, ...]


@dataclass(frozen=True)
class Mock:
    """A mock_provider block's defaults for every instance of a type: `mock_data` or `mock_resource`."""

    kind: str
    type: str
    values: tuple[str, ...]  # aligned `attribute = literal` lines


@dataclass(frozen=True)
class Override:
    """The values AWS would compute for one resource (override_resource)."""

    target: str  # its address in the module
    values: tuple[str, ...]  # aligned `attribute = "literal"` lines


@dataclass(frozen=True)
class Run:
    name: str
    command: str  # apply | plan
    variables: tuple[str, ...]  # aligned `name = value` lines
    sections: tuple[Section, ...]
    expect_failures: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContractPlan:
    account_id: str
    region: str
    mocks: tuple[Mock, ...]
    overrides: tuple[Override, ...]
    runs: tuple[Run, ...]


def contract_plan(plan: Plan) -> ContractPlan:
    computed = _computed_values(plan)
    known = _known_values(plan, computed)
    contract = Run("contract", "apply", (), (
        *(_queue_section(queue, plan, known) for queue in plan.queues),
        *(_mapping_section(mapping, plan, known) for mapping in plan.mappings),
        *(_role_section(fn, known) for fn in plan.functions),
        _resource_policy_section(plan, known),
    ))
    named = Run("key_administrators_named", "plan", (f"key_administrators = [{hcl.quote(KEY_ADMINISTRATOR)}]",),
                (_named_key_administrators_section(plan),))
    refused = Run("key_administrators_are_role_or_user_arns", "plan",
                  (f"key_administrators = [{hcl.quote(NOT_A_PRINCIPAL)}]",), (), ("var.key_administrators",))
    return ContractPlan(ACCOUNT_ID, REGION, _mocks(plan), tuple(_overrides(computed)), (contract, named, refused))


# --- mocked values -------------------------------------------------------------------------------------------


def _mocks(plan: Plan) -> tuple[Mock, ...]:
    def mock(kind: str, type_: str, values: Iterable[tuple[str, str]]) -> Mock:
        return Mock(kind, type_, tuple(hcl.aligned(values)))

    mocks = [
        mock("mock_data", "aws_caller_identity", [("account_id", hcl.quote(ACCOUNT_ID))]),
        mock("mock_data", "aws_partition", [("partition", hcl.quote(PARTITION))]),
        mock("mock_data", "aws_region", [("id", hcl.quote(REGION))]),
        # the provider validates a policy argument even under a mock: every document is this empty policy
        mock("mock_data", "aws_iam_policy_document", [("json", hcl.quote(EMPTY_POLICY))]),
    ]
    if plan.code_signing is not None:
        profile = _arn("signer", f"/signing-profiles/{plan.code_signing.profile_name_prefix}mock")
        signed = f"[{{ s3 = [{{ bucket = {hcl.quote('signed-copies')}, key = {hcl.quote('signed/mock.zip')} }}] }}]"
        mocks += [
            mock("mock_resource", "aws_signer_signing_profile",
                 [("arn", hcl.quote(profile)), ("version_arn", hcl.quote(f"{profile}/v1"))]),
            mock("mock_resource", "aws_signer_signing_job", [("signed_object", signed)]),
            mock("mock_resource", "aws_lambda_code_signing_config",
                 [("arn", hcl.quote(_arn("lambda", "code-signing-config:csc-0123456789abcdef0")))]),
        ]
    return tuple(mocks)


def _arn(service: str, resource: str, *, region: str = REGION) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{ACCOUNT_ID}:{resource}"


def _computed_values(plan: Plan) -> dict[str, dict[str, str]]:
    """Resource address → the attributes AWS computes for it, as fixed literals in AWS's formats."""
    names = _locals(plan)
    found: dict[str, dict[str, str]] = {}
    for queue in plan.queues:
        for label, name in ((queue.dlq_label, queue.dlq_name), (queue.label, queue.name)):
            url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{name}"
            found[f"aws_sqs_queue.{label}"] = {"arn": _arn("sqs", name), "id": url, "url": url}
    for fn in plan.functions:
        found[f"aws_cloudwatch_log_group.{fn.label}"] = {"arn": _arn("logs", f"log-group:/aws/lambda/{fn.name}")}
        found[f"aws_iam_role.{fn.label}"] = {"arn": _arn("iam", f"role/{fn.role_name}", region=""),
                                             "id": fn.role_name}
        found[f"aws_lambda_function.{fn.label}"] = {"arn": _arn("lambda", f"function:{fn.name}")}
        found[f"aws_lambda_alias.{fn.alias_label}"] = {"arn": _arn("lambda", f"function:{fn.name}:{fn.alias}")}
    for table in plan.tables:
        found[f"aws_dynamodb_table.{table.label}"] = {"arn": _arn("dynamodb", f"table/{table.name}")}
    for bucket in _buckets(plan):
        name = literal(bucket.name, names)
        found[f"aws_s3_bucket.{bucket.label}"] = {"arn": f"arn:{PARTITION}:s3:::{name}", "id": name}
    found["aws_kms_key.pipeline"] = {"arn": _arn("kms", f"key/{KEY_ID}"), "key_id": KEY_ID}
    found[f"aws_sns_topic.{plan.topic_label}"] = {"arn": _arn("sns", plan.topic_name)}
    return found


def _overrides(computed: Mapping[str, Mapping[str, str]]) -> list[Override]:
    return [Override(address, tuple(hcl.aligned((name, hcl.quote(value)) for name, value in sorted(values.items()))))
            for address, values in computed.items()]


def _buckets(plan: Plan) -> list[BucketPlan]:
    return [*plan.buckets, *([plan.artifacts_bucket] if plan.artifacts_bucket is not None else [])]


def _locals(plan: Plan) -> dict[str, str]:
    found = {"local.account_id": ACCOUNT_ID, "local.region": REGION, "local.partition": PARTITION,
             "local.name_prefix": ""}
    if plan.email_sender is not None and plan.email_sender_arn is not None:
        found["local.sender_email"] = plan.email_sender
        found["local.sender_arn"] = literal(plan.email_sender_arn, found)
    return found


def _known_values(plan: Plan, computed: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Every reference an assertion's expected value is made of → its literal in the mocked deployment: the
    computed values above, the locals, and the AWS names the configuration sets."""
    known = _locals(plan)
    for address, values in computed.items():
        known.update({f"{address}.{name}": value for name, value in values.items()})
    for queue in plan.queues:
        known[f"aws_sqs_queue.{queue.label}.name"] = queue.name
        known[f"aws_sqs_queue.{queue.dlq_label}.name"] = queue.dlq_name
    for fn in plan.functions:
        known[f"aws_lambda_function.{fn.label}.function_name"] = fn.name
    return known


_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")


def literal(expression: str, known: Mapping[str, str]) -> str:
    """The value of a reference (`aws_sqs_queue.email.arn`) or of a quoted template of references
    (`"${aws_s3_bucket.media.arn}/videos/*"`) in the mocked deployment. Only what the generator prints."""
    if not (expression.startswith('"') and expression.endswith('"')):
        return known[expression]
    body = expression[1:-1]
    if "$${" in body or "%{" in body:
        raise ValueError(f"not a template the contract evaluates: {expression}")
    parts, position = [], 0
    for match in _INTERPOLATION.finditer(body):
        parts += [json.loads(f'"{body[position:match.start()]}"'), known[match.group(1)]]
        position = match.end()
    parts.append(json.loads(f'"{body[position:]}"'))
    return "".join(parts)


# --- assertions ----------------------------------------------------------------------------------------------


def _set(values: Iterable[str]) -> str:
    return "toset([" + ", ".join(hcl.quote(value) for value in values) + "])"


def _list(values: Iterable[str]) -> str:
    return "tolist([" + ", ".join(hcl.quote(value) for value in values) + "])"


def _conditions(blocks: str) -> str:
    """A statement's condition blocks as a map: "<test> <variable>" → values."""
    return f'tomap({{ for c in {blocks} : "${{c.test}} ${{c.variable}}" => c.values }})'


def _assert(condition: str, message: str) -> Assertion:
    return Assertion(condition, hcl.quote(message))


def _queue_section(queue: QueuePlan, plan: Plan, known: Mapping[str, str]) -> Section:
    path = f"queues.{queue.key}"
    source, dlq = f"aws_sqs_queue.{queue.label}", f"aws_sqs_queue.{queue.dlq_label}"
    redrive = f"jsondecode(aws_sqs_queue_redrive_policy.{queue.label}.redrive_policy)"
    allow = f"jsondecode(aws_sqs_queue_redrive_allow_policy.{queue.dlq_label}.redrive_allow_policy)"
    dlq_arn, source_arn = known[f"{dlq}.arn"], known[f"{source}.arn"]
    alarm = f"aws_cloudwatch_metric_alarm.{queue.dlq_label}_not_empty"
    topic = known[f"aws_sns_topic.{plan.topic_label}.arn"]
    namespace, metric, statistic, comparison, threshold = DLQ_ALARM_METRIC
    assertions = [
        _assert(f"{source}.name == {hcl.quote(queue.name)}", f"{path}: the queue is not named {queue.name}"),
        _assert(f"{source}.visibility_timeout_seconds == {queue.visibility_timeout_seconds}",
                f"{queue.name}: the visibility timeout is not {queue.visibility_timeout_seconds} s "
                f"({path}.visibility_timeout_seconds)"),
        _assert(f"{source}.message_retention_seconds == {queue.message_retention_seconds}",
                f"{queue.name}: messages are not kept {queue.message_retention_seconds} s "
                f"({path}.message_retention_seconds)"),
        _assert(f"{dlq}.name == {hcl.quote(queue.dlq_name)}", f"{path}: the DLQ is not named {queue.dlq_name}"),
        _assert(f"{dlq}.visibility_timeout_seconds == {queue.dlq_visibility_timeout_seconds}",
                f"{queue.dlq_name}: the visibility timeout is not {queue.dlq_visibility_timeout_seconds} s "
                f"({path}.dlq.visibility_timeout_seconds, default: the queue's)"),
        _assert(f"{dlq}.message_retention_seconds == {queue.dlq_message_retention_seconds}",
                f"{queue.dlq_name}: messages are not kept {queue.dlq_message_retention_seconds} s "
                f"({path}.dlq.message_retention_seconds)"),
    ]
    if queue.fifo:
        assertions.append(_assert(f"{source}.fifo_queue && {dlq}.fifo_queue",
                                  f"{path}: {queue.name} and {queue.dlq_name} are not both FIFO queues"))
    assertions += [
        _assert(f"aws_sqs_queue_redrive_policy.{queue.label}.queue_url == {hcl.quote(known[f'{source}.url'])}",
                f"{queue.name}: the redrive policy is not on this queue"),
        _assert(f"{redrive}.deadLetterTargetArn == {hcl.quote(dlq_arn)}",
                f"{queue.name}: failed messages do not go to {queue.dlq_name}"),
        _assert(f"{redrive}.maxReceiveCount == {queue.max_receive_count}",
                f"{queue.name}: a message does not move to {queue.dlq_name} after {queue.max_receive_count} "
                f"receives ({path}.max_receive_count)"),
        _assert(f"{allow} == {{ redrivePermission = \"byQueue\", sourceQueueArns = [{hcl.quote(source_arn)}] }}",
                f"{queue.dlq_name}: queues other than {queue.name} may use it as their DLQ"),
        _assert(f"{alarm}.dimensions == tomap({{ QueueName = {hcl.quote(queue.dlq_name)} }})",
                f"{queue.dlq_name}: no alarm watches it"),
        _assert(f"{alarm}.namespace == {hcl.quote(namespace)} && {alarm}.metric_name == {hcl.quote(metric)} && "
                f"{alarm}.statistic == {hcl.quote(statistic)} && {alarm}.comparison_operator == "
                f"{hcl.quote(comparison)} && {alarm}.threshold == {threshold}",
                f"{queue.dlq_name}: the alarm does not fire on the first message"),
        _assert(f"{alarm}.actions_enabled && {alarm}.alarm_actions == {_set([topic])} && "
                f"{alarm}.ok_actions == {_set([topic])}",
                f"{queue.dlq_name}: the alarm does not notify the alarm topic when it fires and when it clears"),
    ]
    return Section(f"queue {queue.key}: {queue.name} and {queue.dlq_name}", tuple(assertions))


def _mapping_section(mapping: MappingPlan, plan: Plan, known: Mapping[str, str]) -> Section:
    fn = next(f for f in plan.functions if f.key == mapping.function_key)
    resource = f"aws_lambda_event_source_mapping.{mapping.label}"
    queue, function = f"aws_sqs_queue.{mapping.queue_label}", f"aws_lambda_function.{fn.label}"
    alias = f"aws_lambda_alias.{fn.alias_label}"
    assertions = [
        _assert(f"{resource}.event_source_arn == {hcl.quote(known[f'{queue}.arn'])} && "
                f"{resource}.function_name == {hcl.quote(known[f'{alias}.arn'])}",
                f"{mapping.path}: the mapping does not take {mapping.queue_name} to {fn.name}'s {fn.alias} alias"),
        _assert(f"{resource}.batch_size == {mapping.batch_size}",
                f"{mapping.path}: the batch size is not {mapping.batch_size}"),
    ]
    if mapping.maximum_batching_window_seconds is not None:
        window = mapping.maximum_batching_window_seconds
        assertions.append(_assert(f"{resource}.maximum_batching_window_in_seconds == {window}",
                                  f"{mapping.path}: the batching window is not {window} s"))
    state = "true" if mapping.enabled else "false"
    assertions += [
        _assert(f"{resource}.enabled == {state}",
                f"{mapping.path}: the mapping is not {'enabled' if mapping.enabled else 'disabled'}"),
        _assert(f"{resource}.function_response_types == {_set([PARTIAL_BATCH_RESPONSE])}",
                f"{mapping.path}: {fn.name} cannot report partial batch failures"),
    ]
    if mapping.maximum_concurrency is not None:
        assertions.append(_assert(
            f"{resource}.scaling_config[0].maximum_concurrency == {mapping.maximum_concurrency}",
            f"{mapping.path}: at most {mapping.maximum_concurrency} concurrent invocations is not the cap"))
    assertions.append(_assert(
        f"{queue}.visibility_timeout_seconds >= {function}.timeout",
        f"{mapping.queue_name}: the visibility timeout is shorter than {fn.name}'s timeout: Lambda refuses the "
        "mapping, and a message would be received again while it is still being worked on"))
    return Section(f"trigger {mapping.path}: {mapping.queue_name} -> {fn.name}", tuple(assertions))


def _statements(document: str, attribute: str, sid: str) -> str:
    return f"one([for s in {document}.statement : s.{attribute} if s.sid == {hcl.quote(sid)}])"


def _role_section(fn: FunctionPlan, known: Mapping[str, str]) -> Section:
    document = f"data.aws_iam_policy_document.{fn.label}"
    role = f"aws_iam_role.{fn.label}"
    assertions = [
        _assert(f"aws_lambda_function.{fn.label}.role == {hcl.quote(known[f'{role}.arn'])}",
                f"{fn.name} does not run with its own role {fn.role_name}"),
        _assert(f"aws_iam_role_policy.{fn.label}.role == {hcl.quote(fn.role_name)}",
                f"{fn.name}'s least-privilege policy is not on {fn.role_name}"),
        _assert(f"[for s in {document}.statement : s.sid] == [{', '.join(hcl.quote(s.sid) for s in fn.statements)}]",
                f"{fn.role_name}: its statements are not exactly "
                f"{', '.join(s.sid for s in fn.statements)}"),
    ]
    for statement in fn.statements:
        resources = sorted(literal(expression, known) for expression in statement.resources)
        assertions += [
            _assert(f"{_statements(document, 'actions', statement.sid)} == {_set(statement.actions)}",
                    f"{fn.role_name}: {statement.sid} allows other actions than {', '.join(statement.actions)}"),
            _assert(f"{_statements(document, 'resources', statement.sid)} == {_set(resources)}",
                    f"{fn.role_name}: {statement.sid} reaches other resources than {', '.join(resources)}"),
        ]
    return Section(f"role {fn.role_name}: the statements of {fn.name}, each on its own resources only",
                   tuple(assertions))


def _resource_policy_section(plan: Plan, known: Mapping[str, str]) -> Section:
    key_policy = "data.aws_iam_policy_document.pipeline_key"
    topic_policy = f"data.aws_iam_policy_document.{plan.topic_label}_topic"
    topic_statement = f"one({topic_policy}.statement)"
    topic = known[f"aws_sns_topic.{plan.topic_label}.arn"]
    alarms = _arn("cloudwatch", "alarm:*")
    assertions = [
        _assert(f"[for s in {key_policy}.statement : s.sid] == [\"AccountAdministersKeyThroughIam\", "
                "\"CloudWatchAlarmsPublishToEncryptedTopic\", \"CloudWatchLogsEncryptFunctionLogs\"]",
                "without key_administrators the key policy is not AWS's default one (the account administers the "
                "key through IAM) plus CloudWatch's two statements"),
        _assert(f"{_statements(key_policy, 'actions', 'AccountAdministersKeyThroughIam')} == {_set(['kms:*'])}",
                "without key_administrators the account root does not get kms:*"),
        _assert(f"aws_sns_topic_policy.{plan.topic_label}.arn == {hcl.quote(topic)} && "
                f"{topic_statement}.sid == \"CloudWatchAlarmsOfThisAccountPublish\" && "
                f"{topic_statement}.actions == {_set(['sns:Publish'])} && "
                f"{topic_statement}.resources == {_set([topic])}",
                "the alarm topic's policy has more than CloudWatch's publishing statement"),
        _assert(f"one({topic_statement}.principals).identifiers == {_set(['cloudwatch.amazonaws.com'])}",
                "someone other than CloudWatch may publish to the alarm topic"),
        _assert(f"{_conditions(topic_statement + '.condition')} == tomap({{ "
                f"\"StringEquals aws:SourceAccount\" = {_list([ACCOUNT_ID])}, "
                f"\"ArnLike aws:SourceArn\" = {_list([alarms])} }})",
                "CloudWatch may publish to the alarm topic for alarms of other accounts or regions"),
    ]
    for bucket in _buckets(plan):
        document = f"data.aws_iam_policy_document.{bucket.label}_bucket"
        assertions.append(_assert(
            f"{_statements(document, 'effect', 'DenyTlsOlderThan12')} == \"Deny\" && "
            f"{_conditions(_statements(document, 'condition', 'DenyTlsOlderThan12'))} == "
            f"tomap({{ \"NumericLessThan s3:TlsVersion\" = {_list(['1.2'])} }})",
            f"{literal(bucket.name, known)}: requests with TLS older than 1.2 are not denied"))
    return Section("resource policies: the key, the alarm topic, the buckets", tuple(assertions))


def _named_key_administrators_section(plan: Plan) -> Section:
    key_policy = "data.aws_iam_policy_document.pipeline_key"
    administrators = _statements(key_policy, "principals", "NamedAdministratorsManageKey")
    account = _statements(key_policy, "principals", "AccountUsesKeyThroughIam")
    return Section("key_administrators named: they manage the key, the account only uses it", (
        _assert(f"[for s in {key_policy}.statement : s.sid] == [\"NamedAdministratorsManageKey\", "
                "\"AccountUsesKeyThroughIam\", \"CloudWatchAlarmsPublishToEncryptedTopic\", "
                "\"CloudWatchLogsEncryptFunctionLogs\"]",
                "with key_administrators the account root still administers the key"),
        _assert(f"one({administrators}).identifiers == {_set([KEY_ADMINISTRATOR])} && "
                f"{_statements(key_policy, 'actions', 'NamedAdministratorsManageKey')} == "
                f"{_set(plan.key_policy.administrator_actions)}",
                "the named key administrators do not get exactly the key-administrator actions"),
        _assert(f"one({account}).identifiers == {_set([f'arn:{PARTITION}:iam::{ACCOUNT_ID}:root'])} && "
                f"{_statements(key_policy, 'actions', 'AccountUsesKeyThroughIam')} == "
                f"{_set(plan.key_policy.account_use_actions)}",
                "with key_administrators the account's IAM policies may grant more than the key's use"),
    ))

