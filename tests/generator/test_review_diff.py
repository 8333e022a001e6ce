"""`python -m generator diff BASE_REF`: crafted before/after topologies in a real git repository (the base
committed, the change in the working tree), each with what the summary must say, destructive changes and
widened permissions first. Family: one line per change a pull request makes."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cli import main
from generator.review.markdown import MARKER

BASE = """\
[project]
name = "shop"

[alarms]
topic_name = "shop-alarms"

[queues.email]
visibility_timeout_seconds = 180
max_receive_count = 5

[queues.orders]
visibility_timeout_seconds = 180
max_receive_count = 5

[tables.carts]
hash_key = "pk"
ttl_attribute = "expires_at"

[functions.mailer]
timeout = 30
trigger = { queue = "email", batch_size = 10, maximum_concurrency = 5 }

[functions.shop]
timeout = 30
sends_to = ["email"]
tables = { carts = ["GetItem"] }
http = "aws_iam"
trigger = { queue = "orders", batch_size = 10, maximum_concurrency = 5 }
"""

DESTRUCTIVE = "#### Destructive: messages are lost"
WIDENED = "#### Permissions widened"
NARROWED = "#### Permissions narrowed"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "dev@example.com")
    _git(repo, "config", "user.name", "dev")
    (repo / "queues.toml").write_text(BASE)
    _git(repo, "add", "queues.toml")
    _git(repo, "commit", "-q", "-m", "base")
    return repo


def _replace(*pairs: tuple[str, str]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        for old, new in pairs:
            assert old in text, old
            text = text.replace(old, new)
        return text
    return edit


RENAME_KEEPING_NAMES = _replace(
    ("[queues.email]\n", '[queues.mail]\nname = "email-queue"\ndlq = { name = "email-dlq" }\n'),
    ('queue = "email"', 'queue = "mail"'), ('sends_to = ["email"]', 'sends_to = ["mail"]'))

# id → (the change in the working tree, what the summary says, in this order)
CASES: dict[str, tuple[Callable[[str], str], list[str]]] = {
    "key renamed, AWS names kept": (RENAME_KEEPING_NAMES, [
        "1 other change", "#### Queues",
        "- renamed: queues.email → queues.mail, the same AWS queue `email-queue` (moved blocks, nothing lost)"]),
    "key renamed with default names": (_replace(("[queues.email]", "[queues.mail]"),
                                                ('queue = "email"', 'queue = "mail"'),
                                                ('sends_to = ["email"]', 'sends_to = ["mail"]')), [
        "**2 queues lost**", DESTRUCTIVE,
        "- `email-queue` is **destroyed**: it is no longer in the topology; its messages are lost",
        "- `email-dlq` is **destroyed**",
        "`python -m generator generate --allow-destroy email-dlq,email-queue`",
        "- new: `mail-queue` (queues.mail) with dead-letter queue `mail-dlq`"]),
    "FIFO flip": (_replace(("[queues.orders]\n", "[queues.orders]\nfifo_queue = true\n")), [
        DESTRUCTIVE,
        "- `orders-queue` is **replaced** (destroyed and created again, its messages lost): `fifo_queue` false → "
        "true; `name` orders-queue → orders-queue.fifo",
        "- `orders-dlq` is **replaced** (destroyed and created again, its messages lost): `fifo_queue` false → true;"
        " `name` orders-dlq → orders-dlq.fifo",
        "--allow-destroy orders-dlq,orders-queue"]),
    "widened grant": (_replace(('tables = { carts = ["GetItem"] }', 'tables = { carts = ["GetItem", "PutItem"] }'),
                               ('timeout = 30\ntrigger = { queue = "email"',
                                'timeout = 30\nsends_to = ["orders"]\ntrigger = { queue = "email"')), [
        "**2 permissions widened**", WIDENED,
        "- `mailer-role` of function `mailer`:",
        "  - + `kms:GenerateDataKey` on `the pipeline KMS key`",
        "  - + `sqs:SendMessage` on `orders-queue`",
        "- `shop-role` of function `shop`:",
        "  - + `dynamodb:PutItem` on `table shop-carts`"]),
    "removed queue": (_replace(("[queues.orders]\nvisibility_timeout_seconds = 180\nmax_receive_count = 5\n\n", ""),
                               ('\ntrigger = { queue = "orders", batch_size = 10, maximum_concurrency = 5 }', "")), [
        "**2 queues lost**", DESTRUCTIVE,
        "- `orders-queue` is **destroyed**", "- `orders-dlq` is **destroyed**",
        "#### Triggers", "- removed: `shop` ← `orders-queue`",
        NARROWED, "- `shop-role` of function `shop`:",
        "  - − `sqs:ReceiveMessage` on `orders-queue`"]),
    "trigger disabled": (_replace(('queue = "orders", batch_size = 10, maximum_concurrency = 5',
                                   'queue = "orders", batch_size = 10, maximum_concurrency = 5, enabled = false')), [
        "**1 trigger disabled**", "#### Triggers",
        "- `shop` ← `orders-queue`: **disabled** (polling stops; messages stay in the queue)"]),
    "function URL made public": (_replace(('http = "aws_iam"', 'http = "none"')), [
        "**1 permission widened**", WIDENED,
        "- `shop`: function URL auth AWS_IAM → **NONE** (public: anyone can call it)"]),
    "attribute changed": (_replace(("[queues.orders]\nvisibility_timeout_seconds = 180",
                                    "[queues.orders]\nvisibility_timeout_seconds = 300")), [
        "#### Queues",
        "- `orders-queue` (queues.orders): `visibility_timeout_seconds` 180 → 300",
        "- `orders-queue` (queues.orders): `dlq_visibility_timeout_seconds` 180 → 300"]),
    "queue and consumer added": (lambda text: text + '\n[queues.audit]\nmax_receive_count = 5\n\n'
                                 '[functions.auditor]\ntimeout = 10\ntrigger = { queue = "audit" }\n', [
        "**1 permission widened**", WIDENED, "- `auditor-role` of function `auditor` (new role):",
        "  - + `sqs:ReceiveMessage` on `audit-queue`", "#### Queues",
        "- new: `audit-queue` (queues.audit) with dead-letter queue `audit-dlq`",
        "#### Triggers", "- new: `auditor` ← `audit-queue`", "#### Functions", "- new: `auditor`"]),
    "comment only": (lambda text: text + "# nothing\n", ["No change to the topology"]),
}


def _diff(repo: Path, capsys, ref: str = "main") -> str:
    assert main(["diff", ref, str(repo / "queues.toml")]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_summary_says_what_the_change_does(repo: Path, capsys, case: str) -> None:
    edit, expected = CASES[case]
    (repo / "queues.toml").write_text(edit(BASE))
    out = _diff(repo, capsys)
    assert out.startswith(f"{MARKER}\n### Topology change: `main` → working tree")
    position = 0
    for text in expected:
        found = out.find(text, position)
        assert found >= 0, f"{case}: {text!r} missing (or out of order) in:\n{out}"
        position = found + len(text)


def test_destructive_changes_then_widened_permissions_come_first(repo: Path, capsys) -> None:
    edit = _replace(("[queues.orders]\n", "[queues.orders]\nfifo_queue = true\n"),
                    ('tables = { carts = ["GetItem"] }', 'tables = { carts = ["GetItem", "PutItem"] }'),
                    ("[queues.email]\nvisibility_timeout_seconds = 180",
                     "[queues.email]\nvisibility_timeout_seconds = 200"),
                    ('queue = "email", batch_size = 10, maximum_concurrency = 5',
                     'queue = "email", batch_size = 10, maximum_concurrency = 5, enabled = false'))
    (repo / "queues.toml").write_text(edit(BASE))
    out = _diff(repo, capsys)
    order = [out.index(heading) for heading in (DESTRUCTIVE, WIDENED, "#### Queues", "#### Triggers")]
    assert order == sorted(order), out


def test_the_working_tree_and_the_index_are_never_touched(repo: Path, capsys) -> None:
    (repo / "queues.toml").write_text(RENAME_KEEPING_NAMES(BASE))
    (repo / "notes.txt").write_text("mine\n")
    before = (_git(repo, "status", "--porcelain"), _git(repo, "rev-parse", "HEAD"), _git(repo, "worktree", "list"),
              {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()})
    _diff(repo, capsys)
    after = (_git(repo, "status", "--porcelain"), _git(repo, "rev-parse", "HEAD"), _git(repo, "worktree", "list"),
             {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()})
    assert after == before


def test_a_spec_in_a_subfolder_is_read_at_its_path(repo: Path, capsys) -> None:
    (repo / "infra").mkdir()
    _git(repo, "mv", "queues.toml", "infra/queues.toml")
    _git(repo, "commit", "-q", "-m", "move")
    (repo / "infra" / "queues.toml").write_text(BASE.replace('http = "aws_iam"', 'http = "none"'))
    assert main(["diff", "HEAD", str(repo / "infra" / "queues.toml")]) == 0
    assert "function URL auth AWS_IAM → **NONE**" in capsys.readouterr().out


def test_a_spec_new_since_the_base_is_all_added(repo: Path, capsys) -> None:
    (repo / "other").mkdir()
    (repo / "other" / "queues.toml").write_text(BASE)
    assert main(["diff", "main", str(repo / "other" / "queues.toml")]) == 0
    out = capsys.readouterr().out
    assert "- new: `email-queue` (queues.email)" in out
    assert "- `shop-role` of function `shop` (new role):" in out
    assert DESTRUCTIVE not in out


@pytest.mark.parametrize(("ref", "message"), [
    ("no-such-branch", "'no-such-branch' is not a commit, branch or tag of this repository"),
    ("--output=x", "'--output=x' is not a commit, branch or tag of this repository"),  # never a git option
])
def test_an_unknown_base_is_a_problem_not_a_traceback(repo: Path, capsys, ref: str, message: str) -> None:
    assert main(["diff", "--", ref, str(repo / "queues.toml")]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "hint: name the base, e.g. `origin/main`" in err
    assert "Traceback" not in err


def test_outside_a_repository_the_diff_says_so(tmp_path: Path, capsys) -> None:
    (tmp_path / "queues.toml").write_text(BASE)
    assert main(["diff", "main", str(tmp_path / "queues.toml")]) == 1
    assert "is not inside a git repository" in capsys.readouterr().err


def test_a_base_the_generator_cannot_read_is_explained(repo: Path, capsys) -> None:
    (repo / "queues.toml").write_text(BASE.replace("max_receive_count = 5", "max_receive_count = 0", 1))
    _git(repo, "commit", "-q", "-am", "broken base")
    (repo / "queues.toml").write_text(BASE)
    assert main(["diff", "HEAD", str(repo / "queues.toml")]) == 1
    err = capsys.readouterr().err
    assert "HEAD:queues.toml: error: queues.toml at HEAD is not valid for this version of the generator" in err
    assert "HEAD:queues.toml:9:1: error: queues.email.max_receive_count" in err


def test_a_replaced_queue_keeps_its_grants_and_trigger(repo: Path, capsys) -> None:
    """The FIFO flip renames the queue: the role still references the same resource, so no permission widens
    or narrows, and the trigger is the same mapping (only the batching window, which FIFO forbids, goes)."""
    (repo / "queues.toml").write_text(CASES["FIFO flip"][0](BASE))
    out = _diff(repo, capsys)
    assert WIDENED not in out and NARROWED not in out
    assert "- `shop` ← `orders-queue.fifo`: `maximum_batching_window_seconds` 0 → unset" in out
    assert "new: `shop`" not in out and "removed: `shop`" not in out
