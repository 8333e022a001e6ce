"""Every checkov suppression the generator may print, with its reason. Keep this table short.

Each is printed inside the block it concerns, as `#checkov:skip=<id>:<reason>`, and only where it applies. A
reason says why the check does not fit here and names what covers its concern instead; docs/guide/security.md
lists them ("checkov suppressions"; `python -m generator.plan.skips --write` renders that table there).
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.naming import BoundTrigger
from generator.plan.model import Skip
from generator.spec.model import Function

_KEY_POLICY = ("key policy: Resource \"*\" is this key only; kms:* goes to the account root so that IAM policies "
               "can grant the key (with key_administrators set: management to them, use to the account); each role "
               "gets it only through the services it uses (kms:ViaService)")
_NO_LOG_TARGET = "S3 cannot deliver server access logs to an SSE-KMS bucket (only SSE-S3 targets)"

SUPPRESSIONS: dict[str, str] = {
    "CKV_AWS_117": "calls AWS's public APIs, each limited by this function's least-privilege role, and, where "
                   "its code must, the internet; a VPC would add NAT gateways and isolate nothing",
    "CKV_AWS_272": "code signing is off ([code_signing] enabled = false in queues.toml); the zips are built "
                   "reproducibly from the reviewed repository",
    "CKV_AWS_116.sqs": "SQS-triggered: failed messages go to {dlq} by redrive; a function DLQ is for async invokes",
    "CKV_AWS_116.sqs_many": "triggered by {count} queues: failed messages go to each one's DLQ by redrive; a "
                            "function DLQ is for async invokes",
    "CKV_AWS_116.sync": "invoked synchronously: the caller gets the error; a function DLQ is for async invokes",
    "CKV_AWS_115.sqs": "its SQS trigger caps its concurrency (maximum_concurrency = {cap}); "
                       "reserved_concurrent_executions would also guarantee it that much",
    "CKV_AWS_115.sqs_many": "its {count} SQS triggers cap its concurrency ({cap} together, maximum_concurrency); "
                            "reserved_concurrent_executions would also guarantee it that much",
    "CKV_AWS_115.uncapped": "queues.toml sets no cap (reserved_concurrent_executions, or maximum_concurrency on a "
                            "trigger): it shares the account's unreserved pool",
    "CKV_AWS_258": "public by design (http = \"none\" in queues.toml); the handler validates every request",
    # A key policy is a resource policy; checkov's identity-policy checks misread it.
    "CKV_AWS_109": _KEY_POLICY,
    "CKV_AWS_111": _KEY_POLICY,
    "CKV_AWS_356": _KEY_POLICY,
    # The artifacts bucket holds only zips that Terraform uploads from this repository and rebuilds at will.
    "CKV_AWS_18.artifacts": f"{_NO_LOG_TARGET}; no function role can reach this bucket, only deployers through "
                            "IAM (CloudTrail S3 data events can audit them)",
    "CKV_AWS_144.artifacts": "every zip is rebuilt from the repository on demand; a replica in another region "
                             "adds nothing",
    "CKV2_AWS_62.artifacts": "nothing reacts to uploads: Terraform itself points each function at its new zip",
    # Buckets declared in queues.toml hold what the functions produce, which the pipeline can produce again.
    "CKV_AWS_18.data": f"{_NO_LOG_TARGET}; objects are reachable only through the function roles' prefix grants "
                       "and account IAM (CloudTrail S3 data events can audit them)",
    "CKV_AWS_144.data": "holds media the pipeline can download and render again; a replica doubles storage",
    "CKV2_AWS_62.data": "the pipeline is driven by SQS messages; nothing is meant to react to uploads",
}


def _skip(key: str, **values: str) -> Skip:
    return Skip(check_id=key.split(".")[0], reason=SUPPRESSIONS[key].format(**values))


def function_skips(fn: Function, triggers: list[BoundTrigger], dlqs: list[str], *,
                   code_signing: bool) -> tuple[Skip, ...]:
    """dlqs: the dead-letter queues of the function's trigger queues, in trigger order."""
    mode = "sync" if not triggers else "sqs" if len(triggers) == 1 else "sqs_many"
    skips = [
        _skip("CKV_AWS_117"),
        _skip(f"CKV_AWS_116.{mode}", dlq=dlqs[0] if dlqs else "", count=str(len(triggers))),
    ]
    if not code_signing:
        skips.append(_skip("CKV_AWS_272"))
    if fn.reserved_concurrent_executions is None:
        caps = [t.settings.maximum_concurrency for t in triggers]
        if caps and None not in caps:
            skips.append(_skip(f"CKV_AWS_115.{mode}", cap=str(sum(c for c in caps if c)), count=str(len(caps))))
        else:
            skips.append(_skip("CKV_AWS_115.uncapped"))
    return tuple(sorted(skips, key=lambda s: s.check_id))


def function_url_skips(fn: Function) -> tuple[Skip, ...]:
    return (_skip("CKV_AWS_258"),) if fn.http == "none" else ()


def key_policy_skips() -> tuple[Skip, ...]:
    return tuple(_skip(check_id) for check_id in ("CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356"))


def bucket_skips(kind: str) -> tuple[Skip, ...]:
    """kind: "artifacts" (the zips bucket) or "data" (a bucket declared in queues.toml)."""
    return tuple(_skip(f"{check_id}.{kind}") for check_id in ("CKV2_AWS_62", "CKV_AWS_144", "CKV_AWS_18"))


def reference_table() -> str:
    """The suppressions as a Markdown table (docs/guide/security.md, "checkov suppressions"), placeholders as the
    generator fills them."""
    rows = ["| check | where | reason |", "|---|---|---|"]
    for key, reason in SUPPRESSIONS.items():
        rows.append(f"| {key.split('.')[0]} | {WHERE[key]} | {reason.replace('|', '/')} |")
    return "\n".join(rows)


# Where each suppression is printed, for the table above.
WHERE = {
    "CKV_AWS_117": "every function",
    "CKV_AWS_272": "every function, while code signing is off",
    "CKV_AWS_116.sqs": "a function with one trigger",
    "CKV_AWS_116.sqs_many": "a function with several triggers",
    "CKV_AWS_116.sync": "a function without triggers",
    "CKV_AWS_115.sqs": "a function with one capped trigger and no reserved concurrency",
    "CKV_AWS_115.sqs_many": "a function with several capped triggers and no reserved concurrency",
    "CKV_AWS_115.uncapped": "a function with neither",
    "CKV_AWS_258": "a public function URL",
    "CKV_AWS_109": "the key policy",
    "CKV_AWS_111": "the key policy",
    "CKV_AWS_356": "the key policy",
    "CKV_AWS_18.artifacts": "the artifacts bucket",
    "CKV_AWS_144.artifacts": "the artifacts bucket",
    "CKV2_AWS_62.artifacts": "the artifacts bucket",
    "CKV_AWS_18.data": "each bucket of queues.toml",
    "CKV_AWS_144.data": "each bucket of queues.toml",
    "CKV2_AWS_62.data": "each bucket of queues.toml",
}

PAGE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "security.md"
BEGIN = "<!-- suppressions:begin (generated by `python -m generator.plan.skips --write`) -->"
END = "<!-- suppressions:end -->"


def page_with_table(page: str) -> str:
    start, end = page.index(BEGIN) + len(BEGIN), page.index(END)
    return page[:start] + "\n" + reference_table() + "\n" + page[end:]


def main(argv: list[str]) -> int:
    if argv == ["--write"]:
        PAGE.write_text(page_with_table(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    sys.stdout.write(reference_table() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
