"""`rollback`: the week-1 plan's rollback step 3 ("Revert Lambda code to previous version") in seconds.

Every generated function publishes a version when its code or configuration changes, and everything that
invokes it (its mappings, its function URL) invokes its `live` alias. Rolling back moves the alias to an earlier
version: no build, no deploy. The lasting change is the code reverted in git: until then `terraform plan` shows
the alias's drift and the next `terraform apply` moves it back to the newest version (as `disable` leaves a
mapping's drift until queues.toml says `enabled = false`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.command import CommandError
from generator.naming import LIVE_ALIAS

if TYPE_CHECKING:
    from types_boto3_lambda import LambdaClient

SETTLE_TIMEOUT = 30.0
SETTLE_POLL = 0.2


class RollbackError(CommandError):
    def __init__(self, message: str, *, hint: str):
        super().__init__(f"{message}\n  fix: {hint}")


@dataclass(frozen=True)
class Version:
    number: str
    code_sha256: str
    modified: str  # LastModified of the version, as Lambda reports it
    description: str


@dataclass(frozen=True)
class RolledBack:
    function: str
    before: Version
    after: Version
    newest: str  # the newest published version: where the next apply puts the alias back
    waited_s: float  # until invocations used `after`


def versions(lambda_: LambdaClient, function: str) -> list[Version]:
    """The function's published versions, oldest first ($LATEST is not one)."""
    found = []
    for page in lambda_.get_paginator("list_versions_by_function").paginate(FunctionName=function):
        for item in page["Versions"]:
            if item["Version"] != "$LATEST":
                found.append(Version(item["Version"], item["CodeSha256"], item.get("LastModified", ""),
                                     item.get("Description", "")))
    return sorted(found, key=lambda version: int(version.number))


def live_version(lambda_: LambdaClient, function: str) -> str | None:
    """The version the live alias points at; None when the function has no live alias."""
    try:
        return lambda_.get_alias(FunctionName=function, Name=LIVE_ALIAS)["FunctionVersion"]
    except lambda_.exceptions.ResourceNotFoundException:
        return None


def choose(history: list[Version], current: str, to: str | None, function: str) -> Version:
    """The version to roll back to: `to`, or the newest one before the current."""
    by_number = {version.number: version for version in history}
    if to is not None:
        if to not in by_number:
            raise RollbackError(f"{function} has no version {to}; its versions: "
                                f"{', '.join(by_number) or 'none'}",
                                hint=f"pick one of them with --to, or leave --to out for the one before {current}")
        return by_number[to]
    earlier = [version for version in history if version.number.isdigit() and current.isdigit()
               and int(version.number) < int(current)]
    if not earlier:
        raise RollbackError(f"{function}'s live alias is at version {current}, its first: there is nothing earlier "
                            "to roll back to",
                            hint="a function's version history starts at the first apply that publishes it; "
                                 "to stop it consuming instead, use `disable`")
    return earlier[-1]


def rollback(lambda_: LambdaClient, function: str, to: str | None, *,
             in_use: Callable[[str], bool] | None = None,
             progress: Callable[[str], None] = lambda _: None) -> RolledBack:
    """Move `function`'s live alias to `to` (or the version before the current one) and wait until invocations
    use it: `in_use(version)` says so (the local stack's runner); without it, until Lambda reports the alias."""
    current = live_version(lambda_, function)
    if current is None:
        raise RollbackError(f"{function} has no `{LIVE_ALIAS}` alias here, so nothing invokes a version that "
                            "could be rolled back",
                            hint="apply terraform/ as generated (every function publishes versions behind "
                                 f"`{LIVE_ALIAS}`), or check --environment and the region")
    history = versions(lambda_, function)
    by_number = {version.number: version for version in history}
    target = choose(history, current, to, function)
    before = by_number.get(current, Version(current, "", "", ""))
    started = time.monotonic()
    if target.number != current:
        lambda_.update_alias(FunctionName=function, Name=LIVE_ALIAS, FunctionVersion=target.number)
    deadline = started + SETTLE_TIMEOUT
    last_report = started
    while True:
        settled = lambda_.get_alias(FunctionName=function, Name=LIVE_ALIAS)["FunctionVersion"] == target.number
        if settled and (in_use is None or in_use(target.number)):
            break
        if time.monotonic() > deadline:
            raise RollbackError(f"{function}'s live alias points at version {target.number}, but invocations did "
                                f"not use it within {SETTLE_TIMEOUT:.0f} s",
                                hint="the local stack's runner may be down: `make up` starts it again")
        if time.monotonic() - last_report >= 5:
            progress(f"{function}: waiting for invocations to use version {target.number}")
            last_report = time.monotonic()
        time.sleep(SETTLE_POLL)
    return RolledBack(function, before, target, history[-1].number if history else current,
                      time.monotonic() - started)


def describe(rolled: RolledBack, address: str) -> list[str]:
    """What happened, and what `terraform plan` shows until the code is reverted in git."""
    function, before, after = rolled.function, rolled.before, rolled.after
    if before.number == after.number:
        return [f"{function}: live is already version {after.number}; nothing changed"]
    return [
        f"{function}: live {before.number} → {after.number} (code {after.code_sha256[:12]}…, published "
        f"{after.modified or 'at an unknown time'}); invocations use version {after.number} "
        f"({rolled.waited_s:.1f} s)",
        f"  until the change is reverted in git, `terraform plan` shows {address}: function_version "
        f"\"{after.number}\" -> \"{rolled.newest}\", and the next `terraform apply` moves live back to "
        f"version {rolled.newest}",
        "  make it last: revert the change in git, `make generate`, and apply: that publishes the reverted code "
        "as a new version behind live",
        f"  undo: `python -m generator rollback {function} --to {before.number}`",
    ]
