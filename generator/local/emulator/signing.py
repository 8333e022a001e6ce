"""Code signing in the emulator: the AWS Signer and Lambda calls that moto lacks, as two patches of the
compatibility layer (listed in generator/local/emulator/patches.py; tests/local/emulator/test_compat.py probes each).

moto has Signer's signing profiles but no signing jobs, and no Lambda code signing configs at all. Added here,
as the provider calls them:

- Signer StartSigningJob / DescribeSigningJob. A job copies its source object (that exact version) to
  `<prefix><job id>.zip` in the destination bucket and has succeeded when StartSigningJob answers. Nothing is
  signed: the copy holds the zip's own bytes (so the local runner still finds the zip by its CodeSha256).
- Lambda Create/Get/Update/Delete/ListCodeSigningConfigs with their tags, and a function's
  Put/Get/DeleteFunctionCodeSigningConfig. As on Lambda, a function attached (on create or later) to a config
  whose policy is Enforce only accepts code that a signing job of an allowed profile version wrote; anything
  else is refused with CodeVerificationFailedException. What Lambda checks beyond that (the signature itself,
  its expiry, a revoked profile) is not emulated: there is no signature.
"""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from generator.local.emulator.patch import Patch, patch

if TYPE_CHECKING:
    from moto.core.common_types import TYPE_RESPONSE

_LOCK = threading.Lock()


@dataclass
class SigningJob:
    job_id: str
    profile_name: str
    profile_version: str
    profile_version_arn: str
    platform_id: str
    platform_display_name: str | None
    source: dict[str, str]  # bucketName, key, version
    signed: dict[str, str]  # bucketName, key
    created_at: float
    owner: str

    def describe(self) -> dict[str, Any]:
        return {
            "jobId": self.job_id,
            "source": {"s3": self.source},
            "signedObject": {"s3": self.signed},
            "profileName": self.profile_name,
            "profileVersion": self.profile_version,
            "platformId": self.platform_id,
            "platformDisplayName": self.platform_display_name,
            "status": "Succeeded",
            "statusReason": "Signed (emulated: the object was copied, nothing was signed)",
            "createdAt": self.created_at,
            "completedAt": self.created_at,
            "requestedBy": self.owner,
            "jobOwner": self.owner,
            "jobInvoker": self.owner,
        }


@dataclass
class CodeSigningConfig:
    arn: str
    config_id: str
    description: str
    allowed_profile_version_arns: list[str]
    untrusted_artifact_on_deployment: str
    last_modified: str
    tags: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "CodeSigningConfigId": self.config_id,
            "CodeSigningConfigArn": self.arn,
            "Description": self.description,
            "AllowedPublishers": {"SigningProfileVersionArns": list(self.allowed_profile_version_arns)},
            "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": self.untrusted_artifact_on_deployment},
            "LastModified": self.last_modified,
        }


# What the emulator signed: (account, bucket, key) → the profile version ARN of the job that wrote it.
SIGNED_OBJECTS: dict[tuple[str, str, str], str] = {}


def _aws_error(status: int, error_type: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError(error_type, message)
    error.code = status  # the HTTP status AWS answers with (JsonRESTError's default is 400)
    return error


def _now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


@patch("Signer: StartSigningJob and DescribeSigningJob (moto has signing profiles only); a job copies its source "
       "object version to <prefix><job id>.zip and has succeeded at once; nothing is signed")
def _signing_jobs() -> None:
    from moto.s3.models import s3_backends
    from moto.signer import urls
    from moto.signer.models import SignerBackend
    from moto.signer.responses import SignerResponse
    from moto.utilities.utils import get_partition

    urls.url_paths.setdefault("{0}/signing-jobs$", SignerResponse.dispatch)
    urls.url_paths.setdefault("{0}/signing-jobs/(?P<job_id>[^/]+)$", SignerResponse.dispatch)

    def not_found(message: str) -> Exception:
        return _aws_error(404, "ResourceNotFoundException", message)

    def start_signing_job(self: SignerBackend, source: dict[str, str], destination: dict[str, str],
                          profile_name: str) -> SigningJob:
        profile = self.signing_profiles.get(profile_name)
        if profile is None or profile.status != "Active":
            raise not_found(f"The signing profile {profile_name} does not exist or is not active")
        s3 = s3_backends[self.account_id][get_partition(self.region_name)]
        original = s3.get_object(source["bucketName"], source["key"], version_id=source.get("version"))
        if original is None:
            raise _aws_error(400, "ValidationException", f"s3://{source['bucketName']}/{source['key']} (version "
                             f"{source.get('version')}) does not exist")
        job_id = str(uuid.uuid4())
        signed_key = f"{destination.get('prefix', '')}{job_id}.zip"
        s3.put_object(destination["bucketName"], signed_key, original.value)
        with _LOCK:
            SIGNED_OBJECTS[(self.account_id, destination["bucketName"], signed_key)] = profile.profile_version_arn
        owner = self.account_id
        job = SigningJob(
            job_id=job_id, profile_name=profile.name, profile_version=profile.profile_version,
            profile_version_arn=profile.profile_version_arn, platform_id=profile.platform_id,
            platform_display_name=profile.to_dict().get("platformDisplayName"),
            source={key: source[key] for key in ("bucketName", "key", "version") if key in source},
            signed={"bucketName": destination["bucketName"], "key": signed_key},
            created_at=datetime.datetime.now(datetime.UTC).timestamp(), owner=owner,
        )  # fmt: skip
        jobs(self)[job_id] = job
        return job

    def jobs(backend: SignerBackend) -> dict[str, SigningJob]:
        # kept on the backend (which has no such attribute), so moto's reset of the backend clears it too
        found: dict[str, SigningJob] = vars(backend).setdefault("signing_jobs", {})
        return found

    def start(self: SignerResponse) -> str:
        params = json.loads(self.body)
        job = start_signing_job(self.signer_backend, params["source"]["s3"], params["destination"]["s3"],
                                params["profileName"])
        return json.dumps({"jobId": job.job_id, "jobOwner": job.owner})

    def describe(self: SignerResponse) -> str:
        job_id = unquote(self.path.rstrip("/").split("/")[-1])
        job = jobs(self.signer_backend).get(job_id)
        if job is None:
            raise not_found(f"The signing job {job_id} does not exist")
        return json.dumps(job.describe())

    # moto dispatches an action to the response method of that name: new names on its class
    for name, method in {"start_signing_job": start, "describe_signing_job": describe}.items():
        setattr(SignerResponse, name, method)


@patch("Lambda: code signing configs (create, get, update, delete, list, tags) and a function's "
       "Put/Get/DeleteFunctionCodeSigningConfig; in Enforce mode a function's code must be a signing job's output")
def _code_signing_configs() -> None:
    from moto.awslambda import urls
    from moto.awslambda.models import EventSourceMapping, LambdaBackend, LambdaFunction
    from moto.awslambda.responses import LambdaResponse

    urls.url_paths.setdefault(r"{0}/(?P<api_version>[^/]+)/code-signing-configs/?$", LambdaResponse.dispatch)
    urls.url_paths.setdefault(r"{0}/(?P<api_version>[^/]+)/code-signing-configs/(?P<arn>[^/]+)$",
                              LambdaResponse.dispatch)

    def configs(backend: LambdaBackend) -> dict[str, CodeSigningConfig]:
        # kept on the backend (which has no such attribute), so moto's reset of the backend clears it too
        found: dict[str, CodeSigningConfig] = vars(backend).setdefault("code_signing_configs", {})
        return found

    def config_of(backend: LambdaBackend, arn: str) -> CodeSigningConfig:
        found = configs(backend).get(arn)
        if found is None:
            raise _aws_error(404, "ResourceNotFoundException", f"Code signing config {arn} not found")
        return found

    def verify(backend: LambdaBackend, config_arn: str | None, code: dict[str, Any]) -> None:
        """Enforce: the code must be an object a signing job of an allowed profile version wrote."""
        if not config_arn:
            return
        config = config_of(backend, config_arn)
        if config.untrusted_artifact_on_deployment != "Enforce":
            return
        signer = SIGNED_OBJECTS.get((backend.account_id, code.get("S3Bucket", ""), code.get("S3Key", "")))
        if signer not in config.allowed_profile_version_arns:
            raise _aws_error(
                400, "CodeVerificationFailedException",
                "The code signature failed one or more of the validation checks for signature mismatch or "
                "expiry, and the code signing policy is set to ENFORCE. Lambda blocks the deployment.",
            )

    original_create, original_update = LambdaBackend.create_function, LambdaBackend.update_function_code
    original_resource = LambdaBackend._get_resource_by_arn

    def create_function(self: LambdaBackend, spec: dict[str, Any]) -> LambdaFunction:
        verify(self, spec.get("CodeSigningConfigArn"), spec.get("Code") or {})
        return original_create(self, spec)

    def update_function_code(self: LambdaBackend, function_name: str, qualifier: str,
                             body: dict[str, Any]) -> dict[str, Any] | None:
        function = self.get_function(function_name, qualifier)
        verify(self, function.code_signing_config_arn, body)
        return original_update(self, function_name, qualifier, body)

    def get_resource_by_arn(self: LambdaBackend, arn: str) -> EventSourceMapping | LambdaFunction | CodeSigningConfig:
        if ":code-signing-config:" in arn:  # tags of a code signing config
            return config_of(self, arn)
        return original_resource(self, arn)

    def create(self: LambdaResponse) -> TYPE_RESPONSE:
        body = self.json_body
        config_id = "csc-" + uuid.uuid4().hex[:17]
        arn = f"arn:aws:lambda:{self.region}:{self.current_account}:code-signing-config:{config_id}"
        config = CodeSigningConfig(
            arn=arn, config_id=config_id, description=body.get("Description", ""),
            allowed_profile_version_arns=list(body["AllowedPublishers"]["SigningProfileVersionArns"]),
            untrusted_artifact_on_deployment=(body.get("CodeSigningPolicies") or {}).get(
                "UntrustedArtifactOnDeployment", "Warn"),
            last_modified=_now_iso(), tags=dict(body.get("Tags") or {}),
        )  # fmt: skip
        configs(self.backend)[arn] = config
        return 201, {"status": 201}, json.dumps({"CodeSigningConfig": config.to_dict()})

    def arn_in_path(self: LambdaResponse) -> str:
        return unquote(self.path.rstrip("/").split("/")[-1])

    def get(self: LambdaResponse) -> str:
        return json.dumps({"CodeSigningConfig": config_of(self.backend, arn_in_path(self)).to_dict()})

    def update(self: LambdaResponse) -> str:
        config, body = config_of(self.backend, arn_in_path(self)), self.json_body
        if "Description" in body:
            config.description = body["Description"]
        if "AllowedPublishers" in body:
            config.allowed_profile_version_arns = list(body["AllowedPublishers"]["SigningProfileVersionArns"])
        if "CodeSigningPolicies" in body:
            config.untrusted_artifact_on_deployment = body["CodeSigningPolicies"]["UntrustedArtifactOnDeployment"]
        config.last_modified = _now_iso()
        return json.dumps({"CodeSigningConfig": config.to_dict()})

    def delete(self: LambdaResponse) -> TYPE_RESPONSE:
        arn = arn_in_path(self)
        config_of(self.backend, arn)
        if any(fn.code_signing_config_arn == arn for fn in self.backend.list_functions()):
            raise _aws_error(409, "ResourceConflictException", f"Code signing config {arn} is used by functions")
        del configs(self.backend)[arn]
        return 204, {"status": 204}, ""

    def list_configs(self: LambdaResponse) -> str:
        return json.dumps({"CodeSigningConfigs": [c.to_dict() for _, c in sorted(configs(self.backend).items())]})

    def function_name_in_path(self: LambdaResponse) -> str:
        return unquote(self.path.rstrip("/").split("/")[-2])

    def put_function_config(self: LambdaResponse) -> str:
        function: LambdaFunction = self.backend.get_function(function_name_in_path(self))
        arn = self.json_body["CodeSigningConfigArn"]
        config_of(self.backend, arn)
        function.code_signing_config_arn = arn
        return json.dumps(function.get_function_code_signing_config())

    def delete_function_config(self: LambdaResponse) -> TYPE_RESPONSE:
        function: LambdaFunction = self.backend.get_function(function_name_in_path(self))
        function.code_signing_config_arn = None
        return 204, {"status": 204}, ""

    LambdaBackend.create_function = create_function
    LambdaBackend.update_function_code = update_function_code
    LambdaBackend._get_resource_by_arn = get_resource_by_arn  # type: ignore[assignment]  # also returns code signing configs (for their tags)
    # moto dispatches an action to the response method of that name: new names on its class
    actions = {
        "create_code_signing_config": create,
        "get_code_signing_config": get,
        "update_code_signing_config": update,
        "delete_code_signing_config": delete,
        "list_code_signing_configs": list_configs,
        "put_function_code_signing_config": put_function_config,
        "delete_function_code_signing_config": delete_function_config,
    }
    for name, method in actions.items():
        setattr(LambdaResponse, name, method)


PATCHES: tuple[Patch, ...] = (_signing_jobs, _code_signing_configs)
