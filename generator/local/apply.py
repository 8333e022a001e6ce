"""Applying the generated Terraform, unchanged, to the emulator.

The generated files are copied into a working directory of the stack's own (.local/terraform/) next to one
override file, `zz_local_override.tf`, which Terraform merges over them: every endpoint at the emulator, fake
credentials, path-style S3, and a local backend whose state lives in .local/. Nothing in terraform/ is edited,
and a user's own backend.tf or provider settings are overridden only in the copy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from generator import tfcli
from generator.local.state import DEFAULT_REGION, LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, LocalError, LocalState

OVERRIDE_NAME = "zz_local_override.tf"
MODULES = "modules"  # the root's modules folder (the generated module is modules/pipeline/)
# Every service a generated configuration may call; STS answers the provider's account lookup.
SERVICES = (
    "cloudwatch", "dynamodb", "iam", "kms", "lambda", "logs", "s3", "ses", "sesv2", "signer", "sns", "sqs", "sts",
)  # fmt: skip
COPIED = ("*.tf", "*.tfvars", "*.tfvars.json", ".terraform.lock.hcl")
_COMPLETE = re.compile(r": (Creation|Modifications|Destruction) complete after ")
_PLANNED = re.compile(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy")

Report = Callable[[str], None]  # a line of progress (generator.progress.Progress, or any callable)


class ApplyError(LocalError):
    pass


def override(endpoint: str) -> str:
    endpoints = "\n".join(f'    {service:<10} = "{endpoint}"' for service in SERVICES)
    return f"""# Written by `python -m generator up`: the generated configuration applied to the local emulator.
# Terraform merges this file over the copied generated files; terraform/ itself is never edited.

terraform {{
  backend "local" {{
    path = "../terraform.tfstate"
  }}
}}

provider "aws" {{
  access_key                  = "{LOCAL_ACCESS_KEY}"
  secret_key                  = "{LOCAL_SECRET_KEY}"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {{
{endpoints}
  }}
}}
"""


class TerraformApply:
    def __init__(self, state: LocalState, terraform_dir: Path, *, own_session: bool = False):
        # own_session: terraform in a session of its own, so stopping the caller's process group (the reloader,
        # when `up` starts) lets a running apply finish instead of interrupting it halfway
        self.own_session = own_session
        self.state = state
        self.source = terraform_dir
        self.workdir = state.dir / "terraform"
        self.env = tfcli.terraform_env(state.dir / "cli")
        # The emulator only: nothing of the user's real AWS configuration (profile, credentials) is read. The
        # region is the configuration's own (var.region, e.g. from terraform.tfvars) or AWS_REGION, else us-east-1.
        for variable in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            self.env.pop(variable, None)
        self.env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        self.env["AWS_REGION"] = self.env.get("AWS_REGION") or self.env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        # Reuse one provider download/copy across stacks: the provider binary is hundreds of MB.
        cache = state.build_dir / "terraform-plugin-cache"
        cache.mkdir(parents=True, exist_ok=True)
        self.env["TF_PLUGIN_CACHE_DIR"] = str(cache)

    def inputs_digest(self, endpoint: str) -> str:
        """What an apply would apply: the configuration files (terraform/ and its modules; the zips' names, which
        carry their inputs' hash, are in them) and the emulator it goes to."""
        import hashlib

        digest = hashlib.sha256(endpoint.encode())
        files = [path for pattern in COPIED for path in sorted(self.source.glob(pattern))]
        if (self.source / MODULES).is_dir():
            files += sorted(path for path in (self.source / MODULES).rglob("*")
                            if path.is_file() and ".terraform" not in path.parts)
        for path in files:
            digest.update(str(path.relative_to(self.source)).encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()

    def prepare(self, endpoint: str) -> None:
        """Mirror the generated configuration into the working directory, with the override beside it."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        wanted = {path.name: path for pattern in COPIED for path in sorted(self.source.glob(pattern))}
        for existing in self.workdir.iterdir():
            # A lock file terraform init wrote here is kept unless terraform/ brings its own.
            keep = {OVERRIDE_NAME, ".terraform.lock.hcl"}
            if existing.is_file() and existing.name not in wanted and existing.name not in keep:
                existing.unlink()
        for name, path in wanted.items():
            shutil.copy2(path, self.workdir / name)  # with its mtime: init runs again only when a call changed
        # The modules the root calls (the generated one, and any of yours kept beside it), as they are now.
        shutil.rmtree(self.workdir / MODULES, ignore_errors=True)
        if (self.source / MODULES).is_dir():
            shutil.copytree(self.source / MODULES, self.workdir / MODULES,
                            ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
        (self.workdir / OVERRIDE_NAME).write_text(override(endpoint), encoding="utf-8")
        # The generated module references the zips relative to itself (${path.module}/../../../build/lambda/...):
        # the working directory sits at the same depth as terraform/, so ../build must be the project's build folder.
        link = self.state.dir / "build"
        if not link.is_symlink():
            link.symlink_to(Path("..") / "build")

    def _run(self, *args: str, progress: Report | None = None, timeout: float = 1800) -> str:
        command = [tfcli.terraform_binary() or "terraform", *args, "-no-color"]
        started = time.monotonic()
        process = subprocess.Popen(
            command, cwd=self.workdir, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=self.own_session,
        )
        lines: list[str] = []
        planned = done = 0
        last_report = started
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if match := _PLANNED.search(line):
                planned = sum(int(n) for n in match.groups())
            if _COMPLETE.search(line):
                done += 1
            now = time.monotonic()
            if progress and now - last_report >= 5:
                last_report = now
                counted = f"{done} of {planned} resources" if planned else f"{done} resources"
                progress(f"terraform {args[0]}: {counted} ({now - started:.0f} s)")
            if now - started > timeout:
                process.kill()
                raise ApplyError(f"terraform {args[0]} took longer than {timeout:.0f} s")
        process.wait()
        output = "".join(lines)
        (self.state.dir / f"terraform-{args[0]}.log").write_text(output, encoding="utf-8")
        if process.returncode != 0:
            errors = [block for block in output.split("\n\n") if block.lstrip().startswith("Error")]
            detail = "\n".join(errors[:3]) or output[-2000:]
            raise ApplyError(f"terraform {args[0]} failed:\n{detail.strip()}\n"
                             f"(full log: {self.state.dir / f'terraform-{args[0]}.log'})")
        return output

    def init(self, progress: Report | None = None) -> None:
        """`terraform init`, unless this working directory is initialised for the modules the root calls now."""
        installed = self.workdir / ".terraform" / "modules" / "modules.json"
        calls = [path for path in self.workdir.glob("*.tf") if "\nmodule " in path.read_text(encoding="utf-8")]
        if (self.workdir / ".terraform" / "terraform.tfstate").exists() and (
            self.workdir / ".terraform.lock.hcl"
        ).exists() and (not calls or (installed.exists() and all(
                path.stat().st_mtime_ns <= installed.stat().st_mtime_ns for path in calls))):
            return
        self._run("init", "-input=false", progress=progress)

    def apply(self, progress: Report | None = None) -> str:
        return self._run("apply", "-auto-approve", "-input=false", "-parallelism=20", progress=progress)

    def apply_targets(self, addresses: list[str], progress: Report | None = None) -> str:
        """Apply only these resources and what they depend on (hot reload: one function's code)."""
        return self._run("apply", "-auto-approve", "-input=false", "-parallelism=20",
                         *(f"-target={address}" for address in addresses), progress=progress)

    def plan_has_changes(self) -> tuple[bool, str]:
        command = [tfcli.terraform_binary() or "terraform", "plan", "-input=false", "-detailed-exitcode", "-no-color"]
        result = subprocess.run(command, cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=600)
        if result.returncode == 1:
            raise ApplyError(f"terraform plan failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
        return result.returncode == 2, result.stdout

    def outputs(self) -> dict[str, object]:
        command = [tfcli.terraform_binary() or "terraform", "output", "-json"]
        result = subprocess.run(command, cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise ApplyError(f"terraform output failed:\n{result.stderr[-2000:]}")
        return {name: value["value"] for name, value in json.loads(result.stdout).items()}
