"""`perfsmith bench kernels`: the kernel suite through the CLI, on a CPU (Triton's interpreter).

perfsmith runs in the main venv; the candidates are checked with .venv-kernels' interpreter
(torch CPU + triton). Without a GPU the suite reports correctness and says nothing was timed.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import KERNEL_PYTHON, kernel_venv_ready
from typer.testing import CliRunner

from agent.bench_kernels import kernel_python
from agent.cli import app
from agent.kernel_writer import DraftError, extract_module
from tasks.kernels import load_problem
from tasks.kernels.gaming import TRICKS

KPY = KERNEL_PYTHON
needs_kernel_venv = pytest.mark.skipif(
    importlib.util.find_spec("langchain_core") is None or not kernel_venv_ready(),
    reason="needs the main venv and .venv-kernels with torch and triton (make test builds it)",
)


def bench(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["bench", "kernels", *args])
    return result.exit_code, result.output


def results(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "results.json").read_text())
    return data


def test_extract_module_takes_the_last_block_defining_model_new() -> None:
    reply = (
        "First try:\n```python\nclass ModelNew: pass\n```\nBetter:\n"
        "```python\nimport torch\nclass ModelNew:\n    x = 1\n```\n"
    )
    assert extract_module(reply) == "import torch\nclass ModelNew:\n    x = 1\n"
    with pytest.raises(DraftError, match="no ```python block defining class ModelNew"):
        extract_module("```python\nclass Model: pass\n```")


def test_bad_input_gets_one_line(tmp_path: Path) -> None:
    code, output = bench("--only", "no_such_problem", "--out", str(tmp_path))
    assert code == 2 and "no kernel problem named no_such_problem" in output
    code, output = bench("--agent", str(tmp_path / "missing"), "--out", str(tmp_path))
    assert code == 2 and "is neither" in output
    code, output = bench("--out", str(tmp_path))  # perfsmith without a model
    assert code == 2 and "the offline rules proposer writes no kernels" in output
    code, output = bench(
        "--oracle", "--kernel-python", str(tmp_path / "nope"), "--out", str(tmp_path)
    )
    assert code == 2 and "cannot run the kernel suite" in output
    code, output = bench("--oracle", "--attempts", "3", "--jobs", "2", "--out", str(tmp_path))
    assert code == 2 and "does not take --attempts, --jobs (they apply to task suites)" in output
    code, output = bench("--oracle", "--model", "scripted:x.json", "--out", str(tmp_path))
    assert code == 2 and "--model and --base-url drive the perfsmith agent, not --oracle" in output
    code, output = bench("--oracle", "--kernel-python", "/bin/true", "--out", str(tmp_path))
    assert code == 2 and "/bin/true is not a Python interpreter" in output
    assert not (tmp_path / "results.json").exists()


def test_the_kernel_interpreter_is_named_absolutely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The children run in their own folders: a relative path must not be passed on as is.
    monkeypatch.chdir(tmp_path)
    assert kernel_python(".venv-kernels/bin/python") == str(tmp_path / ".venv-kernels/bin/python")
    assert kernel_python("sh") == shutil.which("sh")  # a bare name is looked up on PATH
    link = tmp_path / "python"
    link.symlink_to("/bin/sh")
    assert kernel_python("./python") == str(link)  # the link itself, not what it points to


@needs_kernel_venv
@pytest.mark.e2e
def test_oracle_solutions_are_correct_but_untimed_without_a_gpu(tmp_path: Path) -> None:
    code, output = bench(
        "--oracle", "--only", "row_softmax,bias_gelu", "--kernel-python", str(KPY),
        "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0, output
    assert "not timed (no GPU)" in output
    data = results(tmp_path)
    assert [c["status"] for c in data["checks"]] == ["passed", "passed"]
    assert data["rows"] and all(r["correct"] for r in data["rows"])
    assert all(r["error"] == "not timed: no GPU" for r in data["rows"])
    summary = data["summary"]
    assert summary["timed"] is False and summary["fast_1"] is None
    assert summary["correct"] == summary["tasks"] == len(data["rows"])


@needs_kernel_venv
@pytest.mark.e2e
def test_a_folder_of_candidates_counts_gaming_and_missing_ones_as_failed(tmp_path: Path) -> None:
    candidates = tmp_path / "candidates"
    candidates.mkdir()
    trick = next(t for t in TRICKS if t.name == "fallback_except")
    shutil.copy(trick.path, candidates / f"{trick.problem}.py")
    out = tmp_path / "out"
    code, output = bench(
        "--agent", str(candidates), "--only", f"{trick.problem},bias_gelu",
        "--kernel-python", str(KPY), "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    data = results(out)
    (check,) = data["checks"]  # bias_gelu had no candidate: nothing to check
    assert check["problem"] == trick.problem and check["status"] == "rejected"
    errors = {r["problem"]: r["error"] for r in data["rows"]}
    assert errors[trick.problem].startswith("check rejected")
    assert errors["bias_gelu"] == "no candidate"
    assert data["summary"]["correct"] == 0


@needs_kernel_venv
@pytest.mark.e2e
def test_a_model_written_kernel_gets_a_repair_turn_after_rejection(tmp_path: Path) -> None:
    spec = load_problem("row_softmax")
    gaming = next(t for t in TRICKS if t.name == "fallback_except").path.read_text()
    good = spec.solution_path.read_text()
    replies = tmp_path / "replies.json"
    replies.write_text(
        json.dumps([f"Here:\n```python\n{gaming}```", f"Fixed:\n```python\n{good}```"])
    )
    out = tmp_path / "out"
    code, output = bench(
        "--model", f"scripted:{replies}", "--only", "row_softmax",
        "--kernel-python", str(KPY), "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    assert "turn 1: rejected" in output and "try-except" in output
    assert "turn 2: the checker passed the draft" in output
    assert (out / "candidates" / "row_softmax.py").read_text() == good.strip() + "\n"
    data = results(out)
    assert data["checks"][0]["status"] == "passed"
    assert data["summary"]["correct"] == data["summary"]["tasks"] > 0
