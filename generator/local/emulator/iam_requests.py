"""Which IAM action on which resource an HTTP request to an AWS API is, per protocol, as the Service
Authorization Reference lists them ("Actions, resources, and condition keys for <service>"):

- JSON protocols (X-Amz-Target "DynamoDB_20120810.PutItem", "AmazonSQS.SendMessage", "TrentService.Decrypt"):
  the operation's name; the resource from the body (QueueUrl, TableName, KeyId, logGroupName, ...).
- Query protocol (Action=SendMessage): the same, from the form or the query string.
- S3 REST: the method, path and sub-resource (GET /bucket?list-type=2 is s3:ListBucket on the bucket,
  HEAD /bucket/key is s3:GetObject on the object, ...); a copy also reads its source.
- Lambda REST: /2015-03-31/functions/<name>/invocations is lambda:InvokeFunction on the function, ...

Pure: the caller hands over what the HTTP request carries; moto is not consulted (iam_enforcement.py resolves
what needs the emulator's state: a queue's key, an alias).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from generator.local.emulator.iam_policy import Check

# SigV4 signing name → IAM service prefix, where they differ
_PREFIX_OF_SIGNING_NAME = {"monitoring": "cloudwatch", "email": "ses", "execute-api": "execute-api"}
# JSON protocol: X-Amz-Target prefix → IAM service prefix
_PREFIX_OF_TARGET = {
    "AmazonSQS": "sqs", "DynamoDB_20120810": "dynamodb", "TrentService": "kms", "Logs_20140328": "logs",
    "GraniteServiceVersion20100801": "cloudwatch", "AWSEvents": "events", "AmazonSSM": "ssm",
    "secretsmanager": "secretsmanager", "AWSStepFunctions": "states", "Kinesis_20131202": "kinesis",
}
_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


@dataclass(frozen=True)
class HttpRequest:
    method: str
    host: str
    path: str  # unquoted path
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def form(self) -> dict[str, list[str]]:
        """Query-protocol parameters: the query string, or the form body."""
        if "Action" in self.query:
            return self.query
        if "x-www-form-urlencoded" in (self.header("content-type") or ""):
            return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {}

    def json(self) -> dict[str, Any]:
        try:
            document = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return document if isinstance(document, dict) else {}


@dataclass(frozen=True)
class Signature:
    access_key: str
    region: str
    signing_name: str


@dataclass(frozen=True)
class MappedRequest:
    """What AWS authorizes for a request: its service, operation, and each (action, resource) check."""

    service: str  # the IAM prefix: "sqs", "s3", ...
    operation: str  # "SendMessage", "GetObject", ...
    protocol: str  # "json" | "query" | "rest-xml" | "rest-json"
    checks: tuple[Check, ...]
    params: dict[str, Any] = field(default_factory=dict)  # what on-behalf checks need: QueueUrl, Bucket, Key, ...


def signature_of(request: HttpRequest) -> Signature | None:
    """The access key, region and service a SigV4 request was signed for (header or presigned query)."""
    authorization = request.header("authorization") or ""
    match = re.search(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", authorization)
    if match is None and "X-Amz-Credential" in request.query:
        match = re.match(r"([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", request.query["X-Amz-Credential"][0])
    if match is None:
        return None
    return Signature(match.group(1), match.group(2), match.group(3))


def _first(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name)
    return found[0] if found else None


def queue_arn(queue_url: str, region: str, account: str) -> str:
    """arn:aws:sqs:<region>:<account>:<name> from https://.../<account>/<name> (or a bare name)."""
    parts = [part for part in urlparse(queue_url).path.split("/") if part]
    if len(parts) >= 2:
        return f"arn:aws:sqs:{region}:{parts[-2]}:{parts[-1]}"
    return f"arn:aws:sqs:{region}:{account}:{queue_url.rsplit('/', 1)[-1]}"


def map_request(request: HttpRequest, signature: Signature, account: str) -> MappedRequest | None:
    """The checks AWS makes for this request; None for a request that is no AWS API call (moto's own routes)."""
    if request.path.startswith(("/moto-api", "/_local")):
        return None
    region = signature.region
    service = _PREFIX_OF_SIGNING_NAME.get(signature.signing_name, signature.signing_name)
    target = request.header("x-amz-target")
    if target and "." in target:
        prefix, operation = target.rsplit(".", 1)
        service = _PREFIX_OF_TARGET.get(prefix, service)
        return _json_request(service, operation, request.json(), region, account)
    if service == "cloudwatch" and "/operation/" in request.path:  # smithy RPCv2 CBOR
        operation = request.path.rsplit("/", 1)[-1]
        return MappedRequest(service, operation, "cbor", (Check(f"cloudwatch:{operation}", "*"),))
    form = request.form()
    action = _first(form, "Action")
    if action:
        return _query_request(service, action, form, region, account)
    if service == "s3":
        return _s3_request(request, region)
    if service == "lambda":
        return _lambda_request(request, region, account)
    if service == "ses" and request.path.startswith("/v2/email/outbound-emails"):
        body = request.json()
        sender = str(body.get("FromEmailAddress") or "")
        return MappedRequest("ses", "SendEmail", "rest-json",
                             (_ses_check(sender, region, account),), {"Source": sender})
    return MappedRequest(service, f"{request.method} {request.path}", "rest-json",
                         (Check(f"{service}:{request.method}", "*"),))


# ── JSON protocols ─────────────────────────────────────────────────────────────────────────────────────────


def _json_request(service: str, operation: str, body: dict[str, Any], region: str, account: str) -> MappedRequest:
    checks: list[Check]
    if service == "sqs":
        checks = [_sqs_check(operation, body.get("QueueUrl") or body.get("QueueName") or "", region, account)]
    elif service == "dynamodb":
        checks = _dynamodb_checks(operation, body, region, account)
    elif service == "kms":
        key = str(body.get("KeyId") or "*")
        checks = [Check(f"kms:{operation}", key, {"kms:CallerAccount": [account]})]
    elif service == "logs":
        checks = [Check(f"logs:{operation}", _log_resource(body, region, account))]
    else:
        checks = [Check(f"{service}:{operation}", "*")]
    return MappedRequest(service, operation, "json", tuple(checks), body)


def _sqs_action(operation: str) -> str:
    # the batch forms are authorized as their single action (SQS API Reference: "SendMessageBatch ... sqs:SendMessage")
    return {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
            "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}.get(operation, operation)


def _sqs_check(operation: str, queue: str, region: str, account: str) -> Check:
    resource = queue_arn(str(queue), region, account) if queue else "*"
    return Check(f"sqs:{_sqs_action(operation)}", resource)


def _table_arn(name: str, region: str, account: str) -> str:
    return name if name.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{name}"


def _dynamodb_checks(operation: str, body: dict[str, Any], region: str, account: str) -> list[Check]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        # "Each action in a transaction is authorized on its own" (DynamoDB: IAM with transactions)
        return [Check(f"dynamodb:{_TRANSACT_ACTIONS[kind]}", _table_arn(str(op.get("TableName")), region, account))
                for item in body.get("TransactItems") or [] for kind, op in item.items() if kind in _TRANSACT_ACTIONS]
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [Check(f"dynamodb:{operation}", _table_arn(name, region, account))
                for name in sorted(body.get("RequestItems") or {})]
    table = body.get("TableName")
    if table:
        resource = _table_arn(str(table), region, account)
        if body.get("IndexName"):
            resource += f"/index/{body['IndexName']}"
        return [Check(f"dynamodb:{operation}", resource)]
    return [Check(f"dynamodb:{operation}", "*")]


def _log_resource(body: dict[str, Any], region: str, account: str) -> str:
    group = body.get("logGroupName")
    if not group:
        return "*"
    arn = f"arn:aws:logs:{region}:{account}:log-group:{group}"
    stream = body.get("logStreamName")
    return f"{arn}:log-stream:{stream}" if stream else f"{arn}:*"


# ── query protocol ─────────────────────────────────────────────────────────────────────────────────────────


def _query_request(service: str, action: str, form: dict[str, list[str]], region: str,
                   account: str) -> MappedRequest:
    params = {name: values[0] for name, values in form.items() if values}
    checks: list[Check]
    if service == "sqs":
        checks = [_sqs_check(action, params.get("QueueUrl") or params.get("QueueName") or "", region, account)]
    elif service == "ses" and action in ("SendEmail", "SendRawEmail"):
        checks = [_ses_check(params.get("Source") or "", region, account, action)]
    elif service == "sns":
        resource = params.get("TopicArn") or params.get("TargetArn") or "*"
        checks = [Check(f"sns:{action}", resource)]
    elif service == "sts" and action == "AssumeRole":
        checks = [Check("sts:AssumeRole", params.get("RoleArn") or "*")]
    elif service == "cloudwatch" and action == "PutMetricData":
        checks = [Check("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": [params.get("Namespace", "")]})]
    else:
        checks = [Check(f"{service}:{action}", "*")]
    return MappedRequest(service, action, "query", tuple(checks), params)


def _ses_check(source: str, region: str, account: str, action: str = "SendEmail") -> Check:
    """SES authorizes sending on the sender's identity (the address's own identity; the domain's when the address
    is not verified on its own: iam_enforcement resolves that), with ses:FromAddress."""
    address = re.sub(r"^.*<([^>]*)>.*$", r"\1", source).strip()
    return Check(f"ses:{action}", f"arn:aws:ses:{region}:{account}:identity/{address}",
                 {"ses:FromAddress": [address]})


# ── S3 REST ────────────────────────────────────────────────────────────────────────────────────────────────


def bucket_and_key(request: HttpRequest) -> tuple[str, str]:
    """Path-style (/bucket/key) or virtual-hosted-style (bucket.s3.<...>/key) addressing."""
    host = request.host.split(":", 1)[0]
    match = re.match(r"^(.+)\.s3[.-]", host)
    if match and not re.fullmatch(r"[\d.]+", host):
        return match.group(1), request.path.lstrip("/")
    bucket, _, key = request.path.lstrip("/").partition("/")
    return bucket, key


_S3_TLS = {"aws:SecureTransport": ["true"], "s3:TlsVersion": ["1.3"]}  # as current SDKs reach AWS: HTTPS, TLS 1.3


def _s3_request(request: HttpRequest, region: str) -> MappedRequest:
    bucket, key = bucket_and_key(request)
    method, query = request.method, request.query
    bucket_arn, object_arn = f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/{key}"
    context: dict[str, list[str]] = dict(_S3_TLS)
    sse = request.header("x-amz-server-side-encryption")
    if sse:
        context["s3:x-amz-server-side-encryption"] = [sse]
    checks: list[Check]
    if not key:
        operation, action = _s3_bucket_operation(method, query)
        if action == "s3:ListBucket":
            for name, param in (("s3:prefix", "prefix"), ("s3:delimiter", "delimiter"), ("s3:max-keys", "max-keys")):
                if param in query:
                    context[name] = query[param]
        checks = [Check(action, bucket_arn, context)]
    else:
        operation, action = _s3_object_operation(method, query, request)
        checks = [Check(action, object_arn, context)]
        source = request.header("x-amz-copy-source")
        if source and method == "PUT":
            source_path = unquote(source.split("?", 1)[0]).lstrip("/")
            checks.append(Check("s3:GetObject", f"arn:aws:s3:::{source_path}", dict(_S3_TLS)))
    return MappedRequest("s3", operation, "rest-xml", tuple(checks), {"Bucket": bucket, "Key": key})


def _s3_bucket_operation(method: str, query: dict[str, list[str]]) -> tuple[str, str]:
    sub = {"location": "GetBucketLocation", "policy": "BucketPolicy", "encryption": "EncryptionConfiguration",
           "versioning": "BucketVersioning", "tagging": "BucketTagging", "uploads": "ListBucketMultipartUploads",
           "versions": "ListBucketVersions", "delete": "DeleteObject"}
    for name, suffix in sub.items():
        if name in query:
            if name in ("location", "uploads", "versions"):
                return suffix, f"s3:{suffix}"
            if name == "delete":
                return "DeleteObjects", "s3:DeleteObject"
            verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method, method.title())
            return f"{verb}{suffix}", f"s3:{verb}{suffix}"
    if method in ("GET", "HEAD"):
        return ("ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects") if method == "GET" \
            else "HeadBucket", "s3:ListBucket"
    return {"PUT": ("CreateBucket", "s3:CreateBucket"),
            "DELETE": ("DeleteBucket", "s3:DeleteBucket")}.get(method, (method, f"s3:{method}"))


def _s3_object_operation(method: str, query: dict[str, list[str]], request: HttpRequest) -> tuple[str, str]:
    if "tagging" in query:
        verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method, "Get")
        return f"{verb}ObjectTagging", f"s3:{verb}ObjectTagging"
    if method in ("GET", "HEAD"):
        if "uploadId" in query:
            return "ListParts", "s3:ListMultipartUploadParts"
        operation = "GetObject" if method == "GET" else "HeadObject"
        return operation, "s3:GetObjectVersion" if "versionId" in query else "s3:GetObject"
    if method == "PUT":
        if "uploadId" in query:
            return ("UploadPartCopy" if request.header("x-amz-copy-source") else "UploadPart"), "s3:PutObject"
        return ("CopyObject" if request.header("x-amz-copy-source") else "PutObject"), "s3:PutObject"
    if method == "POST":
        if "uploads" in query:
            return "CreateMultipartUpload", "s3:PutObject"
        if "uploadId" in query:
            return "CompleteMultipartUpload", "s3:PutObject"
        return "PostObject", "s3:PutObject"
    if method == "DELETE":
        if "uploadId" in query:
            return "AbortMultipartUpload", "s3:AbortMultipartUpload"
        return "DeleteObject", "s3:DeleteObjectVersion" if "versionId" in query else "s3:DeleteObject"
    return method, f"s3:{method}"


# ── Lambda REST ────────────────────────────────────────────────────────────────────────────────────────────


def _lambda_request(request: HttpRequest, region: str, account: str) -> MappedRequest:
    match = re.match(r"^/\d{4}-\d{2}-\d{2}/functions/([^/]+)(/.*)?$", request.path)
    if match is None:
        operation = {"GET": "List"}.get(request.method, request.method)
        return MappedRequest("lambda", operation, "rest-json", (Check(f"lambda:{operation}", "*"),))
    name, rest = match.group(1), match.group(2) or ""
    function = name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
    operation = {
        ("POST", "/invocations"): "InvokeFunction", ("GET", ""): "GetFunction",
        ("GET", "/configuration"): "GetFunctionConfiguration", ("PUT", "/configuration"): "UpdateFunctionConfiguration",
        ("PUT", "/code"): "UpdateFunctionCode", ("DELETE", ""): "DeleteFunction",
    }.get((request.method, rest), f"{request.method}{rest}")
    return MappedRequest("lambda", operation, "rest-json", (Check(f"lambda:{operation}", function),))
