"""Never lose messages silently: a change that makes Terraform destroy or replace a queue is refused, naming
each queue and why, unless --allow-destroy names it; a key renamed with its AWS names kept becomes `moved`
blocks in terraform/moved.tf, which later runs keep until the user deletes them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cli import main
from generator.output.moves import find_losses, find_moves
from generator.output.previous import Move, literal_name, moved_blocks, resources
from tests.output.safe_support import MODULE, SHOP, case, shop_project, snapshot

FAMILY = "queue destroyed or replaced (refused unless --allow-destroy)"

# The renames the SHOP topology's email queue gets when its key becomes `mail` with its AWS names kept.
QUEUE_RENAME_MOVES = {
    "aws_cloudwatch_metric_alarm.email_dlq_not_empty": "aws_cloudwatch_metric_alarm.mail_dlq_not_empty",
    "aws_cloudwatch_metric_alarm.email_oldest_message_age": "aws_cloudwatch_metric_alarm.mail_oldest_message_age",
    "aws_sqs_queue.email": "aws_sqs_queue.mail",
    "aws_sqs_queue.email_dlq": "aws_sqs_queue.mail_dlq",
    "aws_sqs_queue_redrive_allow_policy.email_dlq": "aws_sqs_queue_redrive_allow_policy.mail_dlq",
    "aws_sqs_queue_redrive_policy.email": "aws_sqs_queue_redrive_policy.mail",
}
FUNCTION_RENAME_MOVES = {
    f"{kind}.mailer{suffix}": f"{kind}.postman{suffix}"
    for kind, suffix in [
        ("aws_cloudwatch_log_group", ""), ("aws_cloudwatch_metric_alarm", "_errors"),
        ("aws_cloudwatch_metric_alarm", "_throttles"), ("aws_iam_role", ""), ("aws_iam_role_policy", ""),
        ("aws_lambda_event_source_mapping", ""), ("aws_lambda_function", ""), ("aws_lambda_alias", "_live"),
    ]
}


def rename_email_key(text: str, keep_names: bool = True) -> str:
    names = 'name = "email-queue"\ndlq = { name = "email-dlq" }\n' if keep_names else ""
    return (text.replace("[queues.email]\n", f"[queues.mail]\n{names}")
            .replace('queue = "email"', 'queue = "mail"').replace('sends_to = ["email"]', 'sends_to = ["mail"]'))


def rename_mailer_key(text: str) -> str:
    return text.replace("[functions.mailer]\n", '[functions.postman]\nname = "mailer"\n')


def remove_orders(text: str) -> str:
    text = re.sub(r"\[queues\.orders\]\n(?:.+\n)+\n", "", text)
    return text.replace('trigger = { queue = "orders", batch_size = 10, maximum_concurrency = 5 }\n', "")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = shop_project(tmp_path)
    assert main(["generate", str(project / "queues.toml")]) == 0
    return project


def _edit(project: Path, change: Callable[[str], str]) -> Path:
    spec = project / "queues.toml"
    spec.write_text(change(spec.read_text()))
    return spec


def _moves(project: Path) -> dict[str, str]:
    moved = project / "terraform" / MODULE / "moved.tf"
    return {m.source: m.target for m in moved_blocks(moved.read_text())} if moved.exists() else {}


# --- refused losses: (change, queues it loses, words the message must contain) ------------------------------
LOSSES: dict[str, tuple[Callable[[str], str], list[str], str]] = {
    "key renamed, AWS names not kept": (lambda t: rename_email_key(t, keep_names=False),
                                        ["email-dlq", "email-queue"], "would be destroyed"),
    "queue name changed": (lambda t: t.replace("[queues.email]\n", '[queues.email]\nname = "mail-queue"\n'),
                           ["email-queue"], "its name changes to mail-queue"),
    "dlq name changed": (lambda t: t.replace("[queues.email]\n", '[queues.email]\ndlq = { name = "mail-dlq" }\n'),
                         ["email-dlq"], "its name changes to mail-dlq"),
    "standard queue turned FIFO": (lambda t: t.replace("[queues.email]\n", "[queues.email]\nfifo_queue = true\n"),
                                   ["email-dlq", "email-queue"], "fifo_queue changes from false to true"),
    "queue removed": (remove_orders, ["orders-dlq", "orders-queue"], "would be destroyed"),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_a_change_that_loses_messages_is_refused_naming_each_queue(project: Path, name: str, capsys) -> None:
    change, lost, words = LOSSES[name]
    with case(FAMILY):
        spec = _edit(project, change)
        before = snapshot(project / "terraform")
        capsys.readouterr()

        assert main(["generate", str(spec)]) == 1

        err = capsys.readouterr().err
        assert before == snapshot(project / "terraform"), "a refused run wrote to terraform/"
        for queue in lost:
            assert re.search(rf"error: (\S+: )?{re.escape(queue)} would be (destroyed|replaced): messages in it "
                             "are lost", err), err
        assert words in err
        assert f"--allow-destroy {','.join(lost)}`" in err  # the hint gives the exact command
        assert err.count(": error: ") == len(lost)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_the_same_change_goes_ahead_when_allow_destroy_names_every_queue(project: Path, name: str,
                                                                         capsys) -> None:
    change, lost, _ = LOSSES[name]
    with case("queue loss allowed by naming it"):
        spec = _edit(project, change)
        capsys.readouterr()
        if len(lost) > 1:  # naming only some of them is not enough
            assert main(["generate", str(spec), "--allow-destroy", lost[0]]) == 1
            assert f"{lost[1]} would be" in capsys.readouterr().err

        assert main(["generate", str(spec), "--allow-destroy", ",".join(lost)]) == 0

        out, err = capsys.readouterr()
        assert "updated   " in out
        for queue in lost:
            assert "warning: " in err and f"{queue} would be" in err and "as --allow-destroy says" in err
        assert main(["generate", str(spec)]) == 0  # the next run compares with what is now rendered


def test_allowing_a_queue_that_is_not_lost_is_pointed_out(project: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["generate", str(project / "queues.toml"), "--allow-destroy", "emial-dlq"]) == 0
    assert "warning: --allow-destroy emial-dlq: no queue of that name would be destroyed" in capsys.readouterr().err


# --- renames with the AWS names kept: moved blocks ----------------------------------------------------------


@pytest.mark.parametrize(("change", "expected"), [(rename_email_key, QUEUE_RENAME_MOVES),
                                                  (rename_mailer_key, FUNCTION_RENAME_MOVES)],
                         ids=["queue key", "function key"])
def test_a_key_renamed_with_its_aws_names_kept_becomes_moved_blocks(project: Path, change, expected,
                                                                    capsys) -> None:
    spec = _edit(project, change)
    capsys.readouterr()

    assert main(["generate", str(spec)]) == 0

    out, err = capsys.readouterr()
    assert "error" not in err and "would be" not in err
    assert _moves(project) == expected
    assert "created   " in out and "moved.tf" in out
    for source, target in expected.items():  # as `terraform plan` names them, from the root
        assert f"  moved     module.pipeline.{source} → module.pipeline.{target}\n" in out
    assert (project / "terraform" / MODULE / "moved.tf").read_text().startswith("# Code generated by `make generate`")


def test_moved_blocks_stay_through_later_runs_and_changes(project: Path, capsys) -> None:
    spec = _edit(project, rename_email_key)
    main(["generate", str(spec)])
    moved = (project / "terraform" / MODULE / "moved.tf").read_text()

    _edit(project, lambda t: t.replace("visibility_timeout_seconds = 180\nmax_receive_count = 5\n\n[functions",
                                       "visibility_timeout_seconds = 200\nmax_receive_count = 5\n\n[functions"))
    capsys.readouterr()
    assert main(["generate", str(spec)]) == 0
    assert "updated   " in capsys.readouterr().out
    assert (project / "terraform" / MODULE / "moved.tf").read_text() == moved


def test_a_block_the_user_deletes_stays_deleted(project: Path, capsys) -> None:
    spec = _edit(project, rename_email_key)
    main(["generate", str(spec)])
    moved_file = project / "terraform" / MODULE / "moved.tf"
    text = moved_file.read_text()
    block = "\nmoved {\n  from = aws_sqs_queue.email\n  to   = aws_sqs_queue.mail\n}\n"
    assert block in text
    moved_file.write_text(text.replace(block, ""))
    capsys.readouterr()

    assert main(["generate", str(spec)]) == 0

    assert "updated   " in capsys.readouterr().out  # its header hash is refreshed
    remaining = dict(QUEUE_RENAME_MOVES)
    del remaining["aws_sqs_queue.email"]
    assert _moves(project) == remaining
    assert main(["generate", str(spec), "--check"]) == 0


def test_deleting_moved_tf_drops_every_block(project: Path) -> None:
    spec = _edit(project, rename_email_key)
    main(["generate", str(spec)])
    (project / "terraform" / MODULE / "moved.tf").unlink()

    assert main(["generate", str(spec)]) == 0

    assert not (project / "terraform" / MODULE / "moved.tf").exists()


def test_any_other_edit_to_moved_tf_is_refused(project: Path, capsys) -> None:
    spec = _edit(project, rename_email_key)
    main(["generate", str(spec)])
    moved_file = project / "terraform" / MODULE / "moved.tf"
    moved_file.write_text(moved_file.read_text().replace("to   = aws_sqs_queue.mail", "to   = aws_sqs_queue.x"))
    capsys.readouterr()

    assert main(["generate", str(spec)]) == 1

    assert f"{moved_file}: error: was edited by hand" in capsys.readouterr().err


def test_a_block_whose_target_is_gone_is_dropped(project: Path) -> None:
    spec = _edit(project, rename_email_key)
    main(["generate", str(spec)])
    _edit(project, lambda t: t.replace('sends_to = ["mail"]', "sends_to = []").replace(
        '[functions.mailer]\nsource = "worker"\ntimeout = 30\n'
        'trigger = { queue = "mail", batch_size = 10, maximum_concurrency = 5 }\n', ""))
    _edit(project, lambda t: re.sub(r"\[queues\.mail\]\n(?:.+\n)+\n", "", t))

    assert main(["generate", str(spec), "--allow-destroy", "email-queue,email-dlq"]) == 0

    assert not (project / "terraform" / MODULE / "moved.tf").exists()


def test_renaming_twice_keeps_the_chain(project: Path) -> None:
    spec = _edit(project, rename_email_key)
    main(["generate", str(spec)])
    _edit(project, lambda t: t.replace("[queues.mail]", "[queues.post]").replace('"mail"', '"post"'))

    assert main(["generate", str(spec)]) == 0

    moves = _moves(project)
    assert moves["aws_sqs_queue.email"] == "aws_sqs_queue.mail"
    assert moves["aws_sqs_queue.mail"] == "aws_sqs_queue.post"
    assert moves["aws_sqs_queue.mail_dlq"] == "aws_sqs_queue.post_dlq"


def test_a_block_is_dropped_with_a_warning_when_its_from_address_is_declared_again(project: Path,
                                                                                  capsys) -> None:
    spec = _edit(project, rename_email_key)
    main(["generate", str(spec)])
    _edit(project, lambda t: t + "\n[queues.email]\nvisibility_timeout_seconds = 60\nmax_receive_count = 5\n"
          'name = "email-2-queue"\ndlq = { name = "email-2-dlq" }\n')
    capsys.readouterr()

    assert main(["generate", str(spec)]) == 0  # Terraform refuses a move away from a declared address

    err = capsys.readouterr().err
    assert _moves(project) == {}
    assert "warning: the moved block from aws_sqs_queue.email to aws_sqs_queue.mail is dropped" in err
    assert "apply the earlier rename everywhere first" in err


# --- the parser of previous renderings ----------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "name"), [
    ('"video-processing-queue"', "video-processing-queue"),
    ('"${local.name_prefix}video-processing-queue"', "video-processing-queue"),
    ('"orders.fifo"', "orders.fifo"),
    ("aws_sqs_queue.email.name", None),
    ("var.name", None),
])
def test_aws_names_are_read_with_or_without_the_environment_prefix(expression: str, name: str | None) -> None:
    assert literal_name(expression) == name


def _prefixed(text: str) -> str:
    """The rendering as it reads once names carry the per-environment prefix."""
    return re.sub(r'^(  (?:name|function_name|alarm_name)\s*= )"(?!\$\{local\.name_prefix\})',
                  r'\1"${local.name_prefix}', text, flags=re.M)


def test_prefixing_every_name_neither_moves_nor_loses_anything(project: Path) -> None:
    # a rendering from before the per-environment prefix, and the same one with it
    rendered = {p.name: p.read_text().replace("${local.name_prefix}", "")
                for p in (project / "terraform" / MODULE).glob("*.tf")}
    before = resources(rendered)
    after = resources({name: _prefixed(text) for name, text in rendered.items()})
    assert any("${local.name_prefix}" in r.attributes.get("name", "") for r in after.values())

    assert find_moves(before, after) == []
    assert find_losses(before, after, []) == []


def test_a_prefixed_rendering_is_still_recognised_across_a_rename(project: Path) -> None:
    before = resources({p.name: _prefixed(p.read_text()) for p in (project / "terraform" / MODULE).glob("*.tf")})
    spec = _edit(project, rename_email_key)
    main(["generate", str(spec), "--out", str(project / "renamed")])
    after = resources({p.name: _prefixed(p.read_text()) for p in (project / "renamed" / MODULE).glob("*.tf")
                       if p.name != "moved.tf"})

    moves = find_moves(before, after)

    assert {m.source: m.target for m in moves} == QUEUE_RENAME_MOVES
    assert find_losses(before, after, moves) == []
    assert Move("aws_sqs_queue.email", "aws_sqs_queue.mail") in moves


def test_shop_spec_is_the_one_the_tests_edit() -> None:
    # the text replacements above depend on these lines; a changed SHOP must fail here, not silently pass
    for line in ("[queues.email]\n", 'queue = "email"', 'sends_to = ["email"]', "[functions.mailer]\n",
                 'trigger = { queue = "orders", batch_size = 10, maximum_concurrency = 5 }\n'):
        assert line in SHOP
