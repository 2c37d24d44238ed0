"""Judge a patch with the measurement engine: does it apply, do the tests pass, is the
workload's output unchanged, and how much faster is it (ours and SWE-Perf's measures)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from evaluation.compare import SamplingPolicy
from evaluation.comparison import GuardedRunner, run_comparison
from evaluation.correctness import run_tests
from evaluation.measure import WorkloadError, WorkloadRunner
from evaluation.records import SpeedVerdict
from evaluation.suite import sweperf
from evaluation.suite.prepare import PreparedTask
from evaluation.suite.records import Status, TaskFailure, WorkloadResult
from evaluation.suite.vcs import git
from sandbox import workspace
from sandbox.api import Sandbox
from tasks.formats import TASK_FILES_DIR


def check_base(task: PreparedTask, sandbox: Sandbox) -> None:
    """A task whose tests or workloads fail before any change is a bad task."""
    _tests(task, sandbox, task.repo, "base_tests_failed")
    for spec, workload in zip(task.task.workloads, task.workloads(), strict=True):
        try:
            WorkloadRunner(sandbox, workload, task.repo).sample()
        except WorkloadError as exc:
            raise TaskFailure("base_workload_failed", f"workload {spec.name}: {exc}") from None


def apply_patch(task: PreparedTask, patch: str, dest: Path) -> list[str]:
    """A copy of the base with `patch` applied, the way SWE-bench-style harnesses try it
    (strict, then ignoring whitespace, then `patch --fuzz`). Returns notes."""
    if not patch.strip():
        raise TaskFailure("empty_patch", "the solver gave no patch")
    workspace.clone(task.repo, dest)
    patch_file = dest / ".git" / "perfsmith-solution.patch"  # outside the work tree
    patch_file.write_text(patch if patch.endswith("\n") else patch + "\n", encoding="utf-8")
    attempts = [
        ["git", "-C", str(dest), "apply", "--whitespace=nowarn", str(patch_file)],
        [
            "git",
            "-C",
            str(dest),
            "apply",
            "--whitespace=nowarn",
            "--ignore-space-change",
            str(patch_file),
        ],
        ["patch", "--batch", "--fuzz=5", "-p1", "-d", str(dest), "-i", str(patch_file)],
    ]
    errors = []
    for argv in attempts:
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode == 0:
            return _restore_task_files(dest)
        errors.append((done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"])
    raise TaskFailure("apply_failed", f"patch does not apply: {errors[0][0][:300]}")


def check_tests(task: PreparedTask, sandbox: Sandbox, patched: Path) -> None:
    _tests(task, sandbox, patched, "tests_failed")


def measure(
    task: PreparedTask,
    sandbox: Sandbox,
    patched: Path,
    expert: Path | None,
    policy: SamplingPolicy,
    warmups: int,
    repetitions: int,
) -> list[WorkloadResult]:
    """Every workload: ours (interleaved, with the output check) and SWE-Perf's (base then
    patched), and the expert against the same base when `expert` is given."""
    results = []
    for spec, workload in zip(task.task.workloads, task.workloads(), strict=True):
        base = WorkloadRunner(sandbox, workload, task.repo)
        new = WorkloadRunner(sandbox, workload, patched)
        verdict = _verdict(base, new, policy, task.workdir / f"guards-{spec.name}", spec.name)
        before = _sequential(base, spec.name, task.workdir / "pristine-seq-a", warmups, repetitions)
        after = _sequential(new, spec.name, task.workdir / "pristine-seq-b", warmups, repetitions)
        expert_verdict = None
        if expert is not None:
            reference = WorkloadRunner(sandbox, workload, expert)
            expert_verdict = _verdict(
                base,
                reference,
                policy,
                task.workdir / f"guards-x-{spec.name}",
                f"{spec.name} (expert)",
            )
        results.append(
            WorkloadResult(
                name=spec.name,
                verdict=verdict,
                sequential_base=before,
                sequential_patched=after,
                sweperf_gain=sweperf.mean_gain(before, after),
                interleaved_gain=sweperf.sweperf_gain(verdict.a_samples, verdict.b_samples),
                mean_speedup=sweperf.mean_ratio(before, after),
                expert=expert_verdict,
            )
        )
    return results


def _verdict(
    a: WorkloadRunner, b: WorkloadRunner, policy: SamplingPolicy, scratch: Path, name: str
) -> SpeedVerdict:
    try:
        comparison = run_comparison(a, b, policy, scratch)
    except WorkloadError as exc:
        raise TaskFailure(_workload_status(exc), f"workload {name}: {exc}") from None
    if comparison.verdict is None:
        raise TaskFailure("output_changed", f"workload {name}: {comparison.output.detail}")
    return comparison.verdict


def _sequential(
    runner: WorkloadRunner, name: str, pristine: Path, warmups: int, repetitions: int
) -> dict[str, list[float]]:
    guarded = GuardedRunner(runner, pristine)  # each run starts from the original files
    try:
        return sweperf.sequential_samples(guarded, name, warmups, repetitions)
    except WorkloadError as exc:
        raise TaskFailure(_workload_status(exc), f"workload {name}: {exc}") from None
    finally:
        guarded.close()


def _tests(task: PreparedTask, sandbox: Sandbox, where: Path, status: Status) -> None:
    for command in task.task.tests:
        outcome = run_tests(sandbox, command, where, task.task.timeout)
        if not outcome.passed:
            timed_out = "timed out" in outcome.reason
            raise TaskFailure("timeout" if timed_out else status, f"{command}: {outcome.reason}")


def _workload_status(exc: WorkloadError) -> Status:
    return "timeout" if "timed out" in str(exc) else "workload_failed"


def _restore_task_files(dest: Path) -> list[str]:
    """The task's own scripts are the benchmark, not the solution: put them back, as SWE-Perf
    resets its test files before running them."""
    changed = git(dest, "status", "--porcelain", "--", TASK_FILES_DIR).strip()
    if not changed:
        return []
    git(dest, "checkout", "HEAD", "--", TASK_FILES_DIR)
    git(dest, "clean", "-fdq", "--", TASK_FILES_DIR)
    return [f"the patch changed the task's own scripts ({TASK_FILES_DIR}/); they were restored"]
