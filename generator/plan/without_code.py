"""A Plan for a spec without packaging its functions: for what depends on the topology only (the review of a
change, the cost estimate), never for writing Terraform. Every function gets the same placeholder code, so two
such plans differ exactly where their topologies do."""

from __future__ import annotations

from generator.plan.build import build_plan
from generator.plan.model import CodePlan, Plan, ZipDirs
from generator.spec.model import Spec


def placeholder_code(key: str) -> CodePlan:
    return CodePlan(filename=f'"../build/lambda/{key}.zip"', source_code_hash="", via_s3=False, s3_key="",
                    missing_zip_message="")


def plan_without_code(spec: Spec, source: str) -> Plan:
    return build_plan(spec, source, {key: placeholder_code(key) for key in spec.functions},
                      ZipDirs("../../../build/lambda", "../build/lambda"))
