"""Replay recorded timing noise through the sampler, to compare stopping and test rules in seconds.

The fidelity runs (benchmarks/fidelity.py) keep every sample of every comparison, pair by pair.
Divided by its comparison's median, each identical-code pair (A's run, B's run next to it) is a
record of this machine's noise, including what two neighbouring runs share. This script draws
recorded pairs at random (B's run scaled by 1 - effect), feeds them to the product's
`evaluation.compare.compare` with a fake clock, and counts the verdicts, so a change to the
rules can be judged against real noise in seconds instead of hours. Pairs are drawn
independently, so drift and bursts longer than a pair are not reproduced: a real fidelity run
is still the test.

    .venv/bin/python benchmarks/noise_replay.py benchmarks/results/fidelity-run1.json
    .venv/bin/python benchmarks/noise_replay.py benchmarks/results/fidelity-run2.json \
        --futility 20:0.5 --trials 400
    .venv/bin/python benchmarks/noise_replay.py benchmarks/results/fidelity-run1.json --two-sample
    .venv/bin/python benchmarks/noise_replay.py benchmarks/results/fidelity-run5.json \
        --metric cpu --budget 120

`--metric cpu` judges the runs' CPU seconds (user + system, recorded from run 5 on) instead of
their wall time; the budget is still spent in wall time. `--budget` sets the sampler's time
budget, to see how long a small effect needs on this noise.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import evaluation.compare as sampler
from evaluation.compare import SamplingPolicy, compare
from evaluation.stats import signed_rank_less

RUN_SECONDS = 0.15  # the fidelity workload's run time; it sets how many pairs fit the budget


@dataclass(frozen=True)
class Recorded:
    """One identical-code comparison, cut to whole pairs: the judged metric and the wall time
    of each run (the same arrays when the metric is wall time)."""

    a: np.ndarray
    b: np.ndarray
    a_wall: np.ndarray
    b_wall: np.ndarray


def identical_pairs(path: Path, metric: str = "wall") -> list[Recorded]:
    """Every identical-code comparison of a fidelity run, in the chosen metric."""
    try:
        trials = json.loads(path.read_text())["trials"]
        identical = [t for t in trials if str(t["scenario"]).startswith("identical")]
    except (ValueError, KeyError, TypeError):
        raise SystemExit(
            f"error: {path} is not a fidelity run (benchmarks/fidelity.py --json)"
        ) from None
    keys = ("a_samples", "b_samples") if metric == "wall" else ("a_cpu", "b_cpu")
    found = []
    for trial in identical:
        if not trial.get(keys[0]):
            continue
        a_wall, b_wall = (np.asarray(trial[k], float) for k in ("a_samples", "b_samples"))
        a, b = (np.asarray(trial[k], float) for k in keys)
        n = min(len(a), len(b))
        found.append(Recorded(a[:n], b[:n], a_wall[:n], b_wall[:n]))
    if not found:
        what = "identical-code comparisons" + (" with CPU times" if metric == "cpu" else "")
        raise SystemExit(f"error: {path} has no {what}")
    return found


def noise_from(comparisons: list[Recorded]) -> np.ndarray:
    """Every pair as (A, B, A's wall, B's wall), each divided by its comparison's median:
    shape (pairs, 4)."""

    def scaled(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.stack([a, b], axis=1) / np.median(np.concatenate([a, b]))

    return np.concatenate(
        [np.hstack([scaled(c.a, c.b), scaled(c.a_wall, c.b_wall)]) for c in comparisons]
    )


def pair_correlation(comparisons: list[Recorded]) -> float | None:
    """Median over comparisons of >= 20 pairs of the correlation between the log times of A and
    B within a pair. Positive means a paired test sees less noise than a two-sample one."""
    rhos = [
        float(np.corrcoef(np.log(c.a), np.log(c.b))[0, 1]) for c in comparisons if len(c.a) >= 20
    ]
    return float(np.median(rhos)) if rhos else None


class ReplayedMachine:
    """Runs that measure a recorded noise factor times their nominal time, on a fake clock that
    advances by the run's recorded wall time. The two runs of one sampler pair (AB or BA) come
    from one recorded pair."""

    def __init__(self, noise: np.ndarray, rng: np.random.Generator) -> None:
        self.noise, self.rng, self.now = noise, rng, 0.0
        self.pending: dict[int, tuple[float, float]] = {}

    def clock(self) -> float:
        return self.now

    def run(self, side: int, scale: float) -> float:
        if side not in self.pending:
            row = self.noise[self.rng.integers(len(self.noise))]
            self.pending = {0: (float(row[0]), float(row[2])), 1: (float(row[1]), float(row[3]))}
        measured, wall = self.pending.pop(side)
        self.now += wall * RUN_SECONDS * scale
        return measured * RUN_SECONDS * scale


def replay(
    noise: np.ndarray,
    effect: float,
    min_effect: float,
    trials: int,
    seed: int,
    paired: bool,
    budget: float = SamplingPolicy().time_budget_seconds,
) -> str:
    rng = np.random.default_rng(seed)
    outcomes: Counter[str] = Counter()
    seconds: list[float] = []
    for _ in range(trials):
        machine = ReplayedMachine(noise, rng)
        verdict = compare(
            functools.partial(machine.run, 0, 1.0),
            functools.partial(machine.run, 1, 1.0 - effect),
            SamplingPolicy(min_effect=min_effect, paired=paired, time_budget_seconds=budget),
            clock=machine.clock,
        )
        outcomes[verdict.outcome] += 1
        seconds.append(verdict.seconds_spent)
    return (
        f"effect {effect:>4.0%}, floor {min_effect:.0%}: faster {outcomes['faster']}/{trials} "
        f"({outcomes['faster'] / trials:.1%}), median {np.median(seconds):.1f} s, "
        f"{dict(outcomes)}"
    )


def pairs_in_budget(noise: np.ndarray, budget: float) -> int:
    """How many recorded pairs fit the budget, at their mean wall time."""
    return int(budget / (RUN_SECONDS * float(np.mean(noise[:, 2] + noise[:, 3]))))


def one_look_ceiling(
    noise: np.ndarray, effect: float, pairs: int, alpha: float, trials: int, seed: int
) -> float:
    """Share of draws of `pairs` recorded pairs (B scaled by 1 - effect) in which a single
    signed-rank test at `alpha` says B is faster: the most any paired rule could detect with
    that many pairs and that error rate, with no looks to share alpha and no floor."""
    rng = np.random.default_rng(seed)
    found = 0
    for _ in range(trials):
        rows = noise[rng.integers(len(noise), size=pairs)]
        found += signed_rank_less(rows[:, 0], rows[:, 1] * (1.0 - effect)) < alpha
    return found / trials


def parse_futility(text: str) -> tuple[tuple[int, float], ...]:
    try:
        rule = tuple((int(at), float(p)) for at, p in (step.split(":") for step in text.split(",")))
    except ValueError:
        raise SystemExit(f"error: --futility wants PAIRS:P[,PAIRS:P...], got {text!r}") from None
    return tuple(sorted(rule))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="fidelity result JSON files")
    parser.add_argument("--futility", help="PAIRS:P steps, e.g. 20:0.8,40:0.5 (default: product)")
    parser.add_argument("--trials", type=int, default=200)
    rule = parser.add_mutually_exclusive_group()
    rule.add_argument(
        "--paired",
        action="store_true",
        default=SamplingPolicy().paired,
        help="judge the pairs as pairs (SamplingPolicy.paired; the product's default)",
    )
    rule.add_argument(
        "--two-sample",
        dest="paired",
        action="store_false",
        help="judge A and B as two samples (Mann-Whitney, ratio of medians)",
    )
    parser.add_argument(
        "--metric",
        choices=("wall", "cpu"),
        default="wall",
        help="judge wall time (the product) or the runs' CPU seconds",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=SamplingPolicy().time_budget_seconds,
        help="the sampler's time budget in seconds (default: the product's)",
    )
    args = parser.parse_args(argv)
    if args.trials < 1:
        raise SystemExit(f"error: --trials must be at least 1, got {args.trials}")
    if args.budget <= 0:
        raise SystemExit(f"error: --budget must be above 0 s, got {args.budget:g}")
    missing = [str(path) for path in args.runs if not path.is_file()]
    if missing:
        raise SystemExit(f"error: no such file: {', '.join(missing)}")
    if args.futility:
        sampler.FUTILITY = parse_futility(args.futility)
    rule = "paired (signed-rank)" if args.paired else "two samples (Mann-Whitney)"
    print(
        f"{rule}; {args.metric} time; futility rule {sampler.FUTILITY}; {RUN_SECONDS} s a run; "
        f"budget {args.budget:g} s; {args.trials} trials a row"
    )
    for path in args.runs:
        comparisons = identical_pairs(path, args.metric)
        noise = noise_from(comparisons)
        spread = float(np.subtract(*np.percentile(noise[:, :2], [75, 25])))  # the metric, not wall
        rho = pair_correlation(comparisons)
        paired = "n/a" if rho is None else f"{rho:.2f}"
        print(
            f"{path.name}: {len(noise)} pairs, IQR/median {spread:.3f}, "
            f"within-pair correlation {paired}"
        )
        for seed, (effect, floor) in enumerate(
            [(0.0, 0.02), (0.0, 0.0), (0.02, 0.0), (0.05, 0.02), (0.1, 0.02)]
        ):
            print("  " + replay(noise, effect, floor, args.trials, seed, args.paired, args.budget))
        pairs, alpha = pairs_in_budget(noise, args.budget), SamplingPolicy().alpha
        ceiling = one_look_ceiling(noise, 0.02, pairs, alpha, args.trials, seed=5)
        print(
            f"  ceiling: one signed-rank test at alpha {alpha:g} on the {pairs} pairs the budget "
            f"holds finds a true 2% in {ceiling:.1%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
