"""The edits a user makes on day two, applied to a copy of a project (queues.toml, lambdas/, terraform/,
build/): each is written against whatever topology the project holds, so the test that runs them keeps
holding as the repository's queues.toml changes.

queues.toml is edited as data (tomllib, then written back by `dumps`): comments are lost in the copy, which
is all the edits touch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

# ── a TOML writer for the shapes of queues.toml (tables, strings, integers, booleans, arrays) ─────────────

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def dumps(data: dict) -> str:
    lines: list[str] = []
    _table(lines, (), data)
    return "\n".join(lines).strip("\n") + "\n"


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML's basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML spelling for {type(value).__name__}")


def _table(lines: list[str], path: tuple[str, ...], table: dict) -> None:
    scalars = {key: value for key, value in table.items() if not isinstance(value, dict)}
    tables = {key: value for key, value in table.items() if isinstance(value, dict)}
    if path and (scalars or not tables):
        lines.append("[" + ".".join(_key(part) for part in path) + "]")
    lines.extend(f"{_key(key)} = {_value(value)}" for key, value in scalars.items())
    if path and (scalars or not tables):
        lines.append("")
    for key, value in tables.items():
        _table(lines, (*path, key), value)


# ── the project copy ──────────────────────────────────────────────────────────────────────────────────────

def copy_project(source: Path, destination: Path) -> Path:
    """queues.toml, its lambdas folder and terraform/ (every file, the user's own included); build/ as hard
    links (zips and wheels are only ever replaced, never rewritten in place), so nothing is repackaged."""
    destination.mkdir(parents=True)
    shutil.copy2(source / "queues.toml", destination / "queues.toml")
    lambdas = tomllib.loads((source / "queues.toml").read_text(encoding="utf-8"))["project"].get("lambdas_dir",
                                                                                                  "lambdas")
    shutil.copytree(source / lambdas, destination / lambdas, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(source / "terraform", destination / "terraform",
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "*.tfplan", "tfplan"))
    if (source / "build").is_dir():
        shutil.copytree(source / "build", destination / "build", copy_function=os.link)
    return destination


def _spec(project: Path) -> dict:
    return tomllib.loads((project / "queues.toml").read_text(encoding="utf-8"))


def _write_spec(project: Path, data: dict) -> None:
    (project / "queues.toml").write_text(dumps(data), encoding="utf-8")


def _unused(existing: dict, base: str) -> str:
    key, number = base, 1
    while key in existing:
        number += 1
        key = f"{base}-{number}"
    return key


# How docs/guide/packaging.md says to add a function: copy the template (a handler built on common/, and its pins).
FUNCTION_TEMPLATE = Path(__file__).resolve().parents[2] / "examples" / "function-template"


# ── the edits ─────────────────────────────────────────────────────────────────────────────────────────────

def add_a_queue_and_its_consumer(project: Path) -> None:
    data = _spec(project)
    queue = _unused(data["queues"], "day-two")
    function = _unused(data.setdefault("functions", {}), "day-two-worker")
    data["queues"][queue] = {"description": "Added on day two", "visibility_timeout_seconds": 180,
                             "max_receive_count": 5}
    data["functions"][function] = {"timeout": 30, "trigger": {"queue": queue, "maximum_concurrency": 2}}
    folder = project / data["project"].get("lambdas_dir", "lambdas") / function
    folder.mkdir()
    for name in ("handler.py", "requirements.txt"):
        shutil.copy2(FUNCTION_TEMPLATE / name, folder / name)
    _write_spec(project, data)


def disable_a_trigger(project: Path) -> None:
    """The rollback's step 1 (docs/guide/operations.md, "Rollback"): `enabled = false` on a consumer's trigger."""
    data = _spec(project)
    for function in data.get("functions", {}).values():
        triggers = [function["trigger"]] if "trigger" in function else list(function.get("triggers", {}).values())
        if triggers:
            triggers[0]["enabled"] = False
            _write_spec(project, data)
            return
    add_a_queue_and_its_consumer(project)  # nothing consumes a queue yet: add a consumer, then disable it
    disable_a_trigger(project)


def convert_a_queue_to_fifo(project: Path) -> list[str]:
    """The first standard queue becomes FIFO, with what a FIFO queue requires of its names and consumers.
    Returns the AWS names of the queue and DLQ it replaces (generate asks the user to confirm their loss)."""
    data = _spec(project)
    key = next((k for k, q in data["queues"].items() if not q.get("fifo_queue")), None)
    if key is None:  # every queue is FIFO already: add a standard one, then convert it
        add_a_queue_and_its_consumer(project)
        return convert_a_queue_to_fifo(project)
    queue = data["queues"][key]
    replaced = [queue.get("name") or f"{key}-queue", queue.get("dlq", {}).get("name") or f"{key}-dlq"]
    queue["fifo_queue"] = True
    for table in (queue, queue.get("dlq", {})):
        if "name" in table and not table["name"].endswith(".fifo"):
            table["name"] = table["name"][:75] + ".fifo"
    for function in data.get("functions", {}).values():
        for trigger in _triggers_of(function, key):
            trigger["batch_size"] = min(trigger.get("batch_size", 10), 10)
            trigger.pop("maximum_batching_window_seconds", None)
    _write_spec(project, data)
    return replaced


def _triggers_of(function: dict, queue: str) -> list[dict]:
    found = [function["trigger"]] if function.get("trigger", {}).get("queue") == queue else []
    return found + [settings for name, settings in function.get("triggers", {}).items() if name == queue]


def change_the_region_in_tfvars(project: Path) -> None:
    (project / "terraform" / "terraform.tfvars").write_text('region = "eu-west-1"\n', encoding="utf-8")


BACKEND = '''terraform {
  backend "s3" {
    bucket       = "video-pipeline-terraform-state"
    key          = "video-pipeline/terraform.tfstate"
    region       = "eu-west-1"
    use_lockfile = true
  }
}
'''


def add_a_backend(project: Path) -> None:
    (project / "terraform" / "backend.tf").write_text(BACKEND, encoding="utf-8")


def add_tags(project: Path) -> None:
    """A tag more in the scaffold's variables.tf default (the tests copy it), and one in terraform.tfvars."""
    variables = project / "terraform" / "variables.tf"
    text = variables.read_text(encoding="utf-8")
    marker = 'variable "tags" {'
    assert marker in text and "default = {" in text[text.index(marker):], "variables.tf declares no tags default"
    start = text.index("default = {", text.index(marker)) + len("default = {")
    variables.write_text(text[:start] + '\n    team = "video"' + text[start:], encoding="utf-8")
    (project / "terraform" / "terraform.tfvars").write_text('tags = { cost-centre = "1234" }\n', encoding="utf-8")


EDITS: dict[str, Callable[[Path], list[str] | None]] = {
    "add-a-queue-and-consumer": add_a_queue_and_its_consumer,
    "disable-a-trigger": disable_a_trigger,
    "convert-a-queue-to-fifo": convert_a_queue_to_fifo,
    "change-the-region-in-tfvars": change_the_region_in_tfvars,
    "add-a-backend": add_a_backend,
    "add-tags": add_tags,
}
