"""The queues.toml reference (docs/guide/queues-toml.md) is rendered from the model; a new key without docs fails
here. So is the table of checkov suppressions (docs/guide/security.md)."""

from generator import reference
from generator.plan import skips
from generator.reference import BEGIN, END, page_with_reference, render_reference
from generator.spec import model
from tests.conftest import ROOT


def test_the_reference_page_matches_the_model() -> None:
    assert reference.PAGE == ROOT / "docs" / "guide" / "queues-toml.md"
    page = reference.PAGE.read_text(encoding="utf-8")
    assert BEGIN in page and END in page
    assert page_with_reference(page) == page, "run `python -m generator.reference --write`"


def test_every_key_of_every_table_is_documented() -> None:
    text = render_reference()
    for table in (model.Spec, model.Project, model.Alarms, model.Queue, model.DeadLetterQueue, model.Function,
                  model.Trigger, model.BucketAccess, model.Bucket, model.Table, model.Email, model.CodeSigning):
        for name, field in table.model_fields.items():
            assert f"| `{name}` |" in text
            if table is not model.Spec:
                assert field.description, f"{table.__name__}.{name} has no description"


def test_the_security_page_lists_every_checkov_suppression_with_its_reason() -> None:
    assert skips.PAGE == ROOT / "docs" / "guide" / "security.md"
    page = skips.PAGE.read_text(encoding="utf-8")
    assert skips.BEGIN in page and skips.END in page
    assert skips.page_with_table(page) == page, "run `python -m generator.plan.skips --write`"
    assert sorted(skips.WHERE) == sorted(skips.SUPPRESSIONS)


def test_the_generated_blocks_live_on_their_pages_only() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for begin in (BEGIN, skips.BEGIN):
        assert begin not in readme
