"""The docker backend against a real engine (DOCKER_HOST; see .ci/docker-up.sh). Skipped, with
the reason, when no engine answers or its image is missing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from profilers import PySpyProfiler
from sandbox.api import Limits, Workload
from sandbox.docker_backend import LABEL, MAX_WARM, DockerSandbox, engine_unavailable_reason

REASON = engine_unavailable_reason()
needs_engine = pytest.mark.skipif(REASON is not None, reason=REASON or "")


@pytest.fixture
def sandbox() -> Iterator[DockerSandbox]:
    if REASON:
        pytest.skip(REASON)
    with DockerSandbox() as sandbox:
        yield sandbox


def containers(client: docker.DockerClient, workspace: Path | None = None) -> list[str]:
    label = LABEL if workspace is None else f"{LABEL}={workspace.resolve()}"
    return [c.id for c in client.containers.list(all=True, filters={"label": label})]


def test_an_unreachable_engine_is_a_reason_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/nothing.sock")
    reason = engine_unavailable_reason()
    assert reason is not None and "docker-up.sh" in reason and "nothing.sock" in reason


@needs_engine
def test_runs_and_reports_exit_and_output(sandbox: DockerSandbox, tmp_path: Path) -> None:
    ok = sandbox.run("echo hello; id -u", tmp_path)
    assert ok.ok and ok.stdout.startswith("hello\n") and int(ok.stdout.split()[1]) != 0
    bad = sandbox.run("echo oops >&2; exit 3", tmp_path)
    assert (bad.ending, bad.returncode, bad.stderr) == ("exit", 3, "oops\n")
    killed = sandbox.run("sh -c 'kill -9 $$'", tmp_path)
    assert (killed.ending, killed.returncode) == ("signal", -9)


@needs_engine
def test_the_workspace_and_python_have_their_host_paths(
    sandbox: DockerSandbox, tmp_path: Path
) -> None:
    result = sandbox.run(
        "pwd; python -c 'import sys; print(sys.prefix)'; touch made-inside", tmp_path
    )
    assert result.stdout.split() == [str(tmp_path.resolve()), sys.prefix], result
    assert (tmp_path / "made-inside").exists()


@needs_engine
def test_one_warm_container_per_workspace(sandbox: DockerSandbox, tmp_path: Path) -> None:
    spaces = [tmp_path / f"ws{i}" for i in range(MAX_WARM + 1)]
    for ws in spaces:
        ws.mkdir()
        assert sandbox.run("true", ws).ok
    assert sandbox.run("true", spaces[-1]).ok
    assert len(containers(sandbox.client, spaces[-1])) == 1
    assert containers(sandbox.client, spaces[0]) == []  # the least recently used went
    sandbox.close()
    assert all(containers(sandbox.client, ws) == [] for ws in spaces)


@needs_engine
def test_a_timeout_replaces_the_container(sandbox: DockerSandbox, tmp_path: Path) -> None:
    assert sandbox.run("true", tmp_path).ok
    (before,) = containers(sandbox.client, tmp_path)
    result = sandbox.run("sleep 30", tmp_path, limits=Limits(wall_seconds=1))
    assert result.ending == "timeout" and result.wall_seconds < 5
    assert sandbox.run("echo again", tmp_path).stdout == "again\n"
    assert containers(sandbox.client, tmp_path) != [before]


@needs_engine
def test_leftover_processes_are_swept_after_each_run(
    sandbox: DockerSandbox, tmp_path: Path
) -> None:
    assert sandbox.run("setsid sleep 60 & sleep 0.2", tmp_path).ok
    result = sandbox.run("ps -eo user,args", tmp_path)
    assert "sleep 60" not in result.stdout, result.stdout


@needs_engine
def test_git_metadata_is_read_only(sandbox: DockerSandbox, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    config = (tmp_path / ".git" / "config").read_text()
    sandbox.run("echo '[core] fsmonitor = evil' >> .git/config", tmp_path)
    assert (tmp_path / ".git" / "config").read_text() == config


@needs_engine
def test_pyspy_profiles_inside_the_container(sandbox: DockerSandbox, tmp_path: Path) -> None:
    (tmp_path / "hot.py").write_text(
        "def spin(n):\n    t = 0\n    for i in range(n):\n        t += i * i\n    return t\n\n"
        "for _ in range(5):\n    spin(1_000_000)\n"
    )
    profile = PySpyProfiler().profile(
        Workload(command="python hot.py", timeout_seconds=60), tmp_path, sandbox
    )
    assert profile.hotspots[0].key == "hot.py::spin"
