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
    .venv/bin/python benchmarks/noise_replay.py benchmarks/results/fidelity-run1.json --paired
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

import evaluation.compare as sampler
from evaluation.compare import SamplingPolicy, compare

RUN_SECONDS = 0.15  # the fidelity workload's run time; it sets how many pairs fit the budget


def identical_pairs(path: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """(A, B) samples of every identical-code comparison of a fidelity run, cut to whole pairs."""
    record = json.loads(path.read_text())
    pairs = []
    for trial in record["trials"]:
        if trial["scenario"].startswith("identical"):
            a, b = np.asarray(trial["a_samples"], float), np.asarray(trial["b_samples"], float)
            n = min(len(a), len(b))
            pairs.append((a[:n], b[:n]))
    if not pairs:
        raise SystemExit(f"error: {path} has no identical-code comparisons")
    return pairs


def noise_from(comparisons: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Every pair as (A, B), divided by its comparison's median: shape (pairs, 2)."""
    return np.concatenate(
        [np.stack([a, b], axis=1) / np.median(np.concatenate([a, b])) for a, b in comparisons]
    )


def pair_correlation(comparisons: list[tuple[np.ndarray, np.ndarray]]) -> float | None:
    """Median over comparisons of >= 20 pairs of the correlation between the log times of A and
    B within a pair. Positive means a paired test sees less noise than a two-sample one."""
    rhos = [float(np.corrcoef(np.log(a), np.log(b))[0, 1]) for a, b in comparisons if len(a) >= 20]
    return float(np.median(rhos)) if rhos else None


class ReplayedMachine:
    """Runs that take a recorded noise factor times their nominal time, on a fake clock. The two
    runs of one sampler pair (AB or BA) come from one recorded pair."""

    def __init__(self, noise: np.ndarray, rng: np.random.Generator) -> None:
        self.noise, self.rng, self.now = noise, rng, 0.0
        self.pending: dict[int, float] = {}

    def clock(self) -> float:
        return self.now

    def run(self, side: int, scale: float) -> float:
        if side not in self.pending:
            row = self.noise[self.rng.integers(len(self.noise))]
            self.pending = {0: float(row[0]), 1: float(row[1])}
        duration = self.pending.pop(side) * RUN_SECONDS * scale
        self.now += duration
        return duration


def replay(
    noise: np.ndarray, effect: float, min_effect: float, trials: int, seed: int, paired: bool
) -> str:
    rng = np.random.default_rng(seed)
    outcomes: Counter[str] = Counter()
    seconds: list[float] = []
    for _ in range(trials):
        machine = ReplayedMachine(noise, rng)
        verdict = compare(
            functools.partial(machine.run, 0, 1.0),
            functools.partial(machine.run, 1, 1.0 - effect),
            SamplingPolicy(min_effect=min_effect, paired=paired),
            clock=machine.clock,
        )
        outcomes[verdict.outcome] += 1
        seconds.append(verdict.seconds_spent)
    return (
        f"effect {effect:>4.0%}, floor {min_effect:.0%}: faster {outcomes['faster']}/{trials} "
        f"({outcomes['faster'] / trials:.1%}), median {np.median(seconds):.1f} s, "
        f"{dict(outcomes)}"
    )


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
    parser.add_argument(
        "--paired", action="store_true", help="judge the pairs as pairs (SamplingPolicy.paired)"
    )
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.runs if not path.is_file()]
    if missing:
        raise SystemExit(f"error: no such file: {', '.join(missing)}")
    if args.futility:
        sampler.FUTILITY = parse_futility(args.futility)
    rule = "paired (signed-rank)" if args.paired else "two samples (Mann-Whitney)"
    print(
        f"{rule}; futility rule {sampler.FUTILITY}; {RUN_SECONDS} s a run; "
        f"{args.trials} trials a row"
    )
    for path in args.runs:
        comparisons = identical_pairs(path)
        noise = noise_from(comparisons)
        spread = float(np.subtract(*np.percentile(noise, [75, 25])))
        rho = pair_correlation(comparisons)
        paired = "n/a" if rho is None else f"{rho:.2f}"
        print(
            f"{path.name}: {len(noise)} pairs, IQR/median {spread:.3f}, "
            f"within-pair correlation {paired}"
        )
        for seed, (effect, floor) in enumerate(
            [(0.0, 0.02), (0.0, 0.0), (0.02, 0.0), (0.05, 0.02), (0.1, 0.02)]
        ):
            print("  " + replay(noise, effect, floor, args.trials, seed, args.paired))
    return 0


if __name__ == "__main__":
    sys.exit(main())
