"""The real CLI on the demo project, offline: the patch applies, the demo's tests pass after it,
the speedup's interval lies above 1, and the user's repository is never changed — not by a
complete run, and not by a run killed midway, which --resume then finishes."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import git

from tasks.demo import materialize

pytestmark = pytest.mark.e2e
PERFSMITH = [sys.executable, "-c", "from agent.cli import main; main()"]
BUDGET = "rounds=2,candidates=12,minutes=12"


def fingerprint(repo: Path) -> dict[str, str]:
    """Tracked files' bytes, the index, every ref and HEAD."""
    files = {
        p: hashlib.sha256((repo / p).read_bytes()).hexdigest()
        for p in git(repo, "ls-files").split()
    }
    return {
        **files,
        "<index>": hashlib.sha256((repo / ".git/index").read_bytes()).hexdigest(),
        "<refs>": git(repo, "for-each-ref"),
        "<HEAD>": (repo / ".git/HEAD").read_text(),
        "<status>": git(repo, "status", "--porcelain"),
    }


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return materialize(tmp_path / "demo")


def test_demo_run_delivers_a_verified_patch(demo: Path, tmp_path: Path) -> None:
    before = fingerprint(demo)
    done = subprocess.run(
        [*PERFSMITH, "optimize", str(demo), "--budget", BUDGET],
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert fingerprint(demo) == before
    (run,) = (demo / ".perfsmith/runs").iterdir()
    report = json.loads((run / "report.json").read_text())
    assert report["accepted"], report["rejected"]
    final = report["final"]
    assert final["outcome"] == "faster" and final["ci_low"] > 1.0
    assert "Verified speedup" in done.stderr
    # The patch applies to the user's HEAD and the demo's own tests pass with it.
    copy = tmp_path / "check"
    git(tmp_path, "clone", "-q", str(demo), str(copy))
    git(copy, "apply", str(run / "best.patch"))
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert tests.returncode == 0, tests.stdout[-2000:]
    assert "## Accepted edits" in (run / "report.md").read_text()
    assert (run / "plots" / "final.png").stat().st_size > 1000


def test_killed_run_changes_nothing_and_resume_finishes_it(demo: Path) -> None:
    before = fingerprint(demo)
    runs = demo / ".perfsmith/runs"
    proc = subprocess.Popen(
        [*PERFSMITH, "optimize", str(demo), "--budget", BUDGET],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        judged = _wait_for_candidates(runs, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert fingerprint(demo) == before
    (run,) = runs.iterdir()
    saved = {p.name: p.read_bytes() for p in (run / "candidates").glob("*.json")}
    assert len(saved) >= len(judged) >= 1

    done = subprocess.run(
        [*PERFSMITH, "optimize", str(demo), "--resume", run.name],
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert fingerprint(demo) == before
    # Candidates judged before the kill are reused, not judged again.
    for name, data in saved.items():
        assert (run / "candidates" / name).read_bytes() == data
    titles = [
        json.loads(line)["message"]
        for line in (run / "events.jsonl").read_text().splitlines()
        if json.loads(line)["kind"] == "candidate"
    ]
    assert len(titles) == len(set(titles)) or len(titles) == len({*titles})
    state = json.loads((run / "run.json").read_text())
    assert state["finished"] is True
    assert (run / "report.json").exists()


def _wait_for_candidates(runs: Path, proc: subprocess.Popen[bytes]) -> list[Path]:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        found = list(runs.glob("*/candidates/*.json")) if runs.exists() else []
        if found:
            return found
        assert proc.poll() is None, "the run ended before judging any candidate"
        time.sleep(0.2)
    raise AssertionError("no candidate judged within 10 minutes")
