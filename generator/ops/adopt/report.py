"""adopt end to end for the CLI (generator/ops/commands.py): the estate, the survey, the state, imports.tf, and
the report's lines. Raises AdoptError (exit 1) when anything would be replaced, after the report is printed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.ops.adopt.estate import Estate
from generator.ops.adopt.imports import render_imports, write_imports
from generator.ops.adopt.survey import (
    AdoptError,
    Survey,
    local_state_addresses,
    survey,
    terraform_state_addresses,
)
from generator.ops.adopt.verdict import Action

if TYPE_CHECKING:
    from generator.ops.target import Target
    from generator.ops.topology import Topology

_WORDS = {Action.IMPORT: "import", Action.CREATE: "create", Action.MANAGED: "in state", Action.CONFLICT: "CONFLICT"}


@dataclass(frozen=True)
class Adopted:
    survey: Survey
    lines: list[str]
    written: str  # what happened to imports.tf


def estate_of(target: Target, topology: Topology) -> Estate:
    from generator.plan.without_code import plan_without_code

    session = target.session()
    identity = session.client("sts", endpoint_url=target.endpoint).get_caller_identity()
    account, arn = str(identity["Account"]), str(identity["Arn"])
    region = target.region or session.region_name
    if not region:
        raise AdoptError("no AWS region: set AWS_REGION (or a region in your AWS profile)")
    plan = plan_without_code(topology.spec, topology.spec_path.name)
    return Estate(plan, topology.prefix, account, region, arn.split(":")[1], session, target.endpoint)


def adopt(target: Target, topology: Topology) -> Adopted:
    root = topology.spec_path.resolve().parent
    terraform_dir = root / "terraform"
    estate = estate_of(target, topology)
    if target.name == "local":
        in_state = local_state_addresses(root / ".local" / "terraform.tfstate")
        state_note = "the local stack's state (.local/terraform.tfstate)"
    else:
        in_state, state_note = terraform_state_addresses(terraform_dir)
    found = survey(terraform_dir / "modules" / "pipeline", estate, in_state)
    found.state_note = state_note
    lines = format_survey(found, target)
    if found.of(Action.CONFLICT):
        return Adopted(found, lines, "imports.tf not written: resolve the conflicts first")
    written = write_imports(terraform_dir, render_imports(topology.spec_path.name, found.verdicts))
    return Adopted(found, lines, written)


def format_survey(found: Survey, target: Target) -> list[str]:
    lines = [f"{target.describe()}: every resource of the generated module, by the name the Terraform gives it"]
    width = max((len(v.found.name) for v in found.verdicts), default=0)
    for verdict in found.verdicts:
        what = verdict.found
        exists = "exists " if what.exists else "missing"
        line = f"  {_WORDS[verdict.action]:<8} {exists} {what.name:<{width}}  {verdict.address}"
        lines.append(line)
        if verdict.action is Action.IMPORT and what.changes:
            lines.append("           then updated in place: " + "; ".join(str(c) for c in what.changes))
        if what.note:
            lines.append(f"           {what.note}")
        if what.conflict:
            lines.append(f"           {what.conflict}")
    counts = {action: len(found.of(action)) for action in Action}
    updated = sum(1 for v in found.of(Action.IMPORT) if v.found.changes)
    lines.append("")
    lines.append(f"next apply: {counts[Action.IMPORT]} to import ({updated} of them then updated in place), "
                 f"{counts[Action.CREATE]} to create, {counts[Action.MANAGED]} already in the state, 0 to destroy"
                 + (f"; {counts[Action.CONFLICT]} conflicts to resolve first" if counts[Action.CONFLICT] else ""))
    lines.append(f"state: {found.state_note}")
    if found.left_alone:
        lines.append("")
        lines.append("left alone (the topology replaces them by design; adopt never deletes anything):")
        for item in found.left_alone:
            lines.append(f"  {item.name}: {item.what}")
            lines.append(f"    {item.advice}")
    return lines


def conflict_error(found: Survey) -> AdoptError:
    names = ", ".join(f"{v.found.name} ({v.type})" for v in found.of(Action.CONFLICT))
    return AdoptError(f"adopt: the apply would replace or fight with what exists: {names}. Each is explained above "
                      "with its fix; nothing was written and nothing changed in the account")


def terraform_dir_of(spec: Path) -> Path:
    return spec.resolve().parent / "terraform"
