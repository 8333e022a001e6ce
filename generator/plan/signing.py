"""Code signing in the plan: the Signer profile, the code signing config, and how each signed zip deploys."""

from __future__ import annotations

from generator.plan.model import CodePlan, CodeSigningPlan
from generator.spec.model import Spec

# Signer profile names: 2-64 of letters, digits and '_'; Terraform's name_prefix takes at most 38 and appends a
# unique suffix, so a profile cancelled by a destroy (its name can never be used again) does not block the next
# apply.
_PROFILE_PREFIX_MAX = 38


def code_signing_plan(spec: Spec) -> CodeSigningPlan:
    prefix = spec.project.name.replace("-", "_")[: _PROFILE_PREFIX_MAX - 1] + "_"
    return CodeSigningPlan(
        profile_name_prefix=prefix,
        signature_validity_months=spec.code_signing.signature_validity_months,
        description=f"Lambda deploys only code that the {spec.project.name} signing profile signed",
    )


def code_note(key: str, code: CodePlan, spec: Spec) -> tuple[str, ...]:
    if spec.code_signing.enabled:
        return ("AWS Signer signs S3 objects: the zip goes to the artifacts bucket, its signing job writes the signed",
                f"copy under {signed_prefix(key)}, and the function deploys that copy.")
    if code.via_s3:
        return ("The zip is over Lambda's 50 MB direct-upload limit, so it is deployed through the artifacts bucket.",)
    return ()


def signed_prefix(key: str) -> str:
    return f"signed/{key}/"
