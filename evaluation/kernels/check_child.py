"""Child process: run one candidate's trials and write a JSON result.

Usage (by checker.py only): python -m evaluation.kernels.check_child JOB.json RESULT.json
One candidate per process, so nothing it patches, caches or leaks reaches another candidate.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any


def main(job_path: str, result_path: str) -> int:
    job = json.loads(Path(job_path).read_text())
    result = run_job(job)
    Path(result_path).write_text(json.dumps(result))
    return 0


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    device: str = job["device"]
    interpret = os.environ.get("TRITON_INTERPRET") == "1"
    if "triton" in sys.modules or interpret != (device == "cpu"):
        # The interpreter flag is read when kernels are decorated: it must be right before import.
        return {
            "status": "error",
            "reasons": [f"TRITON_INTERPRET={interpret} is wrong for device {device}"],
        }

    import torch  # noqa: F401  (after the environment check, before the candidate)

    from evaluation.kernels import child_setup
    from evaluation.kernels.device_map import map_cuda_to_cpu
    from evaluation.kernels.loading import import_file
    from evaluation.kernels.trials import plan_cases, run_case
    from tasks.kernels import load_problem

    spec = load_problem(job["problem"])
    child_setup.install_poisoned_allocators()
    recorder = None
    if device == "cpu":
        child_setup.install_cpu_autotune_bench()
        recorder = child_setup.LaunchRecorder()
    tripwires = child_setup.Tripwires(spec.forbidden)
    problem = import_file(spec.path, f"kernel_problem_{spec.name}")

    candidate = Path(job["candidate"])
    adaptations: list[str] = []
    if device == "cpu":
        adapted, adaptations = map_cuda_to_cpu(candidate.read_text())
        if adaptations:
            candidate = Path.cwd() / f"adapted_{candidate.name}"  # cwd: the parent's temp dir
            candidate.write_text(adapted)
    out: dict[str, Any] = {"adaptations": adaptations, "skipped": [], "reasons": []}
    try:
        module = import_file(candidate, "kernel_candidate")
        model_new = module.ModelNew
    except Exception as exc:  # the candidate's import error is its result
        return {
            **out,
            "status": "failed",
            "reasons": [f"importing the candidate failed: {type(exc).__name__}: {exc}"],
        }

    dtypes = [d for d in job.get("dtypes") or spec.dtypes if d in spec.dtypes]
    if device == "cpu" and "bfloat16" in dtypes:
        dtypes.remove("bfloat16")
        out["skipped"].append(
            "bfloat16: GPU-only (the Triton interpreter computes bf16 silently wrong)"
        )
    shapes = [s for kind in job["shape_kinds"] for s in spec.shapes[kind][: job.get("max_shapes")]]
    fills = [f for f in job.get("fills") or spec.fills if f in spec.fills]
    cases = plan_cases(shapes, dtypes, fills, job["seed"])

    trials = []
    for case in cases:
        trial = run_case(
            problem,
            model_new,
            case,
            device,
            spec.tolerance[case.dtype],
            spec.fill_params,
            tripwires,
        )
        trials.append(trial)
        if not trial.passed:
            out["reasons"].append(f"{case.dtype} {case.fill} {case.shape}: {trial.reason}")
            if job.get("fail_fast", True):
                break
    passed = bool(trials) and all(t.passed for t in trials)
    if not trials:
        out["reasons"].append("no trials ran (no dtype, shape or fill left)")
    out.update(
        status="passed" if passed else "failed",
        trials=[asdict(t) for t in trials],
        launches=_original_paths(
            recorder.launches if recorder else [], candidate, Path(job["candidate"])
        ),
    )
    return out


def _original_paths(
    launches: list[dict[str, Any]], adapted: Path, original: Path
) -> list[dict[str, Any]]:
    """Kernels of an adapted candidate are identical to the original's; AOT compiles the original."""
    return [
        {**ln, "file": str(original)} if ln["file"] == str(adapted.resolve()) else ln
        for ln in launches
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
