"""Plan → the text of every generated Terraform file. Templates print; they decide nothing."""

from __future__ import annotations

from collections.abc import Callable

from generator import hcl, naming, templating
from generator.plan.model import Plan

# Generated file → (template, whether the plan needs the file). Hand-written files (versions.tf, providers.tf,
# variables.tf) are not here; a generated file the plan no longer needs is removed by the pipeline.
GENERATED_FILES: dict[str, tuple[str, Callable[[Plan], bool]]] = {
    "environment.tf": ("environment.tf.j2", lambda plan: True),
    "kms.tf": ("kms.tf.j2", lambda plan: True),
    "queues.tf": ("queues.tf.j2", lambda plan: True),
    "storage.tf": ("storage.tf.j2", lambda plan: bool(plan.tables or plan.buckets)),
    "email.tf": ("email.tf.j2", lambda plan: plan.email_sender is not None),
    "iam.tf": ("iam.tf.j2", lambda plan: bool(plan.functions)),
    "functions.tf": ("functions.tf.j2", lambda plan: bool(plan.functions)),
    "mappings.tf": ("mappings.tf.j2", lambda plan: bool(plan.mappings)),
    "artifacts.tf": ("artifacts.tf.j2", lambda plan: plan.artifacts_bucket is not None),
    "signing.tf": ("signing.tf.j2", lambda plan: plan.code_signing is not None),
    "alarms.tf": ("alarms.tf.j2", lambda plan: True),
    "dashboard.tf": ("dashboard.tf.j2", lambda plan: True),
    "outputs.tf": ("outputs.tf.j2", lambda plan: True),
}


FILTERS: dict[str, Callable[..., str]] = {
    "hcl": hcl.expression,
    "aws_name": naming.prefixed,  # "${local.name_prefix}<name>": the name in this environment
}
_ENV = templating.environment(filters=FILTERS)


def render(plan: Plan) -> dict[str, str]:
    """File name → content, in a fixed order."""
    return {
        filename: _ENV.get_template(template).render(plan=plan)
        for filename, (template, needed) in GENERATED_FILES.items()
        if needed(plan)
    }
