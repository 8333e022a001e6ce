"""README.md is the front door and docs/guide/ the rest: the README stays short, links every page of the guide,
and no relative link in either points at a file or a heading that does not exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "guide"
PAGES = sorted(GUIDE.glob("*.md"))
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def _without_code_blocks(path: Path) -> str:
    return re.sub(r"^\s*```.*?^\s*```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)


def _headings(path: Path) -> list[str]:
    return [line.lstrip("#").strip() for line in _without_code_blocks(path).splitlines() if re.match(r"#{1,6} ", line)]


def _prose(path: Path) -> str:
    """The page without code (fenced or inline), where brackets are not links."""
    return re.sub(r"`[^`\n]*`", "", _without_code_blocks(path))


def _links(path: Path) -> list[str]:
    return [target for target in LINK.findall(_prose(path)) if not re.match(r"[a-z]+:", target)]


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_anchor(heading) for heading in _headings(path)}


def test_the_guide_has_the_pages_the_readme_promises() -> None:
    assert [page.name for page in PAGES] == sorted(
        ["adopt.md", "generate.md", "queues-toml.md", "terraform.md", "packaging.md", "local-stack.md", "operations.md",
         "security.md", "cost.md", "development.md", "daily-loop.md"])


def test_the_readme_is_at_most_250_lines() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= 250, f"README.md has {lines} lines: move the detail to a page of docs/guide/"


def test_the_readme_links_every_page_of_the_guide() -> None:
    linked = {(README.parent / target.split("#")[0]).resolve() for target in _links(README)}
    assert [page.name for page in PAGES if page.resolve() not in linked] == []


@pytest.mark.parametrize("path", [README, *PAGES, ROOT / "lambdas" / "README.md"],
                         ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_points_at_a_file_and_heading_that_exist(path: Path) -> None:
    broken = []
    for target in _links(path):
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}: no heading with that anchor in {linked.relative_to(ROOT)}")
    assert broken == []


def test_the_anchor_of_a_heading_is_githubs() -> None:
    assert _anchor("What `generate` never does silently") == "what-generate-never-does-silently"
    assert _anchor("IAM: each role grants exactly what its code calls") == (
        "iam-each-role-grants-exactly-what-its-code-calls")
    assert _anchor("The local stack (`make up`)") == "the-local-stack-make-up"


def _citations() -> set[tuple[str, str]]:
    """Every `docs/guide/<page>.md, "<heading>"` in the strings and docstrings of the code (ast joins the pieces of
    a string split over lines)."""
    found = set()
    for folder in ("generator", "lambdas"):
        for source in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found |= {(page, " ".join(heading.split()))  # a heading may wrap in a docstring
                              for page, heading in re.findall(r'docs/guide/([\w-]+\.md),? "([^"]+)"', node.value)}
    return found


def test_every_heading_the_code_cites_exists_on_its_page() -> None:
    cited = _citations()
    assert {("operations.md", "AWS permissions"), ("operations.md", "Rollback")} <= cited  # target.py, switch.py
    missing = []
    for page, heading in sorted(cited):
        if heading not in _headings(GUIDE / page):
            missing.append(f'docs/guide/{page}, "{heading}"')
    assert missing == []
