"""`check` warns when a function sends to a FIFO queue and its code cannot be shown to pass MessageGroupId (SQS
refuses such sends), and stays quiet when it can. A warning: `check` still passes. One line a case."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from tests.package.wheelmaker import make_project

FIFO_QUEUES = """
[queues.orders]
fifo_queue = true
max_receive_count = 5

[queues.ledger]
fifo_queue = true
content_based_deduplication = true
max_receive_count = 5

[queues.plain]
max_receive_count = 5
"""
WARNING = ("warning: functions.fn.sends_to: sends to the FIFO queue orders-queue.fifo, but neither lambdas/fn/ nor "
           "lambdas/common/ passes MessageGroupId to SQS")
BOTO_SEND = ("import boto3\n\n\ndef send(body):\n"
             "    boto3.client('sqs').send_message(QueueUrl='u', MessageBody=body{})\n")
SQS_HELPER_WITH_GROUP = ("def send(url, body):\n    params = {'QueueUrl': url, 'MessageBody': body}\n"
                         "    if url.endswith('.fifo'):\n        params['MessageGroupId'] = 'g'\n    return params\n")

# (files under lambdas/, the queues fn sends to, whether the warning is expected)
CASES = {
    "boto3 send without a group id": ({"fn/handler.py": BOTO_SEND.format("")}, ["orders"], True),
    "through common.sqs, which has no group id": (
        {"fn/handler.py": "from common import sqs\nsqs.send('u', 'b')\n",
         "common/sqs.py": "def send(url, body):\n    return {'QueueUrl': url}\n"}, ["orders"], True),
    "MessageGroupId only in a comment": ({"fn/handler.py": BOTO_SEND.format("") + "# MessageGroupId=...\n"},
                                         ["orders"], True),
    "MessageGroupId only in a docstring": ({"fn/handler.py": '"""Sets MessageGroupId later."""\n'
                                            + BOTO_SEND.format("")}, ["orders"], True),
    "a variable named MessageGroupId": ({"fn/handler.py": "MessageGroupId = 'g'\n" + BOTO_SEND.format("")},
                                        ["orders"], True),
    "common/sqs.py sets it but fn sends with boto3": ({"fn/handler.py": BOTO_SEND.format(""),
                                                       "common/sqs.py": SQS_HELPER_WITH_GROUP}, ["orders"], True),
    "no code in the function at all": ({}, ["orders"], True),
    # quiet
    "keyword MessageGroupId": ({"fn/handler.py": BOTO_SEND.format(", MessageGroupId='g'")}, ["orders"], False),
    "batch entries with a group id": ({"fn/handler.py": "import boto3\nboto3.client('sqs').send_message_batch("
                                       "QueueUrl='u', Entries=[{'Id': '1', 'MessageBody': 'b', "
                                       "'MessageGroupId': 'g'}])\n"}, ["orders"], False),
    "a ** dict with a group id": ({"fn/handler.py": "import boto3\nboto3.client('sqs').send_message("
                                   "**{'QueueUrl': 'u', 'MessageGroupId': 'g'})\n"}, ["orders"], False),
    "from common import sqs, which sets it": ({"fn/handler.py": "from common import sqs\nsqs.send('u', 'b')\n",
                                               "common/sqs.py": SQS_HELPER_WITH_GROUP}, ["orders"], False),
    "from common.sqs import send, which sets it": ({"fn/handler.py": "from common.sqs import send\nsend('u', 'b')\n",
                                                    "common/sqs.py": SQS_HELPER_WITH_GROUP}, ["orders"], False),
    "another common module passes it": ({"fn/handler.py": "from common import out\n",
                                         "common/out.py": BOTO_SEND.format(", MessageGroupId='g'")},
                                        ["orders"], False),
    "standard queues only": ({"fn/handler.py": BOTO_SEND.format("")}, ["plain"], False),
}


@pytest.mark.parametrize(("files", "sends_to", "warned"),
                         [pytest.param(*case, id=name, marks=pytest.mark.family("FIFO producers"))
                          for name, case in CASES.items()])
def test_fifo_producers(tmp_path: Path, capsys, files, sends_to, warned) -> None:
    spec = make_project(tmp_path / "project", sends_to=sends_to, extra_queues=FIFO_QUEUES)
    for relative, text in files.items():
        path = spec.parent / "lambdas" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    assert main(["check", str(spec)]) == 0

    err = capsys.readouterr().err
    assert (WARNING in err) == warned, err
    if warned:
        assert "hint: SQS refuses FIFO sends without it: pass MessageGroupId= (and MessageDeduplicationId=" in err


def test_every_fifo_queue_a_function_sends_to_is_named(tmp_path: Path, capsys) -> None:
    spec = make_project(tmp_path / "project", sends_to=["ledger", "plain", "orders"], extra_queues=FIFO_QUEUES)
    assert main(["check", str(spec)]) == 0
    assert ("sends to the FIFO queues ledger-queue.fifo, orders-queue.fifo, but neither"
            in capsys.readouterr().err)
