"""The one-command GPU harness: its requirement probe everywhere, and --cpu-smoke end to end
(Triton interpreter, tiny shapes) where torch and triton are importable."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "kernels_gpu.py"
HAS_TORCH_TRITON = (
    importlib.util.find_spec("torch") is not None and importlib.util.find_spec("triton") is not None
)


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kernels_gpu", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_requirements_are_named_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    script = load_script()
    missing, _ = script.missing_requirements(sys.executable, cpu_smoke=False)
    if not missing:
        pytest.skip("this machine has a GPU, torch and triton: nothing is missing")
    assert any(m.startswith(("torch: not importable", "a visible CUDA GPU")) for m in missing), (
        missing
    )
    assert script.main(["--problems", "row_softmax"]) == 2
    out = capsys.readouterr().out
    assert "cannot run; missing:" in out and missing[0] in out


@pytest.mark.skipif(
    not HAS_TORCH_TRITON, reason="torch/triton not importable here; run with .venv-kernels"
)
def test_cpu_smoke_runs_end_to_end(tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        str(SCRIPT),
        "--cpu-smoke",
        "--problems",
        "row_softmax,embedding_bag",
        "--out",
        str(tmp_path),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["format"] == "perfsmith-kernels/1"
    assert [c["status"] for c in data["checks"]] == ["passed", "passed"]
    softmax_aot = data["checks"][0]["aot"]  # compiled for sm_90 offline
    assert softmax_aot and all(k["ok"] and k["registers"] for k in softmax_aot)
    assert data["checks"][1]["aot"] == []  # embedding_bag's solution is pure PyTorch
    rows = data["rows"]
    assert [r["problem"] for r in rows] == ["row_softmax", "embedding_bag"]
    for r in rows:
        assert r["correct"] and r["eager"]["runs"] == 5 and r["candidate"]["runs"] == 5
        assert r["speedup_vs_eager"] > 0 and "skipped" in r["compile_error"]
        assert any("CPU smoke" in f for f in r["flags"])
    assert set(data["summary"]) >= {"fast_1", "fast_1.5", "median_speedup_vs_eager"}
    assert "| row_softmax |" in (tmp_path / "results.md").read_text()
