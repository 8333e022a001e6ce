"""The 4 KB environment rule computes the real size: the JSON of the variables map, as Lambda measures it,
with each queue URL at its longest (https://sqs.<longest region>.amazonaws.com/<12 digits>/<name with the
longest environment prefix>). Both sides of the boundary, byte for byte."""

from __future__ import annotations

import pytest

from generator import rules
from generator.naming import environment_room
from generator.plan.build import build_plan
from generator.plan.model import CodePlan, ZipDirs
from generator.problems import Level
from generator.rules.environment import environment_size, largest_environment
from generator.spec.load import load_spec
from tests.conftest import TOPOLOGIES
from tests.generator.specs import assert_problem, only, spec_with

# The baseline project "shop" leaves room for the 16-character environment cap, so names count with a
# 17-character prefix ("<16 characters>-"); the longest region name has 14 characters.
PREFIX = 17
URL = len("https://sqs.") + 14 + len(".amazonaws.com/") + 12 + len("/")  # before the queue name
SERVICE = len('"POWERTOOLS_SERVICE_NAME":"worker"')


def _tenants(count: int, **environment: str) -> dict:
    queues = {f"tenant-{i:02d}": {"max_receive_count": 5} for i in range(1, count + 1)}
    return {"queues": queues, "functions": {"worker": {"sends_to": sorted(queues), "environment": environment}}}


def _expected(count: int, settings: dict[str, str]) -> int:
    """Bytes by arithmetic: braces, commas between entries, and each "NAME":"value"."""
    url_entries = count * (len('"TENANT_01_QUEUE_URL":""') + URL + PREFIX + len("tenant-01-queue"))
    setting_entries = sum(len(f'"{name}":""') + len(value) for name, value in settings.items())
    entries = 1 + count + len(settings)
    return 2 + (entries - 1) + SERVICE + url_entries + setting_entries


def test_the_baseline_leaves_room_for_the_longest_environment() -> None:
    assert environment_room(spec_with()).length == PREFIX - 1


def test_a_function_sending_to_35_queues_fits() -> None:
    # The old estimate (120 bytes per URL) refused this function at 5050 bytes.
    spec = spec_with(_tenants(35))
    assert environment_size(largest_environment(spec, "worker", spec.functions["worker"])) == _expected(35, {})
    assert _expected(35, {}) < 4096
    assert list(rules.environment_fits(spec)) == []


@pytest.mark.parametrize(("size", "refused"), [(4096, False), (4097, True)])
def test_the_boundary_is_exact(size: int, refused: bool) -> None:
    padding = size - _expected(35, {"PAD": ""})
    spec = spec_with(_tenants(35, PAD="x" * padding))
    measured = environment_size(largest_environment(spec, "worker", spec.functions["worker"]))
    assert measured == size
    problems = list(rules.environment_fits(spec))
    if refused:
        assert_problem(only(problems), Level.ERROR, ("functions", "worker", "environment"),
                       f"can take {size} bytes", "ap-southeast-5", "16-character environment", "allows 4096")
    else:
        assert problems == []


def test_escapes_count_as_json_writes_them() -> None:
    # a newline is two bytes in JSON (\n), a quote two (\"), a non-ASCII letter its UTF-8 bytes
    spec = spec_with({"functions": {"worker": {"environment": {"TEXT": 'a\n"é'}}}})
    variables = largest_environment(spec, "worker", spec.functions["worker"])
    assert environment_size(variables) == 2 + SERVICE + 1 + len('"TEXT":""') + len('a\\n\\"') + 2


@pytest.mark.parametrize("topology", ["seed", "marketplace"])
def test_the_rule_measures_exactly_the_variables_the_function_gets(topology: str) -> None:
    spec = load_spec(TOPOLOGIES / topology / "queues.toml").spec
    code = {key: CodePlan(filename='"x.zip"', source_code_hash="h", via_s3=False, s3_key="", missing_zip_message="m")
            for key in spec.functions}
    for fn in build_plan(spec, "queues.toml", code, ZipDirs("zips", "zips")).functions:
        rendered = {line.split("=")[0].strip() for line in fn.environment}
        assert rendered == set(largest_environment(spec, fn.key, spec.functions[fn.key])), fn.key
