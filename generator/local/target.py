"""Which AWS the operations commands talk to, chosen explicitly (`--local` or `--aws`), never by accident.

--local: the emulator of the stack `up` started (its endpoint from .local/emulator.json, fake credentials).
--aws:   boto3's own configuration (AWS_PROFILE, AWS_REGION, the credential chain), as the AWS CLI uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.local import emulator
from generator.local.state import LocalError, LocalState


class TargetError(LocalError):
    pass


@dataclass(frozen=True)
class Target:
    name: str  # "local" | "aws"
    endpoint: str | None
    region: str | None

    def session(self):  # type: ignore[no-untyped-def]
        import boto3

        if self.name == "local":
            return boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                         region_name=self.region)
        return boto3.session.Session()

    def client(self, service: str):  # type: ignore[no-untyped-def]
        return self.session().client(service, endpoint_url=self.endpoint)

    def describe(self) -> str:
        return f"the local stack at {self.endpoint}" if self.name == "local" else "AWS (boto3's configuration)"


def resolve(name: str, root: Path) -> Target:
    if name == "aws":
        return Target("aws", None, None)
    state = LocalState(root)
    running = emulator.running(state)
    if running is None:
        raise TargetError("the local stack is not running: start it with `make up`")
    config = state.read("runner-config.json") or {}
    return Target("local", running.endpoint, config.get("region") or "us-east-1")
