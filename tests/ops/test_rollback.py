"""`rollback` (generator/ops/rollback.py) against moto in-process: which version it picks, what it refuses, and
what it tells the user the next plan shows."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from moto import mock_aws

from generator.ops import rollback
from generator.ops.rollback import RollbackError, Version


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", text)
    return buffer.getvalue()


@pytest.fixture
def lambda_():
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"}))
        client = boto3.client("lambda", region_name="us-east-1")
        client.create_function(FunctionName="fn", Runtime="python3.12", Role=role["Role"]["Arn"],
                               Handler="handler.h", Code={"ZipFile": _zip("v = 1")}, Publish=True)
        for text in ("v = 2", "v = 3"):
            client.update_function_code(FunctionName="fn", ZipFile=_zip(text), Publish=True)
        client.create_alias(FunctionName="fn", Name="live", FunctionVersion="3")
        yield client


def test_rollback_moves_live_to_the_version_before_and_says_what_the_plan_shows(lambda_) -> None:
    rolled = rollback.rollback(lambda_, "fn", None)
    assert (rolled.before.number, rolled.after.number, rolled.newest) == ("3", "2", "3")
    assert lambda_.get_alias(FunctionName="fn", Name="live")["FunctionVersion"] == "2"
    lines = rollback.describe(rolled, "module.pipeline.aws_lambda_alias.fn_live")
    assert lines[0].startswith("fn: live 3 → 2")
    assert 'function_version "2" -> "3"' in lines[1]
    again = rollback.rollback(lambda_, "fn", None)  # and once more: the one before that
    assert again.after.number == "1"


def test_rollback_to_a_given_version_waits_until_it_is_in_use(lambda_) -> None:
    asked = []

    def in_use(version: str) -> bool:
        asked.append(version)
        return len(asked) >= 3  # the runner switches on its third look

    rolled = rollback.rollback(lambda_, "fn", "1", in_use=in_use)
    assert rolled.after.number == "1" and asked == ["1", "1", "1"]


def test_rollback_refuses_with_the_reason_and_the_fix(lambda_) -> None:
    with pytest.raises(RollbackError, match=r"fn has no version 7; its versions: 1, 2, 3\n  fix: "):
        rollback.rollback(lambda_, "fn", "7")
    lambda_.update_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    with pytest.raises(RollbackError, match=r"version 1, its first: there is nothing earlier"):
        rollback.rollback(lambda_, "fn", None)
    lambda_.delete_alias(FunctionName="fn", Name="live")
    with pytest.raises(RollbackError, match=r"fn has no `live` alias"):
        rollback.rollback(lambda_, "fn", None)


def test_choose_reads_versions_as_numbers() -> None:
    history = [Version(str(n), f"sha{n}", "", "") for n in (1, 2, 9, 10)]
    assert rollback.choose(history, "10", None, "fn").number == "9"
