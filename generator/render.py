"""Plan → the text of every generated Terraform file. Templates print; they decide nothing."""

from __future__ import annotations

from collections.abc import Callable

import jinja2

from generator import hcl
from generator.plan.model import Plan

# Generated file → template. Hand-written files (versions.tf, providers.tf, variables.tf) are not here.
GENERATED_FILES: dict[str, str] = {
    "kms.tf": "kms.tf.j2",
    "queues.tf": "queues.tf.j2",
    "iam.tf": "iam.tf.j2",
    "functions.tf": "functions.tf.j2",
    "mappings.tf": "mappings.tf.j2",
    "alarms.tf": "alarms.tf.j2",
    "outputs.tf": "outputs.tf.j2",
}
# Generated only when the plan needs them (the pipeline removes them once they are no longer produced).
OPTIONAL_FILES: dict[str, tuple[str, Callable[[Plan], bool]]] = {
    "artifacts.tf": ("artifacts.tf.j2", lambda plan: plan.artifacts_bucket is not None),
}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["hcl"] = hcl.expression
    return env


_ENV = _environment()


def render(plan: Plan) -> dict[str, str]:
    """File name → content, in a fixed order."""
    files = {}
    for filename, template in GENERATED_FILES.items():
        files[filename] = _ENV.get_template(template).render(plan=plan)
    for filename, (template, wanted) in OPTIONAL_FILES.items():
        if wanted(plan):
            files[filename] = _ENV.get_template(template).render(plan=plan)
    return files
