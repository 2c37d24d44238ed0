"""benchmarks/noise_replay.py: replays recorded noise through the real sampler."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "noise_replay.py"


def fidelity_record(path: Path, spread: float) -> Path:
    rng = random.Random(0)
    trial = {
        "scenario": "identical, floor 2%",
        "a_samples": [0.15 * rng.lognormvariate(0, spread) for _ in range(60)],
        "b_samples": [0.15 * rng.lognormvariate(0, spread) for _ in range(60)],
    }
    path.write_text(json.dumps({"trials": [trial]}))
    return path


def replay(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )


def test_clear_speedups_are_caught_and_identical_code_is_not(tmp_path: Path) -> None:
    record = fidelity_record(tmp_path / "run.json", spread=0.03)
    done = replay(str(record), "--trials", "10")
    assert done.returncode == 0, done.stderr
    rows = {line.split(":")[0].strip(): line for line in done.stdout.splitlines()}
    assert "faster 0/10" in rows["effect   0%, floor 2%"]
    assert "faster 10/10" in rows["effect  10%, floor 2%"]


def test_the_futility_rule_can_be_swapped(tmp_path: Path) -> None:
    record = fidelity_record(tmp_path / "run.json", spread=0.03)
    done = replay(str(record), "--trials", "2", "--futility", "20:0.5")
    assert "futility rule ((20, 0.5),)" in done.stdout
    paired = replay(str(record), "--trials", "10", "--paired")
    assert paired.returncode == 0, paired.stderr
    assert paired.stdout.startswith("paired (signed-rank)")
    assert "effect  10%, floor 2%: faster 10/10" in paired.stdout


def test_bad_input_gets_one_line(tmp_path: Path) -> None:
    missing = replay(str(tmp_path / "nope.json"))
    assert missing.returncode != 0
    assert missing.stderr.strip() == f"error: no such file: {tmp_path / 'nope.json'}"
    record = fidelity_record(tmp_path / "run.json", spread=0.03)
    bad_rule = replay(str(record), "--futility", "twenty")
    assert bad_rule.stderr.strip().startswith("error: --futility wants PAIRS:P")
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"trials": []}))
    assert "has no identical-code comparisons" in replay(str(empty)).stderr
