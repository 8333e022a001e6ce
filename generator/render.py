"""Plan → the text of every generated Terraform file. Templates print; they decide nothing."""

from __future__ import annotations

from collections.abc import Callable

from generator import hcl, naming, templating
from generator.plan.contract import contract_plan
from generator.plan.model import Plan

# The generated module's files (modules/<name>/): file → (template, whether the plan needs the file). A generated
# file the plan no longer needs is removed by the pipeline.
GENERATED_FILES: dict[str, tuple[str, Callable[[Plan], bool]]] = {
    "versions.tf": ("versions.tf.j2", lambda plan: True),
    "variables.tf": ("variables.tf.j2", lambda plan: True),
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
    # `terraform test` of the module against a mocked provider: the contract of queues.toml (plan/contract.py)
    "contract.tftest.hcl": ("contract.tftest.hcl.j2", lambda plan: True),
}
# The root's generated files (the module's call and its outputs passed on). The root's hand-written files
# (versions.tf, providers.tf, variables.tf: generator/scaffold/) are the pipeline's; moved.tf is the moves'.
ROOT_FILES: dict[str, str] = {
    "main.tf": "root_main.tf.j2",
    "outputs.tf": "root_outputs.tf.j2",
}


FILTERS: dict[str, Callable[..., str]] = {
    "hcl": hcl.expression,
    "aws_name": naming.prefixed,  # "${local.name_prefix}<name>": the name in this environment
}
_ENV = templating.environment(filters=FILTERS)


def render(plan: Plan) -> dict[str, str]:
    """The module's files: file name → content, in a fixed order."""
    contract = contract_plan(plan)
    return {
        filename: _ENV.get_template(template).render(plan=plan, contract=contract)
        for filename, (template, needed) in GENERATED_FILES.items()
        if needed(plan)
    }


def render_root(plan: Plan) -> dict[str, str]:
    """The root's generated files: file name → content."""
    return {filename: _ENV.get_template(template).render(plan=plan) for filename, template in ROOT_FILES.items()}
