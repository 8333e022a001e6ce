"""Which AWS the operations commands talk to, chosen explicitly (`--local` or `--aws`), never by accident.

--local: the emulator of the stack `up` started (its endpoint from .local/emulator.json, the local credentials).
--aws:   boto3's own configuration (AWS_PROFILE, AWS_REGION, the credential chain), as the AWS CLI uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from generator.command import CommandError
from generator.local.state import LocalState, RunnerConfig, local_session, running_emulator

if TYPE_CHECKING:
    import boto3
    from botocore.exceptions import ClientError
    from types_boto3_lambda import LambdaClient
    from types_boto3_sqs import SQSClient


class TargetError(CommandError):
    pass


@dataclass(frozen=True)
class Target:
    name: str  # "local" | "aws"
    endpoint: str | None
    region: str | None

    def session(self) -> boto3.session.Session:
        if self.name == "local":
            return local_session(self.region)
        import boto3

        return boto3.session.Session()

    @overload
    def client(self, service: Literal["sqs"]) -> SQSClient: ...
    @overload
    def client(self, service: Literal["lambda"]) -> LambdaClient: ...
    def client(self, service: Literal["sqs", "lambda"]) -> SQSClient | LambdaClient:
        return self.session().client(service, endpoint_url=self.endpoint)

    def describe(self) -> str:
        return f"the local stack at {self.endpoint}" if self.name == "local" else "AWS (boto3's configuration)"


def resolve(name: str, root: Path) -> Target:
    if name == "aws":
        return Target("aws", None, None)
    state = LocalState(root)
    emulator = running_emulator(state)
    if emulator is None:
        raise TargetError("the local stack is not running: start it with `make up`")
    return Target("local", emulator.endpoint, RunnerConfig.region_of(state))


def aws_error(exc: ClientError) -> str:
    """An AWS error in one line (operation, code, message) and, where one helps, a hint."""
    error = exc.response.get("Error", {})
    code, message = error.get("Code", "?"), error.get("Message", "")
    text = f"{exc.operation_name}: {code}: {message}"
    if code in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "ResourceNotFoundException"):
        text += ("\n  hint: is it deployed in this account and region? apply terraform/ first, or pass the "
                 "--environment it was deployed with")
    elif "AccessDenied" in code or code in ("UnauthorizedOperation", "InvalidClientTokenId"):
        text += ("\n  hint: the credentials in use lack this permission (docs/guide/operations.md, \"AWS "
                 "permissions\", lists them)")
    return text
