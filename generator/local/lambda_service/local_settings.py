"""What a function's process gets locally on top of the environment the emulator reports for it: the emulator as
every AWS endpoint, the local credentials, the stack's marker, and the local settings `up` hands over
(RunnerConfig.local_settings; the demo's, generator/local/demo.py). The generated Terraform never carries them;
`up` lists them in its summary. A setting applies only to a function whose environment already has the variable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from generator.local.state import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, STACK_MARKER, LocalSetting


def endpoint_environment(endpoint: str, state_dir: str) -> dict[str, str]:
    """What every function process gets besides its own variables: the emulator as every AWS endpoint."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_KEY,
        "AWS_SESSION_TOKEN": LOCAL_ACCESS_KEY,
        STACK_MARKER: state_dir,
    }


def with_local_settings(environment: Mapping[str, str],
                        settings: Iterable[LocalSetting]) -> tuple[dict[str, str], list[str]]:
    """The function's environment with the local settings applied, and a line per setting that changed it."""
    changed = dict(environment)
    applied = []
    for setting in settings:
        if setting.variable in environment:
            value = setting.applied_to(environment[setting.variable])
            if value != environment[setting.variable]:
                changed[setting.variable] = value
                applied.append(f"{setting.variable}={value} ({setting.why})")
    return changed, applied
