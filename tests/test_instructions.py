from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from evaluation.instructions import count_instructions
from sandbox.local import LocalSandbox

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")


def test_counts_are_repeatable_and_track_work(tmp_path: Path) -> None:
    sandbox = LocalSandbox()
    small = f"{sys.executable} -S -c 'sum(range(10000))'"
    large = f"{sys.executable} -S -c 'sum(range(300000))'"
    first = count_instructions(sandbox, small, tmp_path)
    again = count_instructions(sandbox, small, tmp_path)
    more = count_instructions(sandbox, large, tmp_path)
    assert first.instructions and again.instructions and more.instructions
    assert abs(first.instructions - again.instructions) / first.instructions < 0.01
    assert more.instructions > first.instructions * 1.5
    assert first.processes >= 1
    assert not (tmp_path / ".perfsmith-scratch").exists()


def test_a_failing_command_gives_no_count(tmp_path: Path) -> None:
    result = count_instructions(LocalSandbox(), "exit 3", tmp_path)
    assert result.instructions is None and "status 3" in result.note
