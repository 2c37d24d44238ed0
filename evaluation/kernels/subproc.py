"""Run a child entry point (`python -m evaluation.kernels.X job.json result.json`) in its own process
group with an allowlisted environment; JSON in, JSON out, the whole group killed on timeout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]

_ENV_ALLOW = {
    "PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "CUDA_VISIBLE_DEVICES", "CUDA_HOME",
    "CUDA_PATH", "LD_LIBRARY_PATH", "NVIDIA_VISIBLE_DEVICES",
}  # fmt: skip
_ENV_PREFIXES = ("TRITON_", "TORCHINDUCTOR_", "TORCH_CUDA_ARCH_LIST")


@dataclass(frozen=True)
class ChildResult:
    returncode: int | None  # None: killed on timeout
    data: dict[str, Any] | None  # the child's JSON result, when it wrote one
    output_tail: str

    def describe_failure(self) -> str:
        if self.returncode is None:
            return "timed out (process group killed)"
        lines = [ln for ln in self.output_tail.splitlines() if ln.strip()]
        return f"child exited {self.returncode}: {lines[-1][:300] if lines else 'no output'}"


def child_env(interpret: bool) -> dict[str, str]:
    """Allowlisted environment; TRITON_INTERPRET is decided here, never inherited."""
    env = {k: v for k, v in os.environ.items() if k in _ENV_ALLOW or k.startswith(_ENV_PREFIXES)}
    env.pop("TRITON_INTERPRET", None)
    if interpret:
        # Must be in the environment before the child imports triton: @jit reads it at decoration.
        env["TRITON_INTERPRET"] = "1"
        env["OMP_NUM_THREADS"] = "1"  # children run side by side; the interpreter is Python-bound
    env.setdefault(
        "TRITON_DEFAULT_FP_FUSION", "1"
    )  # Triton >= 3.9 warns when unset; keep its default
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_child(
    module: str, job: dict[str, Any], *, python: str, interpret: bool, timeout_s: float
) -> ChildResult:
    with tempfile.TemporaryDirectory(prefix="perfsmith-kernel-") as tmp:
        job_path, result_path = Path(tmp) / "job.json", Path(tmp) / "result.json"
        job_path.write_text(json.dumps(job))
        proc = subprocess.Popen(
            [python, "-m", module, str(job_path), str(result_path)],
            cwd=tmp,
            env=child_env(interpret),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, so a timeout kills everything it spawned
        )
        try:
            output, _ = proc.communicate(timeout=timeout_s)
            returncode: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
            returncode = None
        data = json.loads(result_path.read_text()) if result_path.is_file() else None
        return ChildResult(returncode, data, (output or "")[-4000:])
