from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from sandbox.api import Limits
from sandbox.environment import sandbox_env
from sandbox.local import LocalMode, LocalSandbox, UnsafeSandboxWarning
from sandbox.quota import DiskWatch, workspace_bytes

MODES: list[LocalMode] = (
    ["plain", "unshare", "bwrap"] if shutil.which("bwrap") else ["plain", "unshare"]
)
BUILD = Path(__file__).resolve().parents[1] / "build"  # outside /tmp and $HOME
MiB = 1024**2
needs_bwrap = pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap not installed")


def make(mode: LocalMode) -> LocalSandbox:
    if mode != "plain":
        return LocalSandbox(mode)
    with pytest.warns(UnsafeSandboxWarning, match="UNSAFE"):
        return LocalSandbox(mode)


@pytest.fixture(params=MODES)
def sandbox(request: pytest.FixtureRequest) -> LocalSandbox:
    return make(request.param)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """pytest's tmp_path, under root's 0700 /tmp/pytest-of-root: bwrap and unshare cover /tmp
    with a fresh tmpfs and bind the workspace back, so nobody can reach it in every mode."""
    return tmp_path


def processes() -> str:
    return subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout


def unique_sleep() -> str:
    """A sleep whose command line no other process has: `sleep 30.<random digits>`."""
    return f"sleep 30.{uuid.uuid4().int % 10**9:09d}"


def running(marker: str) -> str:
    """A shell line printing `marker` only if a process has exactly that command line; a whole
    `ps` listing can outgrow the captured output on a busy host (CI has long command lines)."""
    return f"ps -eo args | grep -x '{marker}'"


def test_runs_and_reports_exit_and_output(sandbox: LocalSandbox, workspace: Path) -> None:
    ok = sandbox.run("echo hello", workspace)
    assert ok.ok and ok.stdout == "hello\n" and ok.stdout_sha256
    bad = sandbox.run("echo oops >&2; exit 3", workspace)
    assert (bad.ending, bad.returncode, bad.stderr) == ("exit", 3, "oops\n")


def test_a_killed_command_ends_by_signal(sandbox: LocalSandbox, workspace: Path) -> None:
    result = sandbox.run("kill -9 $$", workspace)
    assert (result.ending, result.returncode) == ("signal", -9)


def test_timeout_kills_the_whole_group(sandbox: LocalSandbox, workspace: Path) -> None:
    marker = unique_sleep()
    result = sandbox.run(f"{marker} & sleep 30", workspace, limits=Limits(wall_seconds=0.5))
    assert result.ending == "timeout" and result.wall_seconds < 5
    assert marker not in processes()


def test_background_processes_do_not_survive(sandbox: LocalSandbox, workspace: Path) -> None:
    marker = unique_sleep()
    result = sandbox.run(f"({marker} &) ; sleep 0.2; {running(marker)}", workspace)
    assert result.ok and marker in result.stdout  # it was running
    assert marker not in processes()


def test_a_setsid_daemon_does_not_survive(sandbox: LocalSandbox, workspace: Path) -> None:
    if sandbox.mode == "plain" and sandbox.cgroups is None:
        pytest.skip(
            f"plain mode without a cgroup cannot reach a new session: {sandbox.cgroup_note}"
        )
    marker = unique_sleep()
    result = sandbox.run(f"setsid {marker} & sleep 0.2; {running(marker)}", workspace)
    assert result.ok and marker in result.stdout
    assert marker not in processes()


def test_secrets_never_reach_the_command(
    sandbox: LocalSandbox, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-planted-value")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-planted-value")
    result = sandbox.run("env", workspace, env={"MY_API_KEY": "x", "FINE": "1"})
    assert "planted-value" not in result.stdout and "MY_API_KEY" not in result.stdout
    assert "FINE=1" in result.stdout and "PYTHONHASHSEED=0" in result.stdout


def test_cpu_time_and_peak_memory_are_the_commands(sandbox: LocalSandbox, workspace: Path) -> None:
    if sandbox.mode == "unshare" and os.geteuid() == 0:
        pytest.skip("the project's interpreter is under /root, out of nobody's reach without bwrap")
    burn = "b = bytearray(200 << 20); import time; t = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    result = sandbox.run(f"python -c '{burn}'", workspace)
    assert result.ok, result
    assert result.cpu_seconds >= 0.3 and result.peak_memory_bytes >= 200 << 20


def test_memory_limit_ends_as_memory(sandbox: LocalSandbox, workspace: Path) -> None:
    if sandbox.mode == "unshare" and os.geteuid() == 0:
        pytest.skip("the project's interpreter is under /root, out of nobody's reach without bwrap")
    hog = "b = [bytearray(32 << 20) for _ in range(64)]"
    result = sandbox.run(f"python -c '{hog}'", workspace, limits=Limits(memory_bytes=128 << 20))
    assert result.ending == "memory", result


def test_environment_is_an_allowlist() -> None:
    env = sandbox_env(
        base={"PATH": "/bin", "HOME": "/root", "AWS_SECRET_ACCESS_KEY": "x", "RANDOM_VAR": "y"}
    )
    assert "RANDOM_VAR" not in env and "AWS_SECRET_ACCESS_KEY" not in env and env["HOME"] == "/root"


def test_no_isolation_tool_means_no_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="--sandbox unsafe"):
        LocalSandbox()


@needs_bwrap
def test_bwrap_keeps_the_host_read_only(tmp_path: Path) -> None:
    # The repository's build/ is neither under /tmp nor $HOME, which are private tmpfs inside.
    outside = BUILD / f"sandbox-probe-{tmp_path.name}"
    outside.parent.mkdir(exist_ok=True)
    inside = tmp_path / "ws"
    inside.mkdir()
    try:
        result = LocalSandbox("bwrap").run(f"touch {outside}; touch inside.txt", inside)
        assert not outside.exists()
    finally:
        outside.unlink(missing_ok=True)
    assert (inside / "inside.txt").exists()
    # Read-only where the host is visible; absent where the checkout itself lives under /tmp,
    # which is a private tmpfs inside.
    assert "Read-only file system" in result.stderr or "No such file or directory" in result.stderr


@needs_bwrap
def test_bwrap_keeps_git_metadata_read_only(tmp_path: Path) -> None:
    # A writable .git/config would let a candidate run code when perfsmith next runs git.
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    config = (tmp_path / ".git" / "config").read_text()
    result = LocalSandbox("bwrap").run(
        "echo '[core] fsmonitor = evil' >> .git/config; touch ok", tmp_path
    )
    assert (tmp_path / ".git" / "config").read_text() == config and (tmp_path / "ok").exists()
    assert result.returncode == 0  # `touch ok` ran last; the append failed
    assert "Read-only file system" in result.stderr or "Permission denied" in result.stderr


@needs_bwrap
def test_bwrap_hides_home_and_gives_a_private_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = BUILD / f"home-{uuid.uuid4().hex[:8]}"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text("planted-credential\n")
    monkeypatch.setenv("HOME", str(home))
    try:
        result = LocalSandbox("bwrap").run(
            "ls -A $HOME; cat $HOME/.aws/credentials; echo cache > $HOME/c && cat $HOME/c", tmp_path
        )
        assert "planted-credential" not in result.stdout and "cache" in result.stdout
        assert not (home / "c").exists()
    finally:
        shutil.rmtree(home)


@pytest.mark.skipif(os.geteuid() != 0, reason="the workspace is only lent when we are root")
def test_an_unreachable_workspace_is_an_error_not_a_mystery() -> None:
    root = BUILD / f"private-{uuid.uuid4().hex[:8]}"
    (root / "ws").mkdir(parents=True)
    root.chmod(0o700)
    try:
        result = LocalSandbox("unshare").run("true", root / "ws")
    finally:
        shutil.rmtree(root)
    assert result.ending == "error" and f"cannot enter {root}" in result.stderr


@pytest.mark.parametrize("util_linux", [True, False], ids=["exec-chain", "preexec"])
def test_rlimits_and_cgroup_apply_either_way(
    util_linux: bool, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not util_linux:  # without setpriv the launch falls back to a preexec_fn
        which = shutil.which
        monkeypatch.setattr(
            shutil, "which", lambda name: None if name == "setpriv" else which(name)
        )
    with pytest.warns(UnsafeSandboxWarning):
        sandbox = LocalSandbox("plain")
    result = sandbox.run(
        "ulimit -n; cat /proc/self/cgroup", workspace, limits=Limits(open_files=77)
    )
    assert result.ok and result.stdout.splitlines()[0] == "77", result
    if sandbox.cgroups is not None:
        assert "perfsmith-" in result.stdout


DIES_WITH_PARENT = """
import sys
from pathlib import Path
from sandbox.local import LocalSandbox
print("started", flush=True)
LocalSandbox(sys.argv[1]).run("{marker}", Path(sys.argv[2]))
"""


@pytest.mark.parametrize("mode", MODES)
def test_the_command_dies_with_perfsmith(mode: LocalMode, tmp_path: Path) -> None:
    if mode == "plain":
        pytest.skip(
            "unsafe mode has no PID namespace: the command's children outlive a killed perfsmith"
        )
    marker = unique_sleep()
    script = DIES_WITH_PARENT.replace("{marker}", marker)
    workspace = BUILD / f"orphan-{uuid.uuid4().hex[:8]}"
    workspace.mkdir(parents=True)
    try:
        parent = subprocess.Popen(
            [sys.executable, "-W", "ignore", "-c", script, mode, str(workspace)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert parent.stdout is not None and parent.stdout.readline() == "started\n"
        deadline = time.monotonic() + 10
        while marker not in processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker in processes()
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while marker in processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker not in processes()
    finally:
        shutil.rmtree(workspace)


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="the workspace is only lent when we are root")
def test_the_workspace_is_lent_for_the_run_and_given_back(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("x = 1\n")
    tmp_path.chmod(0o700)
    before = {p: (p.lstat().st_uid, p.lstat().st_gid) for p in [tmp_path, *tmp_path.rglob("*")]}
    result = LocalSandbox("bwrap").run(
        "id -u; echo y >> pkg/mod.py; mkdir new; touch new/f; chmod u+s new/f", tmp_path
    )
    assert result.ok and result.stdout.strip() != "0", result
    after = {p: (p.lstat().st_uid, p.lstat().st_gid) for p in [tmp_path, *tmp_path.rglob("*")]}
    assert {p: after[p] for p in before} == before
    assert after[tmp_path / "new" / "f"] == (os.geteuid(), os.getegid())
    assert not (tmp_path / "new" / "f").stat().st_mode & 0o4000  # the setuid bit went too
    assert (tmp_path.stat().st_mode & 0o777) == 0o700


@pytest.mark.skipif(os.geteuid() != 0, reason="a workspace in root's 0700 tmp needs the lend")
def test_unshare_gives_private_scratch_and_keeps_a_workspace_inside_tmp(tmp_path: Path) -> None:
    """pytest's tmp_path lies under /tmp, which unshare mode covers with a fresh tmpfs: the
    workspace is bound back at its own path, the host's /tmp is neither seen nor written."""
    seen_on_host = Path("/tmp") / f"perfsmith-seen-{uuid.uuid4().hex[:8]}"
    seen_on_host.touch()
    try:
        result = LocalSandbox("unshare").run(
            f"pwd; echo kept > out.txt; ls -a /tmp; touch /tmp/inner; test -e {seen_on_host}"
            " && echo HOST-TMP-VISIBLE; true",
            tmp_path,
        )
    finally:
        seen_on_host.unlink()
    assert result.ok, result
    assert result.stdout.splitlines()[0] == str(tmp_path)
    assert (tmp_path / "out.txt").read_text() == "kept\n"
    assert "HOST-TMP-VISIBLE" not in result.stdout and not Path("/tmp/inner").exists()


def test_workspace_bytes_counts_blocks_once_per_inode(tmp_path: Path) -> None:
    empty = workspace_bytes(tmp_path)
    (tmp_path / "data.bin").write_bytes(b"x" * MiB)
    os.link(tmp_path / "data.bin", tmp_path / "same.bin")  # a hard link adds no data
    with open(tmp_path / "sparse.bin", "wb") as sparse:
        sparse.truncate(1024 * MiB)  # a gigabyte long, no block written
    grown = workspace_bytes(tmp_path) - empty
    assert MiB <= grown < 2 * MiB


def test_the_disk_quota_counts_growth_not_what_was_there(
    sandbox: LocalSandbox, workspace: Path
) -> None:
    """A repository already larger than the quota runs; writing past it during a run ends the
    run with the disk ending and a line that says why."""
    (workspace / "dataset.bin").write_bytes(b"d" * 8 * MiB)
    limits = Limits(wall_seconds=30, disk_bytes=4 * MiB)
    assert sandbox.run("cat dataset.bin > /dev/null", workspace, limits=limits).ok
    fill = "for i in 1 2 3 4 5 6 7 8; do head -c 1048576 /dev/zero > f$i; done; sleep 20"
    result = sandbox.run(fill, workspace, limits=limits)
    assert result.ending == "disk" and result.wall_seconds < 10, result
    assert result.stderr.splitlines()[-1].startswith("sandbox: killed: the workspace grew by")


def test_the_quota_watch_walks_early_when_free_space_drops(tmp_path: Path) -> None:
    """With a clock that never moves the periodic walk never comes: only the statvfs check can
    send the watch walking, and it does as soon as the filesystem lost more than the quota."""
    watch = DiskWatch(tmp_path, MiB, clock=lambda: 0.0)
    assert not watch.over()  # whatever else the machine writes, the workspace did not grow
    (tmp_path / "big.bin").write_bytes(b"x" * 2 * MiB)
    assert watch.over() and watch.grown >= 2 * MiB
