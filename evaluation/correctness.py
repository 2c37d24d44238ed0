"""Correctness judge: the project's own tests, run in the candidate's workspace."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from sandbox.api import Limits, Sandbox

PYTEST_NO_TESTS = 5


class TestOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    passed: bool
    reason: str  # one line
    seconds: float
    output_tail: str


def run_tests(sandbox: Sandbox, command: str, workspace: Path, timeout: float) -> TestOutcome:
    result = sandbox.run(command, workspace, limits=Limits(wall_seconds=timeout))
    tail = (result.stdout + result.stderr)[-4000:]
    if result.ok:
        return TestOutcome(
            passed=True, reason="tests passed", seconds=result.wall_seconds, output_tail=tail
        )
    if result.ending == "exit" and result.returncode == PYTEST_NO_TESTS:
        reason = "the test command collected no tests"
    else:
        reason = f"tests failed: {result.describe()}; {_last_line(tail)}"
    return TestOutcome(passed=False, reason=reason, seconds=result.wall_seconds, output_tail=tail)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"
