"""Scale-out on Ray, against a real one-node cluster that this test starts on 127.0.0.1
with the "timing" resource, then stops (its own process group only)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluation.suite.pipeline import Pipeline, SuiteOptions
from evaluation.suite.ray_backend import RayUnavailable, run_on_ray
from evaluation.suite.solvers import NoopSolver

ROOT = Path(__file__).resolve().parents[1]
# Ray replaces 127.0.0.1 by the machine's address unless told it is not forming a cluster
# across machines; with this, every Ray process binds the loopback only.
LOOPBACK = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The head's address and the environment a driver needs: the head's temporary folder as
    RAY_TMPDIR (else it reads another cluster's session from /tmp/ray) and a HOME of their own
    (else an auth token left in ~/.ray by another local cluster is sent, and refused)."""
    ray_cli = shutil.which("ray", path=str(Path(sys.executable).parent))
    if ray_cli is None:
        pytest.skip("ray is not installed (pip install 'perfsmith[ray]')")
    port = free_port()
    temp = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: Ray's socket paths must fit 107 bytes
    log = tmp_path_factory.mktemp("ray-head") / "head.log"  # not in temp: Ray clears that
    env = {
        **os.environ,
        **LOOPBACK,
        "RAY_TMPDIR": temp,
        "HOME": str(tmp_path_factory.mktemp("home")),
    }
    head = subprocess.Popen(
        [
            ray_cli,
            "start",
            "--head",
            "--block",
            "--port",
            str(port),
            "--node-ip-address",
            "127.0.0.1",
            "--num-cpus",
            "2",
            "--resources",
            '{"timing": 1}',
            "--include-dashboard=false",
            "--disable-usage-stats",
            "--temp-dir",
            temp,
        ],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # its own process group: stopping it stops only what it started
    try:
        _wait_until_started(log, head)
        yield f"127.0.0.1:{port}", env
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        shutil.rmtree(temp, ignore_errors=True)


def _wait_until_started(log: Path, head: subprocess.Popen[bytes]) -> None:
    """Until `ray start` says the runtime is up (its port opens earlier than it accepts drivers)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if head.poll() is not None:
            pytest.fail(f"ray start exited early: {log.read_text()[-2000:]}")
        if "Ray runtime started" in log.read_text():
            return
        time.sleep(0.5)
    pytest.fail("the Ray head did not start within 90 s")


def write_tasks(root: Path) -> Path:
    for name in ("one", "two"):
        folder = root / name
        (folder / "project" / "lib").mkdir(parents=True)
        (folder / "project" / "lib" / "__init__.py").write_text("VALUE = 1\n")
        (folder / "task.toml").write_text(
            f'id = "{name}"\npackage_dir = "lib"\npython_path = ["."]\n'
            'tests = ["python -c \'import lib\'"]\n[source]\nkind = "path"\npath = "project"\n'
            "[[workloads]]\nbench = \"python -c 'import lib; print(lib.VALUE)'\"\n"
        )
    return root


def test_tasks_run_as_ray_tasks_with_exclusive_timing(
    ray_head: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    address, env = ray_head
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "agent.bench_command",
        str(write_tasks(tmp_path / "tasks")),
        "--agent",
        "noop",
        "--ray",
        address,
        "--out",
        str(out),
        "--repetitions",
        "3",
        "--warmups",
        "1",
        "--seconds",
        "2",
    ]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = [
        json.loads((out / "results" / f"{name}.json").read_text()) for name in ("one", "two")
    ]
    assert [r["status"] for r in results] == ["ok", "ok"]
    assert json.loads((out / "run.json").read_text())["ray"] == address
    assert (out / "report.md").is_file()


def test_without_ray_installed_the_message_says_how(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what Python does for a module that is not there
    pipeline = Pipeline(NoopSolver(), SuiteOptions(work=tmp_path, cache=tmp_path))
    with pytest.raises(RayUnavailable, match=r"pip install 'perfsmith\[ray\]'"):
        run_on_ray(pipeline, [], "local", lambda result: None)
