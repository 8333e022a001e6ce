"""IAM enforced in the emulator for every call signed with an assumed role's credentials (each function's calls,
as on Lambda: generator/local/lambda_service/credentials.py), as one patch of the compatibility layer.

moto's own authorization (INITIAL_NO_AUTH_ACTION_COUNT, moto.iam.access_control) was judged and not used: it is
all-or-nothing for the process (Terraform's admin calls would need IAM users of their own), matches no
condition keys (every generated kms:ViaService / s3:prefix / ses:FromAddress statement would be skipped),
ignores key policies and the calls services make with the caller's permissions. Instead, in front of moto:

1. the access key of the request's SigV4 signature names an assumed role in the emulator's STS (the fixed local
   admin key, LOCAL_ACCESS_KEY, names none: Terraform and the operator stay unrestricted);
2. the request becomes IAM checks (iam_requests.py) and each is evaluated against the role's inline and attached
   managed policies and the resource's policy (iam_policy.py: bucket policies, KMS key policies);
3. the calls AWS services make to KMS with the caller's permissions are checked too, on the resource's
   customer managed key (an AWS managed key, alias/aws/<service>, allows every principal of the account):
   SQS SendMessage(Batch): kms:GenerateDataKey and kms:Decrypt; ReceiveMessage: kms:Decrypt
   (SQS Developer Guide, "Configure KMS permissions for producers / consumers");
   S3 PutObject, CopyObject and CreateMultipartUpload: kms:GenerateDataKey; UploadPart, CompleteMultipartUpload
   and GetObject: kms:Decrypt (S3 User Guide, "Permissions" of SSE-KMS);
   DynamoDB item calls on a table with a customer managed key: kms:Decrypt (DynamoDB Developer Guide,
   "Authorizing use of your customer managed key": the table key is decrypted with the caller's credentials);
4. S3 GetObject / HeadObject of a missing key answer 403 AccessDenied, not 404, to a caller without
   s3:ListBucket on the bucket (S3 API Reference, GetObject "Permissions");
5. a denied call answers as the service does: its error code, HTTP status and AWS's message text.

What is not emulated: SCPs, resource control policies, permission boundaries, session policies, ACLs, VPC
endpoint policies, KMS grants, and the data key caching that lets SQS and DynamoDB skip KMS for minutes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.local.emulator.iam_policy import Check, Decision, Principal, UnsupportedCondition, evaluate
from generator.local.emulator.iam_requests import (
    HttpRequest,
    MappedRequest,
    Signature,
    map_request,
    signature_of,
)
from generator.local.emulator.patch import Patch, patch
from generator.local.state import EmulatorConfig

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

_AWS_MANAGED_ALIASES = ("alias/aws/",)


# ── the setting (emulator-config.json, written by `up`; re-read when it changes) ───────────────────────────


class _Setting:
    def __init__(self) -> None:
        self.state_dir: Path | None = None
        self._stamp: float | None = None
        self._enabled = True

    def enabled(self) -> bool:
        if self.state_dir is None:
            return True  # the compatibility probes: the patch applied means enforced
        path = self.state_dir / EmulatorConfig.FILE
        try:
            stamp = path.stat().st_mtime
        except FileNotFoundError:
            return True
        if stamp != self._stamp:
            self._stamp, self._enabled = stamp, EmulatorConfig.read(self.state_dir).iam
        return self._enabled


SETTING = _Setting()


def configure(state_dir: Path) -> None:
    """The emulator process reads the IAM setting from this stack's emulator-config.json."""
    SETTING.state_dir = state_dir


# ── the caller ─────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Caller:
    principal: Principal
    expired: bool


def caller_of(access_key: str) -> Caller | None:
    """The assumed role an access key belongs to (the emulator's STS issued it); None for any other key."""
    from moto.sts.models import sts_backends

    for account in list(sts_backends):
        for backend in list(sts_backends[account].values()):
            assumed = backend.get_assumed_role_from_access_key(access_key)
            if assumed is not None:
                expiration = assumed.expiration.replace(tzinfo=dt.UTC) if assumed.expiration.tzinfo is None \
                    else assumed.expiration
                return Caller(Principal(assumed.arn, assumed.role_arn, assumed.account_id),
                              expired=expiration <= dt.datetime.now(dt.UTC))
    return None


def identity_policies(principal: Principal) -> list[str]:
    """The role's inline policies and the default version of each attached managed policy (none: a deleted
    role, which AWS denies everything)."""
    from moto.iam.models import iam_backends

    try:
        role = iam_backends[principal.account]["aws"].get_role_by_arn(principal.role_arn)
    except Exception:
        return []
    documents = [str(document) for document in role.policies.values()]
    for policy in role.managed_policies.values():
        documents.extend(str(version.document) for version in policy.versions if version.is_default)
    return documents


# ── the resources' state: keys and resource policies ──────────────────────────────────────────────────────


@dataclass(frozen=True)
class Key:
    arn: str
    policy: str | None


def kms_key(key_id: str, account: str, region: str) -> Key | None:
    """A customer managed key by id, ARN, alias or alias ARN; None for an AWS managed key or none at all."""
    from moto.kms.models import kms_backends

    if not key_id or any(key_id.split(":", 5)[-1].startswith(alias) for alias in _AWS_MANAGED_ALIASES):
        return None
    if key_id.startswith("arn:"):
        account, region = key_id.split(":")[4], key_id.split(":")[3]
    backend = kms_backends[account][region]
    try:
        found = backend.keys[backend.any_id_to_key_id(key_id)]
    except Exception:
        return None
    return Key(found.arn, found.policy)


def _queue(arn: str) -> Any:
    from moto.sqs.models import sqs_backends

    _, _, _, region, account, name = arn.split(":", 5)
    return sqs_backends[account][region].queues.get(name)


def _bucket(name: str) -> Any:
    from moto.s3.models import s3_backends

    for account in list(s3_backends):
        bucket = s3_backends[account]["aws"].buckets.get(name)
        if bucket is not None:
            return bucket
    return None


def _find(document: object, name: str) -> str | None:
    if isinstance(document, dict):
        for key, value in document.items():
            if key == name and isinstance(value, str):
                return value
            found = _find(value, name)
            if found:
                return found
    if isinstance(document, list):
        for value in document:
            found = _find(value, name)
            if found:
                return found
    return None


def _bucket_policy(bucket: Any) -> str | None:
    policy = getattr(bucket, "policy", None)
    return policy.decode() if isinstance(policy, bytes) else policy


# ── authorization ──────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Denial:
    check: Check
    decision: Decision | None  # None: a missing key hidden from a non-lister, or expired credentials
    kind: str  # "request" | "kms" | "missing-key" | "expired"


def _global_context(caller: Caller, signature: Signature) -> dict[str, list[str]]:
    principal = caller.principal
    return {"aws:PrincipalArn": [principal.role_arn], "aws:PrincipalAccount": [principal.account],
            "aws:SecureTransport": ["true"], "aws:RequestedRegion": [signature.region],
            "aws:PrincipalType": ["AssumedRole"]}


def _with(check: Check, context: dict[str, list[str]]) -> Check:
    return replace(check, context={**context, **check.context})


def authorize(request: HttpRequest) -> tuple[MappedRequest, Caller, Denial] | None:
    """The denial AWS would answer this request with, if any (None: allowed, or not signed by a role)."""
    signature = signature_of(request)
    if signature is None:
        return None
    caller = caller_of(signature.access_key)
    if caller is None:
        return None
    mapped = map_request(request, signature, caller.principal.account)
    if mapped is None or (mapped.service, mapped.operation) == ("sts", "GetCallerIdentity"):
        return None  # GetCallerIdentity needs no permission
    if caller.expired:
        return mapped, caller, Denial(mapped.checks[0], None, "expired")
    context = _global_context(caller, signature)
    policies = identity_policies(caller.principal)
    for check in mapped.checks:
        full = _with(_resolved(check, caller, signature), context)
        resource_policy, is_key_policy = _resource_policy(full, signature)
        decision = evaluate(caller.principal, full, policies, resource_policy, key_policy=is_key_policy)
        if not decision.allowed:
            return mapped, caller, Denial(full, decision, "request")
    for check in on_behalf_checks(mapped, caller, signature):
        key = kms_key(check.resource, caller.principal.account, signature.region)
        if key is None:
            continue
        full = _with(replace(check, resource=key.arn), context)
        decision = evaluate(caller.principal, full, policies, key.policy, key_policy=True)
        if not decision.allowed:
            return mapped, caller, Denial(full, decision, "kms")
    missing = _hidden_missing_key(mapped, caller, signature, policies, context)
    if missing is not None:
        return mapped, caller, missing
    return None


def _resolved(check: Check, caller: Caller, signature: Signature) -> Check:
    """A KMS call names its key as the caller wrote it (id, alias): authorized on the key's ARN; SES sends from
    the address's identity, or the domain's when only the domain is verified."""
    if check.action.startswith("kms:") and check.resource != "*":
        key = kms_key(check.resource, caller.principal.account, signature.region)
        return replace(check, resource=key.arn) if key else check
    if check.action.startswith("ses:") and "/" in check.resource:
        from moto.ses.models import ses_backends

        address = check.resource.rsplit("/", 1)[1]
        identities = ses_backends[caller.principal.account][signature.region].email_identities
        if address not in identities and "@" in address and address.split("@", 1)[1] in identities:
            return replace(check, resource=check.resource.rsplit("/", 1)[0] + "/" + address.split("@", 1)[1])
    return check


def _resource_policy(check: Check, signature: Signature) -> tuple[str | None, bool]:
    """The resource's own policy for a check: a bucket policy (S3), a key policy (KMS: it must allow)."""
    if check.action.startswith("s3:") and check.resource.startswith("arn:aws:s3:::"):
        bucket = _bucket(check.resource.removeprefix("arn:aws:s3:::").split("/", 1)[0])
        return (_bucket_policy(bucket) if bucket is not None else None), False
    if check.action.startswith("kms:") and check.resource.startswith("arn:aws:kms:"):
        key = kms_key(check.resource, "", "")
        return (key.policy if key else None), key is not None
    return None, False


def on_behalf_checks(mapped: MappedRequest, caller: Caller, signature: Signature) -> Iterator[Check]:
    """The KMS calls a service makes with the caller's permissions for this request (resource: the key as the
    resource names it; kms_key() resolves it and skips AWS managed keys)."""
    region, account = signature.region, caller.principal.account
    if mapped.service == "sqs" and mapped.operation in ("SendMessage", "SendMessageBatch", "ReceiveMessage"):
        queue = _queue(mapped.checks[0].resource) if mapped.checks[0].resource.startswith("arn:") else None
        key_id = getattr(queue, "kms_master_key_id", None) if queue is not None else None
        if key_id:
            context = {"kms:ViaService": [f"sqs.{region}.amazonaws.com"], "kms:CallerAccount": [account],
                       "kms:EncryptionContext:aws:sqs:arn": [mapped.checks[0].resource]}
            receiving = mapped.operation == "ReceiveMessage"
            actions = ["kms:Decrypt"] if receiving else ["kms:GenerateDataKey", "kms:Decrypt"]
            yield from (Check(action, key_id, context) for action in actions)
    elif mapped.service == "s3":
        yield from _s3_key_checks(mapped, region, account)
    elif mapped.service == "dynamodb" and mapped.operation not in ("DescribeTable", "ListTables", "DescribeLimits"):
        yield from _dynamodb_key_checks(mapped, region, account)


_S3_GENERATES = ("PutObject", "CopyObject", "CreateMultipartUpload", "PostObject")
_S3_DECRYPTS = ("UploadPart", "CompleteMultipartUpload", "GetObject")


def _s3_key_checks(mapped: MappedRequest, region: str, account: str) -> Iterator[Check]:
    if mapped.operation not in _S3_GENERATES + _S3_DECRYPTS:
        return
    bucket = _bucket(mapped.params["Bucket"])
    if bucket is None:
        return
    key_id: str | None = None
    if mapped.operation == "GetObject":
        stored = bucket.keys.get(mapped.params["Key"]) if hasattr(bucket, "keys") else None
        if stored is None:
            return
        if getattr(stored, "encryption", None) == "aws:kms":
            key_id = getattr(stored, "kms_key_id", None)
    if key_id is None and _find(bucket.encryption, "SSEAlgorithm") == "aws:kms":
        key_id = _find(bucket.encryption, "KMSMasterKeyID") or "alias/aws/s3"
    if key_id is None:
        return
    context = {"kms:ViaService": [f"s3.{region}.amazonaws.com"], "kms:CallerAccount": [account],
               "kms:EncryptionContext:aws:s3:arn": [f"arn:aws:s3:::{mapped.params['Bucket']}"]}
    action = "kms:GenerateDataKey" if mapped.operation in _S3_GENERATES else "kms:Decrypt"
    yield Check(action, key_id, context)


def _dynamodb_key_checks(mapped: MappedRequest, region: str, account: str) -> Iterator[Check]:
    from moto.dynamodb.models import dynamodb_backends

    seen = set()
    for check in mapped.checks:
        if not check.resource.startswith("arn:aws:dynamodb:"):
            continue
        name = check.resource.split(":table/", 1)[1].split("/", 1)[0]
        table = dynamodb_backends[account][region].tables.get(name)
        sse = getattr(table, "sse_specification", None) or {}
        key_id = sse.get("KMSMasterKeyId") if sse.get("Enabled") or sse.get("SSEType") == "KMS" else None
        if key_id and key_id not in seen:
            seen.add(key_id)
            yield Check("kms:Decrypt", str(key_id), {"kms:ViaService": [f"dynamodb.{region}.amazonaws.com"],
                                                     "kms:CallerAccount": [account]})


def _hidden_missing_key(mapped: MappedRequest, caller: Caller, signature: Signature, policies: list[str],
                        context: dict[str, list[str]]) -> Denial | None:
    if mapped.service != "s3" or mapped.operation not in ("GetObject", "HeadObject"):
        return None
    bucket = _bucket(mapped.params["Bucket"])
    if bucket is None or mapped.params["Key"] in bucket.keys:
        return None
    bucket_arn = f"arn:aws:s3:::{mapped.params['Bucket']}"
    # S3 asks whether the caller could list this key: the key as the listing prefix
    check = Check("s3:ListBucket", bucket_arn,
                  {**context, "s3:prefix": [mapped.params["Key"]], "s3:TlsVersion": ["1.3"]})
    if evaluate(caller.principal, check, policies, _bucket_policy(bucket)).allowed:
        return None
    return Denial(check, None, "missing-key")


# ── AWS's answers ──────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def message_for(denial: Denial, principal: Principal, service: str) -> str:
    check, decision = denial.check, denial.decision
    if denial.kind == "expired":
        return "The security token included in the request is expired"
    if denial.kind == "missing-key" or decision is None:
        return "Access Denied"
    action = check.action
    if service == "sns" and action.startswith("sns:"):
        action = "SNS:" + action.split(":", 1)[1]  # SNS spells its prefix in capitals in its messages
    if service == "ses" and check.action.startswith("ses:"):
        return f"User `{principal.session_arn}' is not authorized to perform `{action}' on resource `{check.resource}'"
    resource = f'"{check.resource}"' if service == "s3" and denial.kind == "request" else check.resource
    on = f" on resource: {resource}" if check.resource != "*" else ""
    return f"User: {principal.session_arn} is not authorized to perform: {action}{on} {decision.because(action)}"


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def answer_for(mapped: MappedRequest, caller: Caller, denial: Denial, method: str) -> ErrorAnswer:
    """The error each service answers with (code, status, body shape of its protocol)."""
    request_id = str(uuid.uuid4())
    message = message_for(denial, caller.principal, mapped.service)
    service, kms = mapped.service, denial.kind == "kms"
    if denial.kind == "expired":
        code, status = ("ExpiredTokenException" if mapped.protocol in ("json", "rest-json") else "ExpiredToken"), 403
    elif service == "sqs" and kms:
        # SQS relays KMS's refusal: 400 KMS.AccessDeniedException, KMS's text inside SQS's
        code, status = "KMS.AccessDeniedException", 400
        message = ("The ciphertext refers to a customer master key that does not exist, does not exist in this "
                   "region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: "
                   f"AccessDeniedException; Request ID: {request_id}) {message}")
    elif service == "sqs":
        code, status = "AccessDenied", 403
    elif service == "sns":
        code, status = "AuthorizationError", 403
    elif service in ("s3", "ses", "cloudwatch", "sts") or mapped.protocol == "query":
        code, status = "AccessDenied", 403
    elif service == "lambda":
        code, status = "AccessDeniedException", 403
    else:  # DynamoDB, KMS, CloudWatch Logs and the other JSON services
        code, status = "AccessDeniedException", 400
    request_headers = [("x-amzn-RequestId", request_id)]
    if mapped.protocol == "rest-xml":
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
        body = b"" if method == "HEAD" else (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{_xml_escape(message)}'
            f"</Message><RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>").encode()
        return ErrorAnswer(status, headers, body)
    if mapped.protocol == "query":
        namespace = {"sqs": "http://queue.amazonaws.com/doc/2012-11-05/", "ses": "http://ses.amazonaws.com/doc/2010-12-01/",
                     "sns": "http://sns.amazonaws.com/doc/2010-03-31/"}.get(service, "")
        xmlns = f' xmlns="{namespace}"' if namespace else ""
        body = (f"<ErrorResponse{xmlns}><Error><Type>Sender</Type><Code>{code}</Code><Message>{_xml_escape(message)}"
                f"</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        return ErrorAnswer(status, [("Content-Type", "text/xml"), *request_headers], body)
    if mapped.protocol == "rest-json":
        body = json.dumps({"Type": "User", "message": message}).encode()
        return ErrorAnswer(status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", code),
                                    *request_headers], body)
    headers = [("Content-Type", "application/x-amz-json-1.0"), *request_headers]
    if service == "sqs":  # SQS's JSON protocol carries the query-compatible code in a header botocore reads
        headers.append(("x-amzn-query-error", f"{code};Sender"))
    body = json.dumps({"__type": f"com.amazon.coral.service#{code}", "message": message}).encode()
    return ErrorAnswer(status, headers, body)


# ── the patch ──────────────────────────────────────────────────────────────────────────────────────────────


def http_request(environ: WSGIEnvironment, read_body: bool) -> HttpRequest:
    from urllib.parse import parse_qs, unquote

    headers = {name[5:].replace("_", "-").lower(): str(value) for name, value in environ.items()
               if name.startswith("HTTP_")}
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(name):
            headers[name.replace("_", "-").lower()] = str(environ[name])
    body = b""
    if read_body:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
    return HttpRequest(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        host=headers.get("host", ""),
        path=unquote(str(environ.get("PATH_INFO", ""))),
        query=parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True),
        headers=headers,
        body=body,
    )


def check_request(environ: WSGIEnvironment) -> ErrorAnswer | None:
    """The error answer for a request IAM denies (None: let moto answer it)."""
    if not SETTING.enabled():
        return None
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    # S3's bodies are streamed to moto untouched: S3 requests are authorized from their method, path and headers
    read_body = "/s3/aws4_request" not in authorization
    request = http_request(environ, read_body)
    try:
        found = authorize(request)
    except UnsupportedCondition as error:  # refused, not guessed: the emulator's log and the caller say which
        print(f"iam: {error}", flush=True)
        body = json.dumps({"__type": "InternalFailure", "message": f"local emulator: {error}"}).encode()
        return ErrorAnswer(500, [("Content-Type", "application/json")], body)
    if found is None:
        return None
    mapped, caller, denial = found
    return answer_for(mapped, caller, denial, request.method)


def _reasons(statuses: Iterable[int]) -> dict[int, str]:
    from http import HTTPStatus

    return {status: HTTPStatus(status).phrase for status in statuses}


_REASONS = _reasons((400, 403, 500))


@patch("IAM: calls signed with a role's credentials are authorized against its policies, the resource's policy and "
       "the KMS key the service uses on the caller's behalf; a denied call answers with the service's error")
def _iam_enforced() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__

    def __call__(self: DomainDispatcherApplication, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Any:
        answer = check_request(environ)
        if answer is None:
            return original(self, environ, start_response)
        start_response(f"{answer.status} {_REASONS[answer.status]}",
                       [*answer.headers, ("Content-Length", str(len(answer.body)))])
        return [answer.body]

    DomainDispatcherApplication.__call__ = __call__  # the WSGI entry of moto's server


PATCHES: tuple[Patch, ...] = (_iam_enforced,)
