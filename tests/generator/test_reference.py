"""README's queues.toml reference is rendered from the model; a new key without docs fails here."""

from generator.plan import skips
from generator.reference import BEGIN, END, readme_with_reference, render_reference
from generator.spec import model
from tests.conftest import ROOT


def test_readme_reference_matches_the_model() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme
    assert readme_with_reference(readme) == readme, "run `python -m generator.reference --write`"


def test_every_key_of_every_table_is_documented() -> None:
    text = render_reference()
    for table in (model.Spec, model.Project, model.Alarms, model.Queue, model.DeadLetterQueue, model.Function,
                  model.Trigger, model.BucketAccess, model.Bucket, model.Table, model.Email, model.CodeSigning):
        for name, field in table.model_fields.items():
            assert f"| `{name}` |" in text
            if table is not model.Spec:
                assert field.description, f"{table.__name__}.{name} has no description"


def test_readme_lists_every_checkov_suppression_with_its_reason() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert skips.BEGIN in readme and skips.END in readme
    assert skips.readme_with_table(readme) == readme, "run `python -m generator.plan.skips --write`"
    assert sorted(skips.WHERE) == sorted(skips.SUPPRESSIONS)
