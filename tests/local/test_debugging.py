"""`up --debug FUNCTION`: what `up` hands the Lambda service, what the service runs, and what the developer is told."""

from __future__ import annotations

import json
from pathlib import Path

from generator.local import debugging
from generator.local.lambda_service.environments import Debugger
from generator.local.state import LocalState, RunnerConfig, RunnerRecord


def test_the_debug_settings_reach_the_lambda_service(tmp_path):
    state = LocalState(tmp_path)
    settings = debugging.settings("downloader", tmp_path / "debugpy", 5679)
    RunnerConfig(endpoint="http://127.0.0.1:1", region="us-east-1", retry_delay=2, zip_dir="z", runtimes={},
                 debug=settings).write(state)
    read = RunnerConfig.read(state.dir)
    assert read.debug == settings
    assert settings.timeout == debugging.DEBUG_TIMEOUT_S and settings.visibility > settings.timeout
    RunnerConfig(endpoint="e", region="r", retry_delay=None, zip_dir="z", runtimes={}).write(state)
    assert RunnerConfig.read(state.dir).debug is None


def test_a_runner_record_written_before_the_invoke_endpoint_existed_still_reads():
    old = {"pid": 1, "ready": True, "function_urls": {}, "media_url": "http://127.0.0.1:2", "mappings": {},
           "local_settings": {}, "retry_delay": None}
    record = RunnerRecord.from_json(old)
    assert (record.invoke_endpoint, record.debug_address) == ("", "")


def test_the_environment_starts_under_debugpy_waiting_for_the_client():
    command = Debugger(5679, Path("/x")).command(Path("/py/bin/python"), "handler.lambda_handler")
    assert command[command.index("--listen") + 1] == "127.0.0.1:5679" and "--wait-for-client" in command
    assert command[-3:] == ["-m", "awslambdaric", "handler.lambda_handler"]


def test_the_hint_names_the_address_and_an_attach_configuration(tmp_path):
    lines = debugging.attach_hint("downloader", "127.0.0.1:5679", "/state/functions/downloader/abc", tmp_path,
                                  "downloader")
    assert "127.0.0.1:5679" in lines[0]
    configuration = json.loads("\n".join(lines[2:]))
    assert (configuration["type"], configuration["request"], configuration["connect"]) == (
        "debugpy", "attach", {"host": "127.0.0.1", "port": 5679})
    assert {"localRoot": str(tmp_path / "lambdas" / "downloader"),
            "remoteRoot": "/state/functions/downloader/abc"} in configuration["pathMappings"]
