"""Both sides of a review: queues.toml at BASE_REF (read from git, never checked out) and in the working tree,
each planned without packaging (generator/plan/without_code.py), compared, and worded as Markdown."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from generator.plan.model import Plan
from generator.plan.without_code import plan_without_code
from generator.problems import GeneratorError, error
from generator.review.compare import compare
from generator.review.gitref import spec_at
from generator.review.markdown import markdown
from generator.spec.load import load_spec, load_spec_text


def _nothing(plan: Plan) -> Plan:
    """The base of a topology that did not exist yet: the same project with nothing in it."""
    return replace(plan, queues=(), functions=(), mappings=(), queue_alarms=(), function_alarms=(), outputs=(),
                   tables=(), buckets=(), email_sender=None, email_sender_arn=None, artifacts_bucket=None)


def base_plan(ref: str, spec_path: Path, current: Plan) -> Plan:
    text = spec_at(ref, spec_path)
    if text is None:
        return _nothing(current)
    name = f"{ref}:{spec_path.name}"
    try:
        loaded = load_spec_text(text, name)
    except GeneratorError as exc:
        explained = error((), f"{spec_path.name} at {ref} is not valid for this version of the generator, so the "
                          "change cannot be worded", "compare with a later base, or fix the problems below on the "
                          "base branch").at(name, 0, 0)
        raise GeneratorError([explained, *exc.problems]) from None
    return plan_without_code(loaded.spec, spec_path.name)


def diff(ref: str, spec_path: Path, display_name: str | None = None) -> str:
    loaded = load_spec(spec_path, display_name)
    current = plan_without_code(loaded.spec, spec_path.name)
    return markdown(compare(base_plan(ref, spec_path, current), current), ref, display_name or str(spec_path))
