"""benchmarks/fidelity.py without timing anything: the plan of scenarios under one or both
rules, its arguments, and the pooled table of saved runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "fidelity.py"


def fidelity(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )


def saved_run(
    path: Path,
    outcomes: list[str],
    futility: list[list[float]] | None,
    spending: dict[str, float] | None = None,
) -> Path:
    """A saved run of the identical row and its paired twin, every trial with `outcomes`."""
    scenarios = [
        {"name": "identical, floor 2%", "effect": 0.0, "min_effect": 0.02, "trials": 2},
        {"name": "identical, floor 2%, paired", "effect": 0.0, "min_effect": 0.02, "trials": 2,
         "paired": True},
    ]  # fmt: skip
    trials = [
        {"scenario": sc["name"], "units_a": 9, "units_b": 9, "outcome": outcome, "speedup": 1.0,
         "ci_low": 0.98, "ci_high": 1.02, "seconds": 10.0, "pairs": 20, "pyperf_faster": False,
         "codeflash_faster": False, "started": "", "load1": 1.0, "pinned_core": 1,
         "a_samples": [0.15], "b_samples": [0.15]}
        for sc in scenarios
        for outcome in outcomes
    ]  # fmt: skip
    info: dict[str, object] = {"scenarios": scenarios, "trials": trials}
    if futility is not None:
        info["futility"] = futility
    if spending is not None:
        info["alpha_spending"] = spending
    path.write_text(json.dumps(info))
    return path


def test_both_rules_get_every_row_in_one_run() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import fidelity
    finally:
        sys.path.remove(str(SCRIPT.parent))
    args = fidelity.parse_args(
        ["--identical", "4", "--effects", "0.1", "--zero-floor-effects", "", "--trials", "3",
         "--rules", "two-sample,paired"]
    )  # fmt: skip
    plan = [(sc.name, sc.paired, sc.trials) for sc in fidelity.scenarios(args)]
    assert plan == [
        ("identical, floor 2%", False, 4),
        ("identical, floor 2%, paired", True, 4),
        ("10%, floor 2%", False, 3),
        ("10%, floor 2%, paired", True, 3),
    ]
    assert fidelity.parse_args(["--paired"]).rules == ["paired"]
    assert fidelity.parse_args([]).rules == ["paired"]  # the product's default rule


def test_an_unknown_rule_is_one_line() -> None:
    done = fidelity("--rules", "bayes")
    assert done.returncode == 2
    assert (
        done.stderr.strip().splitlines()[-1].endswith("rules are two-sample and paired; got bayes")
    )


def test_saved_runs_pool_by_rule_and_refuse_different_futility(tmp_path: Path) -> None:
    rule = [[20, 0.8], [40, 0.5]]
    first = saved_run(tmp_path / "a.json", ["no difference", "faster"], rule)
    second = saved_run(tmp_path / "b.json", ["no difference", "no difference"], None)
    done = fidelity("--table", str(first), str(second))
    assert done.returncode == 0, done.stderr
    rows = [ln for ln in done.stdout.splitlines() if ln.startswith("| identical")]
    assert len(rows) == 2  # one per rule, each pooling four trials with one "faster"
    assert all(row.split(" | ")[1] == "4" and "25.0%" in row for row in rows)
    other = saved_run(tmp_path / "c.json", ["no difference"], [[20, 0.5]])
    refused = fidelity("--table", str(first), str(other))
    assert refused.returncode != 0
    assert refused.stderr.strip().startswith("error: the runs used different futility rules")


def test_saved_runs_that_spent_alpha_differently_are_not_pooled(tmp_path: Path) -> None:
    rule = [[20, 0.8], [40, 0.5]]
    even = saved_run(tmp_path / "even.json", ["no difference"], rule)  # recorded before spending
    spent = saved_run(tmp_path / "spent.json", ["no difference"], rule, {"final_share": 0.75})
    again = saved_run(tmp_path / "again.json", ["faster"], rule, {"final_share": 0.75})
    refused = fidelity("--table", str(even), str(spent))
    assert refused.returncode != 0
    assert refused.stderr.strip().startswith(
        "error: the runs spent alpha differently over their looks: "
    )
    assert "even.json: even split over the planned looks" in refused.stderr
    pooled = fidelity("--table", str(spent), str(again))
    assert pooled.returncode == 0, pooled.stderr
    assert "| identical, floor 2% | 2 |" in pooled.stdout
