"""Capture the fixture of tests/terraform/test_module_migration.py: the state of the seed topology as applied with
the root-only layout of earlier generators (every resource declared in the root, no module).

    .venv/bin/python -m tests.terraform.root_layout.capture_state

Applies seed/*.tf (the seed's generated files as the generator wrote them before the module, frozen here) with
the seed's zips to a fresh local emulator, and writes the state it leaves to seed-state.json. The state's
resources carry the schema versions of the provider installed here (hashicorp/aws 5.100.0).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from generator.local.apply import TerraformApply
from generator.local.emulator import server as emulator
from generator.local.state import LocalState
from generator.pipeline import generate
from tests.conftest import TOPOLOGIES

HERE = Path(__file__).resolve().parent
OLD_FILES = HERE / "seed"
STATE = HERE / "seed-state.json"


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(TOPOLOGIES / "seed", project)
        generate(project / "queues.toml", Path(scratch) / "zips-only")  # builds project/build/lambda/*.zip
        shutil.copytree(OLD_FILES, project / "terraform")
        state = LocalState(project)
        running = emulator.start(state)
        try:
            applied = TerraformApply(state, project / "terraform")
            applied.prepare(running.endpoint)
            applied.init(print)
            applied.apply(print)
            applied_state = json.loads(state.file("terraform.tfstate").read_text(encoding="utf-8"))
            STATE.write_text(json.dumps(applied_state, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
        finally:
            emulator.stop(state)
    print(f"wrote {STATE}")


if __name__ == "__main__":
    main()
