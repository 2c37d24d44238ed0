"""benchmarks/noise_replay.py: replays recorded noise through the real sampler."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "noise_replay.py"


def fidelity_record(path: Path, spread: float, cpu_spread: float | None = None) -> Path:
    """A recorded run with one identical-code comparison; with `cpu_spread`, CPU seconds too."""
    rng = random.Random(0)
    trial: dict[str, object] = {
        "scenario": "identical, floor 2%",
        "a_samples": [0.15 * rng.lognormvariate(0, spread) for _ in range(60)],
        "b_samples": [0.15 * rng.lognormvariate(0, spread) for _ in range(60)],
    }
    if cpu_spread is not None:
        for side in ("a", "b"):
            trial[f"{side}_cpu"] = [0.14 * rng.lognormvariate(0, cpu_spread) for _ in range(60)]
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
    assert done.returncode == 0, done.stderr
    assert "futility rule ((20, 0.5),)" in done.stdout and "faster 2/2" in done.stdout
    assert done.stdout.startswith("paired (signed-rank)")  # the product's default rule
    two_sample = replay(str(record), "--trials", "10", "--two-sample")
    assert two_sample.returncode == 0, two_sample.stderr
    assert two_sample.stdout.startswith("two samples (Mann-Whitney)")
    assert "effect  10%, floor 2%: faster 10/10" in two_sample.stdout


def test_cpu_time_is_replayed_where_it_was_recorded(tmp_path: Path) -> None:
    # Wall time far too noisy to see 10% in the budget, CPU time quiet: the metric decides.
    record = fidelity_record(tmp_path / "run.json", spread=0.6, cpu_spread=0.01)
    wall = replay(str(record), "--trials", "5")
    cpu = replay(str(record), "--trials", "5", "--metric", "cpu", "--budget", "30")
    assert cpu.returncode == 0, cpu.stderr
    assert "cpu time" in cpu.stdout and "budget 30 s" in cpu.stdout
    assert "effect  10%, floor 2%: faster 5/5" in cpu.stdout
    assert "effect  10%, floor 2%: faster 5/5" not in wall.stdout
    no_cpu = fidelity_record(tmp_path / "old.json", spread=0.03)
    refused = replay(str(no_cpu), "--metric", "cpu")
    assert refused.returncode != 0
    assert refused.stderr.strip() == (
        f"error: {no_cpu} has no identical-code comparisons with CPU times"
    )


def test_bad_input_gets_one_line(tmp_path: Path) -> None:
    missing = replay(str(tmp_path / "nope.json"))
    assert missing.returncode != 0
    assert missing.stderr.strip() == f"error: no such file: {tmp_path / 'nope.json'}"
    record = fidelity_record(tmp_path / "run.json", spread=0.03)
    bad_rule = replay(str(record), "--futility", "twenty")
    assert bad_rule.stderr.strip().startswith("error: --futility wants PAIRS:P")
    no_trials = replay(str(record), "--trials", "0")
    assert no_trials.stderr.strip() == "error: --trials must be at least 1, got 0"
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert replay(str(garbage)).stderr.strip() == (
        f"error: {garbage} is not a fidelity run (benchmarks/fidelity.py --json)"
    )
    bad_budget = replay(str(record), "--budget", "0")
    assert bad_budget.stderr.strip() == "error: --budget must be above 0 s, got 0"
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"trials": []}))
    assert "has no identical-code comparisons" in replay(str(empty)).stderr


def test_the_one_look_ceiling_is_reported_for_the_pairs_the_budget_holds(tmp_path: Path) -> None:
    def ceiling(spread: float, *args: str) -> str:
        done = replay(str(fidelity_record(tmp_path / "run.json", spread=spread)), *args)
        assert done.returncode == 0, done.stderr
        return next(line for line in done.stdout.splitlines() if "ceiling" in line)

    # runs of 0.15 s: about 200 pairs in 60 s, enough to find 2% in 0.5% noise every time
    quiet = ceiling(0.005, "--trials", "5")
    assert re.search(r"on the (199|200) pairs the budget holds finds a true 2% in 100.0%", quiet)
    # 60% noise and 3 s: a handful of pairs, where no signed-rank test can reach alpha 0.01
    noisy = ceiling(0.6, "--trials", "5", "--budget", "3")
    assert re.search(r"alpha 0.01 on the \d pairs the budget holds finds a true 2% in 0.0%", noisy)
