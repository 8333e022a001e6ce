"""Each function's calls carry its execution role's credentials, as on Lambda: the Lambda service assumes the
role (the Role of the emulator's function configuration) through the emulator's STS, with the function's name as
the session name (so the caller is arn:aws:sts::<account>:assumed-role/<role>/<function>, as AWS logs it), and

- hands them to each execution environment as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
  (an environment whose credentials would expire before an invocation could end is replaced by a new one, with
  fresh credentials: Lambda's environments never see their credentials expire);
- polls the function's queues with them (the event source mapping uses the execution role), refreshed by
  botocore before they expire.

The emulator authorizes every call signed with them against the role's policies (emulator/iam_enforcement.py).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3
    from botocore.client import BaseClient

SESSION_SECONDS = 3600  # AssumeRole's default, and a role's default MaxSessionDuration
REFRESH_MARGIN = dt.timedelta(minutes=15)  # botocore's advisory refresh window for role credentials


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    token: str
    expiration: dt.datetime  # aware, UTC

    def environment(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_SESSION_TOKEN": self.token}

    def valid_for(self, seconds: float) -> bool:
        return self.expiration - dt.datetime.now(dt.UTC) > dt.timedelta(seconds=seconds)


class RoleCredentials:
    """A role's credentials from the emulator's STS, assumed again once they come within REFRESH_MARGIN of
    expiring."""

    def __init__(self, sts: Callable[[], BaseClient], role_arn: str, session_name: str):
        self._sts = sts
        self.role_arn = role_arn
        self.session_name = session_name[:64]  # AssumeRole's RoleSessionName limit
        self._lock = threading.Lock()
        self._current: Credentials | None = None

    def current(self) -> Credentials:
        with self._lock:
            if self._current is None or not self._current.valid_for(REFRESH_MARGIN.total_seconds()):
                self._current = self._assume()
            return self._current

    def _assume(self) -> Credentials:
        sts: Any = self._sts()  # an STS client (no STS stubs installed)
        answer = sts.assume_role(RoleArn=self.role_arn, RoleSessionName=self.session_name,
                                 DurationSeconds=SESSION_SECONDS)["Credentials"]
        expiration = answer["Expiration"]
        if expiration.tzinfo is None:
            expiration = expiration.replace(tzinfo=dt.UTC)
        return Credentials(answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"], expiration)

    def session(self, region: str) -> boto3.session.Session:
        """A boto3 session signing with these credentials, refreshed by botocore before they expire."""
        import boto3
        import botocore.session
        from botocore.credentials import RefreshableCredentials

        def metadata() -> dict[str, Any]:
            credentials = self.current()
            return {"access_key": credentials.access_key, "secret_key": credentials.secret_key,
                    "token": credentials.token, "expiry_time": credentials.expiration.isoformat()}

        core = botocore.session.get_session()
        # as botocore's own assume-role provider hands a session refreshable credentials
        core._credentials = RefreshableCredentials.create_from_metadata(  # type: ignore[attr-defined]  # see above
            metadata=metadata(), refresh_using=metadata, method="sts-assume-role")
        return boto3.session.Session(botocore_session=core, region_name=region)
