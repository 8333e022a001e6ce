"""Running the machine's terraform the same way from the Makefile, the tests and the benchmarks.

Where a provider mirror exists (TF_PLUGIN_MIRROR, default /opt/tf-plugins: machines without registry access),
terraform gets a CLI config that installs hashicorp providers from it. Everywhere else terraform keeps its
own configuration and downloads providers as usual.

    python -m generator.tfcli write-config PATH   # used by `make` to write the CLI config
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

DEFAULT_MIRROR = "/opt/tf-plugins"


def mirror_dir(environ: Mapping[str, str] = os.environ) -> Path | None:
    path = Path(environ.get("TF_PLUGIN_MIRROR", DEFAULT_MIRROR))
    return path if path.is_dir() else None


def cli_config(mirror: Path) -> str:
    return (
        "# Written by generator.tfcli: install hashicorp providers from the local mirror, never the registry.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/*"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/hashicorp/*"]\n'
        "  }\n"
        "}\n"
    )


def terraform_binary() -> str | None:
    return shutil.which("terraform")


def terraform_env(config_dir: Path, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment to run terraform with; writes the CLI config into config_dir when a mirror exists."""
    env = dict(environ)
    env["CHECKPOINT_DISABLE"] = "1"
    env.setdefault("TF_IN_AUTOMATION", "1")
    mirror = mirror_dir(environ)
    if mirror is not None:
        config = config_dir / "terraform.rc"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(cli_config(mirror), encoding="utf-8")
        env["TF_CLI_CONFIG_FILE"] = str(config)
    elif env.get("TF_CLI_CONFIG_FILE") and not Path(env["TF_CLI_CONFIG_FILE"]).exists():
        del env["TF_CLI_CONFIG_FILE"]  # a config file that does not exist only produces a warning
    return env


def run(args: Sequence[str], cwd: Path, env: Mapping[str, str],
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    binary = terraform_binary()
    if binary is None:
        raise FileNotFoundError("terraform is not on PATH")
    return subprocess.run([binary, *args], cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "write-config":
        mirror = mirror_dir()
        if mirror is None:
            print("no provider mirror; terraform keeps its own configuration", file=sys.stderr)
            return 0
        Path(argv[1]).parent.mkdir(parents=True, exist_ok=True)
        Path(argv[1]).write_text(cli_config(mirror), encoding="utf-8")
        return 0
    print("usage: python -m generator.tfcli write-config PATH", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
