"""Environments: how long `var.environment` may be is decided by the tightest AWS name of the topology, and
every AWS name is printed as "${local.name_prefix}<literal>", so the default environment's names are literal."""

from __future__ import annotations

import re

import pytest

from generator.naming import ENVIRONMENT_CAP, environment_room, prefixed
from tests.conftest import GOLDEN
from tests.generator.specs import function, queue, spec_with


def test_short_names_leave_the_cap() -> None:
    room = environment_room(spec_with())
    assert (room.length, room.reason) == (ENVIRONMENT_CAP, "environment names are at most 16 characters")


@pytest.mark.parametrize(("patch", "length", "reason"), [
    (queue(name="q" * 70), 9, 'the SQS queue name "<environment>-' + "q" * 70 + '" may not exceed 80 characters'),
    (function(name="f" * 50), 8, 'the IAM role name "<environment>-' + "f" * 50 + '-role" may not exceed 64'),
    ({"project": {"name": "a-long-project-name"}}, 5,  # 63 - 29 - 28 (-<12 digits>-<14-character region>) - 1
     'the S3 bucket name "<environment>-a-long-project-name-artifacts-<account id>-<region>" may not exceed 63'),
    (queue(name="q" * 80), 0, "may not exceed 80 characters"),
])
def test_the_tightest_name_decides(patch: dict, length: int, reason: str) -> None:
    room = environment_room(spec_with(patch))
    assert room.length == length
    assert reason in room.reason


def test_names_are_printed_with_the_prefix_before_the_literal() -> None:
    assert prefixed("email-queue") == '"${local.name_prefix}email-queue"'
    assert prefixed("router", "/aws/lambda/") == '"/aws/lambda/${local.name_prefix}router"'


@pytest.mark.parametrize("golden", ["seed", "marketplace", "tenants"])
def test_every_aws_name_in_the_goldens_is_prefixed_literally(golden: str) -> None:
    names = re.compile(r'^  (name|function_name|alarm_name|bucket) +(?:= )(.*)$', re.MULTILINE)
    # an alias's name is unique only within its function (every function has a `live` alias): not prefixed
    blocks = [(path.name, block) for path in sorted((GOLDEN / golden / "modules" / "pipeline").glob("*.tf"))
              for block in path.read_text(encoding="utf-8").split('\nresource "')
              if not block.startswith('aws_lambda_alias"')]
    found = [(file, m[2]) for file, block in blocks for m in names.finditer(block)]
    assert found
    for file, value in found:
        if value.startswith(("aws_", "local.", "data.", "var.")):  # a reference, e.g. a bucket's id
            continue
        assert re.fullmatch(r'"(/aws/lambda/|alias/)?\$\{local\.name_prefix\}[A-Za-z0-9_.@-]+'
                            r'(-\$\{local\.account_id\}-\$\{local\.region\})?"', value), (file, value)
