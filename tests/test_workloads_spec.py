"""Which kind of workload the user's `bench` text names, and the command each kind runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import bench_command, load_config, workload_from_bench


@pytest.mark.parametrize(
    "spec",
    [
        "tests/test_x.py::test_a tests/test_y.py::test_b",
        "tests/test_x.py",
        "tests/test_x.py::TestSuite::test_c[1-2]",
        ["tests/test_x.py::test_a", "pkg/tests/helpers.py"],
    ],
)
def test_node_ids_and_test_files_are_pytest(spec: str | list[str]) -> None:
    workload = workload_from_bench(spec, timeout=12)
    words = spec if isinstance(spec, list) else spec.split()
    assert workload.kind == "pytest" and workload.timeout_seconds == 12
    assert workload.command == "python -m pytest -q -p no:cacheprovider " + " ".join(
        f"'{w}'" if "[" in w else w for w in words
    )


@pytest.mark.parametrize(
    ("spec", "target"),
    [("pkg.mod:run", "pkg.mod:run"), ("mod:Class.method@pkg.data:make", "mod:Class.method")],
)
def test_one_module_colon_attr_word_is_a_callable(spec: str, target: str) -> None:
    workload = workload_from_bench(spec)
    assert (workload.kind, workload.spec) == ("callable", spec)
    assert workload.command.startswith("python -c ") and target.split(":")[1] in workload.command


@pytest.mark.parametrize(
    "spec",
    [
        "python bench.py",
        "make bench",
        "pkg/mod.py:run",  # a path, not a module
        "pkg.mod:run other.mod:go",  # two words
        "python -c 'print(\"a::b\")'",
        "bench.py",
        "pkg.mod:run(3)",
    ],
)
def test_everything_else_is_a_shell_command(spec: str) -> None:
    workload = workload_from_bench(spec)
    assert (workload.kind, workload.command, workload.spec) == ("command", spec, spec)


def test_a_list_is_a_command_line_split_in_words() -> None:
    workload = workload_from_bench(["python", "bench.py", "--size", "big one"])
    assert workload.kind == "command" and workload.command == "python bench.py --size 'big one'"


def test_config_keeps_the_users_text_and_bench_command_still_builds_the_command(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.perfsmith]\nbench = ["tests/test_a.py::test_x", "tests/test_b.py::test_y"]\n'
    )
    config = load_config(tmp_path, {})
    assert config.bench == "tests/test_a.py::test_x tests/test_b.py::test_y"
    assert workload_from_bench(config.bench, config.bench_timeout).kind == "pytest"
    assert bench_command(config.bench) == (
        "python -m pytest -q -p no:cacheprovider tests/test_a.py::test_x tests/test_b.py::test_y"
    )
