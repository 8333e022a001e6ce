"""The compiled-template cache (generator/templating.py): what comes out of it is what compiling gives, other
settings never reuse an entry, and a broken or unusable cache only costs the compile."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import templating
from generator.render import FILTERS

TEMPLATES = sorted(p.name for p in (Path(templating.__file__).parent / "templates").glob("*.j2"))


def _code(env, name: str):
    return env.get_template(name).root_render_func.__code__


def test_a_cached_template_is_the_compiled_one(tmp_path: Path) -> None:
    fresh = templating.environment(filters=FILTERS, cached=False)
    for name in TEMPLATES:  # a first environment compiles and stores, a second one loads
        _code(templating.environment(filters=FILTERS, cache=templating.bytecode_cache(str(tmp_path))), name)
    assert len(list(tmp_path.glob("*.cache"))) == len(TEMPLATES)
    loaded = templating.environment(filters=FILTERS, cache=templating.bytecode_cache(str(tmp_path)))
    for name in TEMPLATES:
        assert _code(loaded, name) == _code(fresh, name), name


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    cache = templating.bytecode_cache(str(tmp_path))
    first = templating.jinja2.Environment(loader=templating.jinja2.DictLoader({"t": "a{{ x }}"}),
                                          bytecode_cache=cache, **templating.SETTINGS)
    assert first.get_template("t").render(x=1) == "a1"
    second = templating.jinja2.Environment(loader=templating.jinja2.DictLoader({"t": "b{{ x }}"}),
                                           bytecode_cache=templating.bytecode_cache(str(tmp_path)),
                                           **templating.SETTINGS)
    assert second.get_template("t").render(x=1) == "b1"


@pytest.mark.parametrize(("setting", "value"), [("trim_blocks", False), ("lstrip_blocks", False),
                                                 ("keep_trailing_newline", False), ("autoescape", True)])
def test_other_settings_use_other_entries(monkeypatch, setting: str, value: object) -> None:
    before = templating.settings_key()
    monkeypatch.setitem(templating.SETTINGS, setting, value)
    assert templating.settings_key() != before


def test_a_corrupt_entry_is_compiled_again(tmp_path: Path) -> None:
    for name in TEMPLATES:
        _code(templating.environment(filters=FILTERS, cache=templating.bytecode_cache(str(tmp_path))), name)
    for entry in tmp_path.glob("*.cache"):
        entry.write_bytes(entry.read_bytes()[:40] + b"\x80garbage")  # the header kept, the code cut
    fresh = templating.environment(filters=FILTERS, cached=False)
    loaded = templating.environment(filters=FILTERS, cache=templating.bytecode_cache(str(tmp_path)))
    for name in TEMPLATES:
        assert _code(loaded, name) == _code(fresh, name), name


def test_a_cache_that_cannot_be_written_is_no_cache(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    env = templating.environment(filters=FILTERS, cache=templating.bytecode_cache(str(not_a_folder)))
    assert env.get_template(TEMPLATES[0]) is not None
