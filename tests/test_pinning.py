from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from evaluation.pinning import free_core
from sandbox.api import Limits
from sandbox.local import LocalSandbox


def test_free_core_is_one_we_may_use_or_none() -> None:
    core = free_core(window_seconds=0.1)
    assert core is None or core in os.sched_getaffinity(0)


@pytest.mark.skipif(shutil.which("taskset") is None, reason="taskset (util-linux) not installed")
def test_runs_are_pinned_to_the_given_core(tmp_path: Path) -> None:
    core = max(os.sched_getaffinity(0))
    result = LocalSandbox().run(
        "python -c 'import os; print(sorted(os.sched_getaffinity(0)))'",
        tmp_path,
        limits=Limits(cpus=(core,)),
    )
    assert result.ok, result.stderr
    assert result.stdout.strip() == f"[{core}]"
