"""requirements.txt holds exact pins of the whole dependency closure; anything else is an error that names
the function, the line and the fix."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from generator.package.pins import Distribution, parse_pins, unpinned_requirements
from generator.package.target import Target
from tests.package.wheelmaker import make_function

X86 = Target("python3.12", "x86_64")
ARM = Target("python3.12", "arm64")


def _pins(tmp_path: Path, requirements: str, target: Target = X86):
    fn = make_function(tmp_path, "resizer", {"handler.py": ""}, requirements=requirements)
    return fn, *parse_pins(fn, target)


def _dist(name: str, version: str, *requires: str) -> Distribution:
    return Distribution(canonicalize_name(name), Version(version), requires)


def test_exact_pins_are_read_with_their_lines(tmp_path: Path) -> None:
    _, pins, problems = _pins(tmp_path, "# deps\nPillow==11.0.0\n\nrequests[socks]==2.32.3  # http\n")
    assert problems == []
    assert [(p.name, str(p.version), sorted(p.extras), p.line) for p in pins] == [
        ("pillow", "11.0.0", [], 2), ("requests", "2.32.3", ["socks"], 4)]


def test_anything_but_one_exact_version_is_rejected(tmp_path: Path) -> None:
    _, _, problems = _pins(tmp_path, "pillow>=10\nrequests\nurllib3==2.*\n--index-url https://x\n"
                                     "six==1.16.0\nsix==1.17.0\n")
    messages = [p.message for p in problems]
    assert messages == [
        "lambdas/resizer/requirements.txt:1: 'pillow>=10' is not pinned to one version",
        "lambdas/resizer/requirements.txt:2: 'requests' is not pinned to one version",
        "lambdas/resizer/requirements.txt:3: 'urllib3==2.*' is not pinned to one version",
        "lambdas/resizer/requirements.txt:4: pip options are not supported ('--index-url https://x')",
        "lambdas/resizer/requirements.txt:6: six is pinned twice (first on line 5)",
    ]
    assert {p.path for p in problems} == {("functions", "resizer")}
    assert "pillow==<version>" in problems[0].hint


def test_pins_whose_marker_excludes_the_target_are_skipped(tmp_path: Path) -> None:
    requirements = 'fastlib==1.0 ; platform_machine == "x86_64"\nother==2.0\n'
    _, on_x86, _ = _pins(tmp_path, requirements, X86)
    _, on_arm, _ = _pins(tmp_path, requirements, ARM)
    assert [p.name for p in on_x86] == ["fastlib", "other"]
    assert [p.name for p in on_arm] == ["other"]


def test_a_dependency_left_unpinned_is_named_with_what_needs_it(tmp_path: Path) -> None:
    fn, pins, _ = _pins(tmp_path, "aws-lambda-powertools==3.37.0\n")
    dists = {pins[0].name: _dist("aws_lambda_powertools", "3.37.0", "jmespath<2.0.0,>=1.0.1",
                                 "typing-extensions<5.0.0,>=4.11.0", "pydantic<3; extra == 'all'")}

    problems = unpinned_requirements(fn, X86, pins, dists)

    assert [p.message for p in problems] == [
        "aws-lambda-powertools 3.37.0 requires typing-extensions<5.0.0,>=4.11.0, which "
        "lambdas/resizer/requirements.txt does not pin"]
    assert problems[0].path == ("functions", "resizer")
    assert "add `typing-extensions==<version>`" in problems[0].hint


def test_pins_that_contradict_a_requirement_are_reported(tmp_path: Path) -> None:
    fn, pins, _ = _pins(tmp_path, "app==1.0\nlib==1.0\n")
    dists = {canonicalize_name("app"): _dist("app", "1.0", "lib>=2"),
             canonicalize_name("lib"): _dist("lib", "1.0")}
    (problem,) = unpinned_requirements(fn, X86, pins, dists)
    assert problem.message == ("lambdas/resizer/requirements.txt:2: app 1.0 requires lib>=2, "
                               "but lib==1.0 is pinned")


def test_the_runtime_provides_boto3_and_friends_unless_they_are_pinned(tmp_path: Path) -> None:
    fn, pins, _ = _pins(tmp_path, "app==1.0\n")
    dists = {canonicalize_name("app"): _dist("app", "1.0", "boto3>=1.20", "python-dateutil")}
    assert unpinned_requirements(fn, X86, pins, dists) == []

    fn, pins, _ = _pins(tmp_path, "boto3==1.35.0\n")
    dists = {canonicalize_name("boto3"): _dist("boto3", "1.35.0", "botocore<1.36.0,>=1.35.0")}
    (problem,) = unpinned_requirements(fn, X86, pins, dists)
    assert "boto3 1.35.0 requires botocore<1.36.0,>=1.35.0" in problem.message


def test_extras_and_markers_are_evaluated_for_the_target(tmp_path: Path) -> None:
    fn, pins, _ = _pins(tmp_path, "app[fast]==1.0\nlib==1.0\n")
    dists = {
        canonicalize_name("app"): _dist("app", "1.0", "lib[speedups]==1.0; extra == 'fast'",
                                        "winonly==1; sys_platform == 'win32'", "slow==1; extra == 'slow'"),
        canonicalize_name("lib"): _dist("lib", "1.0",
                                        "accel==2; extra == 'speedups' and platform_machine == 'aarch64'"),
    }
    assert unpinned_requirements(fn, X86, pins, dists) == []
    (problem,) = unpinned_requirements(fn, ARM, pins, dists)
    assert "lib 1.0 requires accel==2" in problem.message
