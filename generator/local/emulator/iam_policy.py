"""IAM's policy evaluation for one principal of the account, as AWS documents it ("Policy evaluation logic",
IAM User Guide): pure functions over policy documents, no moto.

- An explicit Deny in any policy that applies wins over every Allow.
- Within one account, a request is allowed when an identity-based policy allows it, or when the resource's own
  policy allows the principal (a bucket policy naming the role). The account's root in a resource policy hands
  the decision to IAM policies; it allows nothing by itself.
- KMS is the exception: the key policy decides. IAM policies count only when the key policy allows the account
  (its root); otherwise only a key policy statement naming the principal allows it.
- A statement applies when its action, resource (and, in resource policies, principal) match, wildcards `*` and
  `?` included, and every condition holds (AND across operators and keys, OR across a key's values).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Effect = Literal["Allow", "Deny"]


@dataclass(frozen=True)
class Principal:
    """An assumed-role session: what every Lambda function's calls are signed as."""

    session_arn: str  # arn:aws:sts::123456789012:assumed-role/<role name>/<session>
    role_arn: str  # arn:aws:iam::123456789012:role/<path><role name>
    account: str


@dataclass(frozen=True)
class Check:
    """One authorization AWS makes: an action on a resource, with the request's condition keys."""

    action: str  # "sqs:SendMessage"
    resource: str  # an ARN, or "*" for actions without resource-level permissions
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)  # condition key → its values


Verdict = Literal["allowed", "explicit-deny-identity", "explicit-deny-resource", "no-identity-allow",
                  "no-resource-allow"]


@dataclass(frozen=True)
class Decision:
    verdict: Verdict

    @property
    def allowed(self) -> bool:
        return self.verdict == "allowed"

    def because(self, action: str) -> str:
        """The end of AWS's AccessDenied message ("... because no identity-based policy allows the X action")."""
        return {
            "explicit-deny-identity": "with an explicit deny in an identity-based policy",
            "explicit-deny-resource": "with an explicit deny in a resource-based policy",
            "no-identity-allow": f"because no identity-based policy allows the {action} action",
            "no-resource-allow": f"because no resource-based policy allows the {action} action",
            "allowed": "",
        }[self.verdict]


def statements_of(document: str | Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """A policy document's statements (a document may hold one statement as an object)."""
    if document is None or document == "":
        return []
    parsed = json.loads(document) if isinstance(document, str) else dict(document)
    found = parsed.get("Statement", [])
    return [found] if isinstance(found, dict) else list(found)


def _listed(value: object) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcards: `*` any run of characters, `?` one character; nothing else is special."""
    regex = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def action_matches(patterns: Iterable[str], action: str) -> bool:
    """Action names are case-insensitive ("sqs:sendmessage" grants sqs:SendMessage)."""
    return any(_glob(pattern, action, ignore_case=True) for pattern in patterns)


def resource_matches(patterns: Iterable[str], resource: str) -> bool:
    """ARNs are case-sensitive; `*` alone matches every resource, "*" requested matches only `*`."""
    return any(pattern == "*" or _glob(pattern, resource) for pattern in patterns)


def principal_matches(statement: Mapping[str, Any], principal: Principal) -> Literal["principal", "account", False]:
    """Whether a resource policy statement names this principal: itself ("principal"), its account's root or
    account id ("account": the decision goes to IAM policies), or not at all."""
    if "NotPrincipal" in statement:
        named = statement["NotPrincipal"]
        aws = _listed(named.get("AWS")) if isinstance(named, dict) else _listed(named)
        return False if principal.role_arn in aws or principal.session_arn in aws else "principal"
    named = statement.get("Principal")
    if named == "*":
        return "principal"
    aws = _listed(named.get("AWS")) if isinstance(named, dict) else []
    if "*" in aws or principal.role_arn in aws or principal.session_arn in aws:
        return "principal"
    root = f"arn:aws:iam::{principal.account}:root"
    if root in aws or principal.account in aws:
        return "account"
    return False


# ── conditions ─────────────────────────────────────────────────────────────────────────────────────────────


def _arn_like(pattern: str, value: str) -> bool:
    """ArnLike: each of the six colon-separated parts matched on its own (a wildcard does not cross a colon
    before the resource part)."""
    wanted, got = pattern.split(":", 5), value.split(":", 5)
    return len(wanted) == len(got) == 6 and all(_glob(w, g) for w, g in zip(wanted, got, strict=True))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _numeric(compare: str) -> Any:
    def test(wanted: str, got: str) -> bool:
        w, g = _number(wanted), _number(got)
        if w is None or g is None:
            return False
        return {"Equals": g == w, "NotEquals": g != w, "LessThan": g < w, "LessThanEquals": g <= w,
                "GreaterThan": g > w, "GreaterThanEquals": g >= w}[compare]
    return test


# operator (without IfExists / set prefixes) → (test of one policy value against one request value, negated)
_OPERATORS: dict[str, tuple[Any, bool]] = {
    "StringEquals": (lambda w, g: w == g, False),
    "StringNotEquals": (lambda w, g: w == g, True),
    "StringEqualsIgnoreCase": (lambda w, g: w.lower() == g.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda w, g: w.lower() == g.lower(), True),
    "StringLike": (_glob, False),
    "StringNotLike": (_glob, True),
    "ArnEquals": (lambda w, g: w == g, False),
    "ArnNotEquals": (lambda w, g: w == g, True),
    "ArnLike": (_arn_like, False),
    "ArnNotLike": (_arn_like, True),
    "Bool": (lambda w, g: w.lower() == g.lower(), False),
    "NumericEquals": (_numeric("Equals"), False),
    "NumericNotEquals": (_numeric("Equals"), True),
    "NumericLessThan": (_numeric("LessThan"), False),
    "NumericLessThanEquals": (_numeric("LessThanEquals"), False),
    "NumericGreaterThan": (_numeric("GreaterThan"), False),
    "NumericGreaterThanEquals": (_numeric("GreaterThanEquals"), False),
}


class UnsupportedCondition(ValueError):
    """A condition operator this evaluator does not know: refused rather than guessed."""


def condition_holds(operator: str, key: str, wanted: Sequence[str], context: Mapping[str, Sequence[str]]) -> bool:
    """One operator on one key. A key missing from the request: positive operators fail, negated ones hold,
    `...IfExists` holds; `Null` tests presence."""
    found = {name.lower(): values for name, values in context.items()}.get(key.lower())
    if operator == "Null":
        return all((value.lower() == "true") == (found is None) for value in wanted)
    set_operator, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base not in _OPERATORS:
        raise UnsupportedCondition(f"condition operator {operator} is not evaluated locally")
    test, negated = _OPERATORS[base]
    if found is None:
        return if_exists or negated
    if set_operator == "ForAllValues":
        return all(any(test(w, g) for w in wanted) != negated for g in found)
    matched = any(test(w, g) for w in wanted for g in found)
    return matched != negated


def conditions_hold(statement: Mapping[str, Any], context: Mapping[str, Sequence[str]]) -> bool:
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, wanted in keys.items():
            if not condition_holds(operator, key, _listed(wanted), context):
                return False
    return True


def statement_applies(statement: Mapping[str, Any], check: Check) -> bool:
    if "NotAction" in statement:
        if action_matches(_listed(statement["NotAction"]), check.action):
            return False
    elif not action_matches(_listed(statement.get("Action")), check.action):
        return False
    if "NotResource" in statement:
        if resource_matches(_listed(statement["NotResource"]), check.resource):
            return False
    elif not resource_matches(_listed(statement.get("Resource")), check.resource):
        return False
    return conditions_hold(statement, check.context)


# ── evaluation ─────────────────────────────────────────────────────────────────────────────────────────────


def _effects(statements: Iterable[Mapping[str, Any]], check: Check) -> set[str]:
    return {str(statement.get("Effect")) for statement in statements if statement_applies(statement, check)}


def _resource_effects(statements: Iterable[Mapping[str, Any]], check: Check,
                      principal: Principal) -> dict[str, set[str]]:
    """Effect → how the matching statements name the principal ("principal" / "account")."""
    found: dict[str, set[str]] = {}
    for statement in statements:
        named = principal_matches(statement, principal)
        if named and statement_applies(statement, check):
            found.setdefault(str(statement.get("Effect")), set()).add(named)
    return found


def evaluate(principal: Principal, check: Check, identity_policies: Sequence[str | Mapping[str, Any]],
             resource_policy: str | Mapping[str, Any] | None = None, *, key_policy: bool = False) -> Decision:
    """Whether the principal may make the check, with its role's identity policies and the resource's policy
    (a bucket policy; `key_policy=True`: a KMS key policy, which must allow the account for IAM to count)."""
    identity = _effects((s for document in identity_policies for s in statements_of(document)), check)
    resource = _resource_effects(statements_of(resource_policy), check, principal)
    if "Deny" in identity:
        return Decision("explicit-deny-identity")
    if "Deny" in resource:
        return Decision("explicit-deny-resource")
    allowed_by_resource = resource.get("Allow", set())
    if key_policy:
        if "principal" in allowed_by_resource:
            return Decision("allowed")
        if "account" not in allowed_by_resource:  # the key policy does not let IAM policies grant this use
            return Decision("no-resource-allow")
        return Decision("allowed" if "Allow" in identity else "no-identity-allow")
    if "Allow" in identity or "principal" in allowed_by_resource:
        return Decision("allowed")
    return Decision("no-identity-allow")
