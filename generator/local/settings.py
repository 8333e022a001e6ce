"""Settings that must differ locally, applied on top of the environment the emulator reports for a function.

The generated Terraform never carries them; `up` lists them in its summary. Each applies only to a function
whose environment already has the variable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

LOCAL_ACCOUNT_KEY = "local"  # fake credentials: the emulator accepts any


@dataclass(frozen=True)
class LocalSetting:
    variable: str
    why: str
    value: Callable[[str], str]


LOCAL_SETTINGS = (
    LocalSetting("ALLOWED_VIDEO_HOSTS", "the router admits the loopback video server (127.0.0.1)",
                 lambda value: value if "127.0.0.1" in value.split(",") else f"{value},127.0.0.1"),
    LocalSetting("ALLOW_LOOPBACK_URLS", "the downloader may fetch from loopback (the local video server)",
                 lambda value: "true"),
)


def runtime_environment(endpoint: str, marker: tuple[str, str]) -> dict[str, str]:
    """What every function process gets besides its own variables: the emulator as every AWS endpoint."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": LOCAL_ACCOUNT_KEY,
        "AWS_SECRET_ACCESS_KEY": LOCAL_ACCOUNT_KEY,
        "AWS_SESSION_TOKEN": LOCAL_ACCOUNT_KEY,
        marker[0]: marker[1],
    }


def with_local_settings(environment: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The function's environment with the local settings applied, and a line per setting that changed it."""
    changed = dict(environment)
    applied = []
    for setting in LOCAL_SETTINGS:
        if setting.variable in environment:
            value = setting.value(environment[setting.variable])
            if value != environment[setting.variable]:
                changed[setting.variable] = value
                applied.append(f"{setting.variable}={value} ({setting.why})")
    return changed, applied
