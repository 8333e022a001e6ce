"""Runs the table (kinds.py) over every resource instance the generated module on disk declares, against the
target, and leaves out what the Terraform state already has."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from generator.command import CommandError
from generator.ops.adopt.estate import Estate, missing
from generator.ops.adopt.kinds import KINDS, ModelMismatch
from generator.ops.adopt.verdict import Action, Verdict
from generator.output import previous

MODULE_ADDRESS = "module.pipeline."
SHARED_ROLE = "lambda-execution-role"  # the week-1 plan's starting point: one role for every function


class AdoptError(CommandError):
    pass


@dataclass(frozen=True)
class Instance:
    resource: previous.Resource
    key: str | None  # count index ("0") or for_each key, else None

    @property
    def address(self) -> str:
        if self.key is None:
            return self.resource.address
        index = self.key if self.key.isdigit() else json.dumps(self.key)
        return f"{self.resource.address}[{index}]"


@dataclass(frozen=True)
class LeftAlone:
    """What the old architecture has that the topology replaces by design: named, never deleted."""

    name: str
    what: str
    advice: str


@dataclass
class Survey:
    verdicts: list[Verdict]
    left_alone: list[LeftAlone] = field(default_factory=list)
    state_note: str = ""

    def of(self, action: Action) -> list[Verdict]:
        return [v for v in self.verdicts if v.action is action]


def module_instances(module_dir: Path, estate: Estate) -> list[Instance]:
    """Every resource instance of the module's *.tf files, with its count index or for_each key."""
    files = {str(path): path.read_text(encoding="utf-8") for path in sorted(module_dir.glob("*.tf"))}
    resources = previous.resources(files, MODULE_ADDRESS)
    if not resources:
        raise AdoptError(f"{module_dir} declares no resources: run `make generate` first (adopt looks up what the "
                         "generated module declares)")
    found = []
    for resource in sorted(resources.values(), key=lambda r: r.address):
        if "count" in resource.attributes:
            found.append(Instance(resource, "0"))
        elif "for_each" in resource.attributes:
            if resource.type != "aws_sns_topic_subscription":
                raise AdoptError(f"{resource.address}: adopt does not know the for_each keys of a {resource.type} "
                                 "(generator/ops/adopt/survey.py, module_instances)")
            found += [Instance(resource, email) for email in estate.plan.subscribers]
        else:
            found.append(Instance(resource, None))
    return found


def survey(module_dir: Path, estate: Estate, in_state: set[str]) -> Survey:
    verdicts = []
    for instance in module_instances(module_dir, estate):
        lookup = KINDS.get(instance.resource.type)
        if lookup is None:
            raise AdoptError(f"the module declares {instance.address}, and adopt has no entry for the resource type "
                             f"{instance.resource.type}: add one to KINDS in generator/ops/adopt/kinds.py")
        try:
            found = lookup(estate, instance.resource, instance.key)
        except ModelMismatch as exc:
            raise AdoptError(f"{module_dir} is not what queues.toml generates ({exc}): run `make generate` first, "
                             "then adopt") from None
        verdicts.append(Verdict(instance.address, instance.resource.type, found, instance.address in in_state))
    return Survey(verdicts, left_alone(estate, verdicts))


def left_alone(estate: Estate, verdicts: list[Verdict]) -> list[LeftAlone]:
    """The roles the adopted functions run under today that are not theirs: the topology gives every function its
    own least-privilege role, so these lose their users at the apply and stay until someone deletes them."""
    roles: dict[str, list[str]] = {}
    for verdict in verdicts:
        if verdict.type != "aws_lambda_function" or not verdict.found.exists:
            continue
        for change in verdict.found.changes:
            if change.attribute == "Role":
                roles.setdefault(change.before, []).append(verdict.found.name)
    iam = estate.client("iam")
    try:
        iam.get_role(RoleName=SHARED_ROLE)
        roles.setdefault(SHARED_ROLE, [])
    except Exception as exc:
        if not missing(exc):
            raise
    found = []
    for role, users in sorted(roles.items()):
        try:
            inline = sorted(iam.list_role_policies(RoleName=role).get("PolicyNames", []))
        except Exception as exc:
            if not missing(exc):
                raise
            continue
        policies = "".join(f"aws iam delete-role-policy --role-name {role} --policy-name {p} && " for p in inline)
        who = f"used today by {', '.join(sorted(users))}" if users else "used by none of the generated functions"
        what = (f"IAM role{' with inline ' + ', '.join(inline) if inline else ''}: {who}; after the apply each "
                "function runs under its own least-privilege role")
        found.append(LeftAlone(role, what, f"once nothing uses it: {policies}aws iam delete-role --role-name {role}"))
    return found


# ── the Terraform state ────────────────────────────────────────────────────────────────────────────────────


def local_state_addresses(state_file: Path) -> set[str]:
    """The addresses in a local state file (the stack's .local/terraform.tfstate)."""
    if not state_file.exists():
        return set()
    document = json.loads(state_file.read_text(encoding="utf-8"))
    found = set()
    for resource in document.get("resources", []):
        if resource.get("mode") != "managed":
            continue
        base = (resource["module"] + "." if resource.get("module") else "") + f"{resource['type']}.{resource['name']}"
        for instance in resource.get("instances", []):
            key = instance.get("index_key")
            found.add(base if key is None else f"{base}[{key if isinstance(key, int) else json.dumps(key)}]")
    return found


def terraform_state_addresses(terraform_dir: Path) -> tuple[set[str], str]:
    """`terraform state list` in the root, where it has been initialised; else nothing (and why)."""
    from generator import tfcli

    if not (terraform_dir / ".terraform").is_dir():
        return set(), (f"{terraform_dir} is not initialised (no terraform init): no state read, every resource that "
                       "exists gets an import block")
    env = tfcli.terraform_env(terraform_dir / ".terraform" / "adopt-cli")
    try:
        done = subprocess.run([tfcli.terraform_binary() or "terraform", "state", "list"], cwd=terraform_dir, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return set(), f"terraform state list failed ({exc}): no state read"
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["?"])[0]
        return set(), f"terraform state list failed ({first}): no state read"
    return {line.strip() for line in done.stdout.splitlines() if line.strip()}, "read with terraform state list"
