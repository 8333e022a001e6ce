"""Helpers to run terraform on a throwaway copy of a generated directory.

A work dir holds only what the generator owns (its generated files, the scaffold files it creates and the
dependency lock file), never what a user added beside them (backend.tf, *.tfvars, extra .tf): those are
theirs, and must not make a test fail. The Lambda zips stay where the generator built them; the work dir
sees them at the same relative path as the real directory does (`${path.module}/../build/lambda/...`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from generator import tfcli
from tests.terraform.sts_stub import closed_port

# Every service the generated configuration may call. The offline plan points each at a closed port.
SERVICES = ("cloudwatch", "dynamodb", "iam", "kms", "lambda", "logs", "s3", "ses", "sesv2", "sns", "sqs")
LOCK_FILE = ".terraform.lock.hcl"
PLAN_REGION = "us-east-1"


class Workdir:
    def __init__(self, source: Path, root: Path, files: Iterable[str] | None = None,
                 build_dir: Path | None = None):
        """Copy `files` (paths relative to `source`; default: every *.tf of the root and of its modules/, and the
        lock file) of `source` into a directory under `root`; when `build_dir` is given (default: the `build/`
        beside `source`, if any), link it where the copied files expect it, so the plan's zip preconditions see
        the zips."""
        if build_dir is None and (source.parent / "build").is_dir():
            build_dir = source.parent / "build"
        self.dir = _placed(root, source, build_dir)
        self.generated: list[str] = []  # the generated files among those copied (set by the topology)
        self.dir.mkdir(parents=True)
        names = sorted(files) if files is not None else sorted(
            p.relative_to(source).as_posix() for pattern in ("*.tf", "modules/*/*.tf", "modules/*/*.tftest.hcl")
            for p in source.glob(pattern))
        for name in [*names, LOCK_FILE]:
            if (source / name).is_file():
                (self.dir / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / name, self.dir / name)
        self.env = tfcli.terraform_env(root / "cli")
        # The provider's own region chain decides (AWS_REGION first); nothing from the user's profile leaks in.
        for variable in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                         "AWS_SESSION_TOKEN"):
            self.env.pop(variable, None)
        self.env.update(AWS_REGION=PLAN_REGION, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        result = tfcli.run([*args, "-no-color"], cwd=self.dir, env=self.env, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"terraform {' '.join(args)} failed ({result.returncode}):\n"
                                 f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def init(self) -> None:
        self.run("init", "-backend=false", "-input=false")

    def write(self, name: str, text: str) -> None:
        (self.dir / name).write_text(text, encoding="utf-8")

    def offline_provider_override(self, sts_url: str) -> None:
        """Fake credentials; STS at the stub; every other endpoint at a closed loopback port."""
        port = closed_port()
        endpoints = "\n".join(f'    {service} = "http://127.0.0.1:{port}"' for service in SERVICES)
        self.write("offline_override.tf", f"""provider "aws" {{
  access_key                  = "AKIAOFFLINEPLAN"
  secret_key                  = "offline-plan"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true

  endpoints {{
    sts = "{sts_url}"
{endpoints}
  }}
}}
""")

    def plan_json(self, *args: str) -> dict:
        self.run("plan", "-input=false", "-lock=false", "-out=offline.tfplan", *args)
        shown = self.run("show", "-json", "offline.tfplan")
        return json.loads(shown.stdout)


def _placed(root: Path, source: Path, build_dir: Path | None) -> Path:
    """Where the copy of `source` goes under root, with `build_dir` linked at the same relative path."""
    base = root / "tree"
    if build_dir is None:
        return base / source.name
    relative = Path(os.path.relpath(build_dir.absolute(), source.absolute()))  # as the files see it (a link too)
    ups = len([part for part in relative.parts if part == ".."])
    directory = base.joinpath(*[f"up{level}" for level in range(1, ups)], source.name)
    link = Path(os.path.normpath(directory / relative))
    link.parent.mkdir(parents=True, exist_ok=True)
    build_dir.mkdir(parents=True, exist_ok=True)
    link.symlink_to(build_dir.resolve(), target_is_directory=True)
    return directory
