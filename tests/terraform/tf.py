"""Helpers to run terraform on a throwaway copy of a generated directory."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from generator import tfcli
from tests.terraform.sts_stub import closed_port

# Every service the generated configuration may call. The offline plan points each at a closed port.
SERVICES = ("cloudwatch", "dynamodb", "iam", "kms", "lambda", "logs", "s3", "ses", "sesv2", "sns", "sqs")


class Workdir:
    def __init__(self, source: Path, root: Path):
        self.dir = root / source.name
        shutil.copytree(source, self.dir, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
        # The zips beside it, where ${path.module}/../build points (the plan checks that they exist).
        if (source.parent / "build").is_dir() and not (root / "build").exists():
            (root / "build").symlink_to((source.parent / "build").resolve(), target_is_directory=True)
        self.env = tfcli.terraform_env(root / "cli")

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

    def plan_json(self) -> dict:
        self.run("plan", "-input=false", "-lock=false", "-out=offline.tfplan")
        shown = self.run("show", "-json", "offline.tfplan")
        return json.loads(shown.stdout)
