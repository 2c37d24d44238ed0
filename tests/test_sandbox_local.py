from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sandbox.api import Limits
from sandbox.environment import sandbox_env
from sandbox.local import LocalMode, LocalSandbox, UnsafeSandboxWarning

MODES: list[LocalMode] = ["plain", "unshare"] + (["bwrap"] if shutil.which("bwrap") else [])


def make(mode: LocalMode) -> LocalSandbox:
    if mode != "plain":
        return LocalSandbox(mode)
    with pytest.warns(UnsafeSandboxWarning, match="UNSAFE"):
        return LocalSandbox(mode)


@pytest.fixture(params=MODES)
def sandbox(request: pytest.FixtureRequest) -> LocalSandbox:
    return make(request.param)


def test_runs_and_reports_exit_and_output(sandbox: LocalSandbox, tmp_path: Path) -> None:
    ok = sandbox.run("echo hello", tmp_path)
    assert ok.ok and ok.stdout == "hello\n" and ok.stdout_sha256
    bad = sandbox.run("echo oops >&2; exit 3", tmp_path)
    assert (bad.ending, bad.returncode, bad.stderr) == ("exit", 3, "oops\n")


def test_timeout_kills_the_whole_group(sandbox: LocalSandbox, tmp_path: Path) -> None:
    marker = "perfsmith-test-sleeper-71723"
    result = sandbox.run(f"sh -c 'exec -a {marker} sleep 30' & sleep 30", tmp_path,
                         limits=Limits(wall_seconds=0.5))
    assert result.ending == "timeout" and result.wall_seconds < 5
    assert marker not in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout


def test_background_processes_do_not_survive(sandbox: LocalSandbox, tmp_path: Path) -> None:
    marker = "perfsmith-test-daemon-55121"
    result = sandbox.run(f"(exec -a {marker} sleep 30 &) ; echo started", tmp_path)
    assert result.ok
    assert marker not in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout


def test_secrets_never_reach_the_command(sandbox: LocalSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-planted-value")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-planted-value")
    result = sandbox.run("env", tmp_path, env={"MY_API_KEY": "x", "FINE": "1"})
    assert "planted-value" not in result.stdout and "MY_API_KEY" not in result.stdout
    assert "FINE=1" in result.stdout and "PYTHONHASHSEED=0" in result.stdout


def test_environment_is_an_allowlist() -> None:
    env = sandbox_env(base={"PATH": "/bin", "HOME": "/root", "AWS_SECRET_ACCESS_KEY": "x", "RANDOM_VAR": "y"})
    assert "RANDOM_VAR" not in env and "AWS_SECRET_ACCESS_KEY" not in env and env["HOME"] == "/root"


@pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap not installed")
def test_bwrap_keeps_the_host_read_only(tmp_path: Path) -> None:
    # The repository's build/ is neither under /tmp nor $HOME, which are private tmpfs inside.
    outside = Path(__file__).resolve().parents[1] / "build" / f"sandbox-probe-{tmp_path.name}"
    outside.parent.mkdir(exist_ok=True)
    inside = tmp_path / "ws"
    inside.mkdir()
    try:
        result = LocalSandbox("bwrap").run(f"touch {outside}; touch inside.txt", inside)
        assert not outside.exists()
    finally:
        outside.unlink(missing_ok=True)
    assert (inside / "inside.txt").exists()
    assert "Read-only file system" in result.stderr
