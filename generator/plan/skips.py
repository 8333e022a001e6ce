"""Every checkov suppression the generator may print, with its reason. Keep this table short.

Each is printed inside the block it concerns, as `#checkov:skip=<id>:<reason>`, and only where it applies.
"""

from __future__ import annotations

from generator.naming import BoundTrigger
from generator.plan.model import Skip
from generator.spec.model import Function

SUPPRESSIONS: dict[str, str] = {
    "CKV_AWS_117": "reaches only AWS public endpoints and the internet; a VPC adds NAT cost, isolates nothing",
    "CKV_AWS_272": "zips are built reproducibly from the reviewed repository; signing needs an AWS Signer profile",
    "CKV_AWS_116.sqs": "SQS-triggered: failed messages go to {dlq} by redrive; a function DLQ is for async invokes",
    "CKV_AWS_116.sqs_many": "triggered by {count} queues: failed messages go to each one's DLQ by redrive; a "
                            "function DLQ is for async invokes",
    "CKV_AWS_116.sync": "invoked synchronously: the caller gets the error; a function DLQ is for async invokes",
    "CKV_AWS_115.sqs": "concurrency is capped by the SQS mapping's maximum_concurrency instead",
    "CKV_AWS_115.uncapped": "no cap set in queues.toml (reserved_concurrent_executions); reserving shrinks the pool",
    "CKV_AWS_258": "public by design (http = \"none\" in queues.toml); the handler validates every request",
    # A key policy is a resource policy: Resource "*" there means "this key", and the account root statement
    # is what lets IAM policies grant the key at all. checkov's identity-policy checks misread both.
    "CKV_AWS_109": "key policy: Resource \"*\" is this key; the root statement delegates to IAM",
    "CKV_AWS_111": "key policy: Resource \"*\" is this key; the root statement delegates to IAM",
    "CKV_AWS_356": "key policy: Resource \"*\" is this key; the root statement delegates to IAM",
    # The artifacts bucket holds only zips that Terraform uploads from this repository and rebuilds at will.
    "CKV_AWS_18.artifacts": "holds only zips Terraform uploads from the repository; CloudTrail records who "
                            "changed them",
    "CKV_AWS_144.artifacts": "every zip is rebuilt from the repository on demand; a replica in another region "
                             "adds nothing",
    "CKV2_AWS_62.artifacts": "nothing reacts to uploads: Terraform itself points each function at its new zip",
    # Buckets declared in queues.toml hold what the functions produce, which the pipeline can produce again.
    "CKV_AWS_18.data": "access logs would need a second bucket; audit object access with CloudTrail data events",
    "CKV_AWS_144.data": "holds media the pipeline can download and render again; a replica doubles storage",
    "CKV2_AWS_62.data": "the pipeline is driven by SQS messages; nothing is meant to react to uploads",
}


def _skip(key: str, **values: str) -> Skip:
    return Skip(check_id=key.split(".")[0], reason=SUPPRESSIONS[key].format(**values))


def function_skips(fn: Function, triggers: list[BoundTrigger], dlqs: list[str]) -> tuple[Skip, ...]:
    """dlqs: the dead-letter queues of the function's trigger queues, in trigger order."""
    mode = "sync" if not triggers else "sqs" if len(triggers) == 1 else "sqs_many"
    skips = [
        _skip("CKV_AWS_117"),
        _skip("CKV_AWS_272"),
        _skip(f"CKV_AWS_116.{mode}", dlq=dlqs[0] if dlqs else "", count=str(len(triggers))),
    ]
    if fn.reserved_concurrent_executions is None:
        capped = bool(triggers) and all(t.settings.maximum_concurrency is not None for t in triggers)
        skips.append(_skip("CKV_AWS_115.sqs" if capped else "CKV_AWS_115.uncapped"))
    return tuple(sorted(skips, key=lambda s: s.check_id))


def function_url_skips(fn: Function) -> tuple[Skip, ...]:
    return (_skip("CKV_AWS_258"),) if fn.http == "none" else ()


def key_policy_skips() -> tuple[Skip, ...]:
    return tuple(_skip(check_id) for check_id in ("CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356"))


def bucket_skips(kind: str) -> tuple[Skip, ...]:
    """kind: "artifacts" (the zips bucket) or "data" (a bucket declared in queues.toml)."""
    return tuple(_skip(f"{check_id}.{kind}") for check_id in ("CKV2_AWS_62", "CKV_AWS_144", "CKV_AWS_18"))
