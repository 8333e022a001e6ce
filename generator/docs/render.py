"""Spec + Plan → the text of every generated doc (docs/ beside terraform/), before stamping."""

from __future__ import annotations

from generator import templating
from generator.cost.estimate import estimate
from generator.cost.report import markdown
from generator.docs.runbook import runbook_plan
from generator.docs.topology import topology_plan
from generator.plan.model import Plan
from generator.spec.model import Spec

DOCS_FOLDER = "docs"  # beside the Terraform directory

_ENV = templating.environment()  # Markdown needs no HCL filters


def render_docs(spec: Spec, plan: Plan) -> dict[str, str]:
    """File name → content, in a fixed order."""
    cost = markdown(estimate(spec, plan), plan.source)
    return {
        "runbook.md": _ENV.get_template("runbook.md.j2").render(plan=runbook_plan(spec, plan, cost)),
        "topology.md": _ENV.get_template("topology.md.j2").render(plan=topology_plan(spec, plan)),
    }
