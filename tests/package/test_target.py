"""Wheels are chosen for the Lambda runtime and architecture, never for the machine running the build."""

from __future__ import annotations

from packaging.tags import Tag

from generator.package.target import Target


def test_python312_x86_64_accepts_manylinux_up_to_glibc_2_34() -> None:
    platforms = Target("python3.12", "x86_64").platforms
    assert platforms[0] == "manylinux_2_34_x86_64"
    assert {"manylinux_2_28_x86_64", "manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux1_x86_64"} \
        <= set(platforms)
    assert "manylinux_2_35_x86_64" not in platforms
    assert all(platform.endswith("_x86_64") for platform in platforms)


def test_arm64_means_aarch64_wheels_from_manylinux2014_on() -> None:
    platforms = Target("python3.12", "arm64").platforms
    assert platforms[0] == "manylinux_2_34_aarch64" and platforms[-1] == "manylinux2014_aarch64"
    assert all(platform.endswith("_aarch64") for platform in platforms)


def test_python311_runs_on_amazon_linux_2_with_glibc_2_26() -> None:
    platforms = Target("python3.11", "x86_64").platforms
    assert platforms[0] == "manylinux_2_26_x86_64"
    assert "manylinux_2_28_x86_64" not in platforms


def test_tags_prefer_the_cpython_abi_over_pure_python_and_reject_other_platforms() -> None:
    tags = Target("python3.12", "x86_64").tags
    assert tags[Tag("cp312", "cp312", "manylinux_2_28_x86_64")] < tags[Tag("py3", "none", "any")]
    assert Tag("cp311", "cp311", "manylinux_2_28_x86_64") not in tags
    assert Tag("cp312", "cp312", "manylinux_2_28_aarch64") not in tags
    assert Tag("cp312", "cp312", "macosx_11_0_arm64") not in tags
    assert Tag("cp312", "cp312", "musllinux_1_2_x86_64") not in tags


def test_pip_is_told_the_target_not_the_host() -> None:
    arguments = Target("python3.12", "arm64").pip_arguments()
    assert arguments[:8] == ["--only-binary=:all:", "--implementation", "cp", "--python-version", "3.12",
                             "--abi", "cp312", "--platform"]
    assert "manylinux2014_aarch64" in arguments


def test_markers_see_linux_on_the_target_machine() -> None:
    environment = Target("python3.12", "arm64").marker_environment()
    assert (environment["sys_platform"], environment["platform_machine"], environment["python_version"]) == (
        "linux", "aarch64", "3.12")
