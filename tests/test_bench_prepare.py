"""Setting tasks up: git sources lose their future, sdists become repositories and expert
diffs, task scripts are committed, environments see perfsmith's packages. No network: sdists
come from a cache the test fills with hand-made archives."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from evaluation.suite.environment import make_env, run_setup
from evaluation.suite.prepare import prepare
from evaluation.suite.records import TaskFailure
from evaluation.suite.sdist import fetch
from tasks.formats import ExpertSpec, GitSource, PathSource, SdistSource, TaskSpec, WorkloadSpec

WORKLOAD = [WorkloadSpec(bench="python -c 'print(1)'")]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


def sdist(cache: Path, name: str, version: str, files: dict[str, str]) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    with tarfile.open(cache / f"{name}-{version}.tar.gz", "w:gz") as tf:
        for rel, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-{version}/{rel}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


def test_git_source_keeps_the_past_and_drops_the_future(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q")
    first = commit(origin, {"lib.py": "x = 1\n"}, "first")
    base = commit(origin, {"lib.py": "x = 2\n"}, "base")
    fix = commit(origin, {"lib.py": "x = 3\n"}, "the fix")
    git(origin, "tag", "v-fix")
    task = TaskSpec(
        id="g",
        source=GitSource(url=str(origin), commit=base),
        workloads=WORKLOAD,
        expert=ExpertSpec(commit=fix),
    )
    prepared = prepare(task, tmp_path / "work" / "g", tmp_path / "cache")
    repo = prepared.repo
    assert (repo / "lib.py").read_text() == "x = 2\n"
    assert git(repo, "log", "--format=%H").split() == [base, first]
    assert git(repo, "tag") == "" and git(repo, "remote") == ""
    assert (
        subprocess.run(
            ["git", "-C", str(repo), "cat-file", "-e", fix], capture_output=True
        ).returncode
        != 0
    )
    assert "-x = 2\n+x = 3" in prepared.expert_patch


def test_sdist_source_and_expert_diff_of_the_package_folder(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sdist(
        cache,
        "toy_pkg",
        "1.0",
        {
            "toy/core.py": "def f():\n    return 1\n",
            "toy/tests/test_core.py": "A\n",
            "docs/index.md": "old\n",
            "setup.py": "\n",
        },
    )
    sdist(
        cache,
        "toy_pkg",
        "1.1",
        {
            "toy/core.py": "def f():\n    return 2\n",
            "toy/tests/test_core.py": "B\n",
            "docs/index.md": "new\n",
            "setup.py": "\n",
        },
    )
    folder = tmp_path / "task"
    folder.mkdir()
    (folder / "bench.py").write_text("print('bench')\n")
    task = TaskSpec(
        id="s",
        source=SdistSource(requirement="toy-pkg==1.0"),
        package_dir="toy",
        workloads=WORKLOAD,
        scripts=["bench.py"],
        expert=ExpertSpec(sdist="toy-pkg==1.1"),
        folder=folder,
    )
    prepared = prepare(task, tmp_path / "work" / "s", cache)
    assert (prepared.repo / "toy" / "core.py").read_text().endswith("return 1\n")
    assert (prepared.repo / "perfsmith_task" / "bench.py").is_file()
    assert git(prepared.repo, "status", "--porcelain") == ""  # the task's scripts are committed
    patch = prepared.expert_patch
    assert "diff --git a/toy/core.py b/toy/core.py" in patch and "+    return 2" in patch
    assert "tests" not in patch and "docs" not in patch  # only the package's sources
    assert (
        subprocess.run(
            ["git", "-C", str(prepared.repo), "apply", "--check", "-"], input=patch, text=True
        ).returncode
        == 0
    )


def test_cached_sdists_match_normalized_names(tmp_path: Path) -> None:
    sdist(tmp_path, "python_multipart", "0.0.6", {"x.py": ""})
    assert fetch("python-multipart==0.0.6", tmp_path).name == "python_multipart-0.0.6.tar.gz"


def test_path_source_and_a_missing_script(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "__init__.py").write_text("")
    task = TaskSpec(
        id="p",
        source=PathSource(path=str(project)),
        workloads=WORKLOAD,
        scripts=["nope.py"],
        folder=tmp_path,
    )
    with pytest.raises(TaskFailure, match=r"nope\.py is missing") as failure:
        prepare(task, tmp_path / "work" / "p", tmp_path / "cache")
    assert failure.value.status == "setup_failed"


def test_setup_commands_fail_as_setup_failed_and_their_products_join_the_base(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.txt").write_text("a\n")
    ok = TaskSpec(
        id="ok",
        source=PathSource(path=str(project)),
        workloads=WORKLOAD,
        setup=["echo built > built.txt"],
    )
    prepared = prepare(ok, tmp_path / "work" / "ok", tmp_path / "cache")
    assert (prepared.repo / "built.txt").read_text() == "built\n"
    assert git(prepared.repo, "status", "--porcelain") == ""
    assert prepared.env.venv is not None  # set-up never touches perfsmith's own environment
    with pytest.raises(TaskFailure, match="set-up command 'exit 3' failed") as failure:
        run_setup(["exit 3"], prepared.repo, prepared.env, 30)
    assert failure.value.status == "setup_failed"


def test_an_environment_with_requirements_still_sees_perfsmiths_packages(tmp_path: Path) -> None:
    env = make_env(["pytest"], ["src"], tmp_path, timeout=120)  # already satisfied: no download
    assert env.venv is not None
    python = env.venv / "bin" / "python"
    done = subprocess.run(
        [str(python), "-c", "import sys, pytest; print(sys.prefix)"],
        capture_output=True,
        text=True,
        env=env.variables({"PATH": "/usr/bin:/bin"}),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(env.venv)
    assert env.variables({})["PYTHONPATH"] == "src"
    assert (
        make_env([], [], tmp_path, timeout=10).venv is None
    )  # nothing needed: perfsmith's interpreter
