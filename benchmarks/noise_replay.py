"""Replay recorded timing noise through the sampler, to compare stopping rules in seconds.

The fidelity runs (benchmarks/fidelity.py) keep every sample of every comparison. Divided by
its comparison's median, the identical-code samples are a record of this machine's noise. This
script draws runs from that record at random (B's scaled by 1 - effect), feeds them to the
product's `evaluation.compare.compare` with a fake clock, and counts the verdicts, so a change to
the stopping rule can be judged against real noise in seconds instead of hours. Draws are
independent, so drift and bursts of the real machine are not reproduced: a real fidelity run
is still the test.

    .venv/bin/python benchmarks/noise_replay.py benchmarks/results/fidelity-run1.json
    .venv/bin/python benchmarks/noise_replay.py benchmarks/results/fidelity-run2.json \
        --futility 20:0.5 --trials 400
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


def noise_from(path: Path) -> np.ndarray:
    """Every identical-code sample of a fidelity run, divided by its comparison's median."""
    record = json.loads(path.read_text())
    noise: list[float] = []
    for trial in record["trials"]:
        if trial["scenario"].startswith("identical"):
            for side in ("a_samples", "b_samples"):
                samples = np.asarray(trial[side], dtype=float)
                noise.extend(samples / np.median(samples))
    if not noise:
        raise SystemExit(f"error: {path} has no identical-code comparisons")
    return np.asarray(noise)


class ReplayedMachine:
    """Runs that take a recorded noise factor times their nominal time, on a fake clock."""

    def __init__(self, noise: np.ndarray, rng: np.random.Generator) -> None:
        self.noise, self.rng, self.now = noise, rng, 0.0

    def clock(self) -> float:
        return self.now

    def run(self, scale: float) -> float:
        duration = float(self.rng.choice(self.noise)) * RUN_SECONDS * scale
        self.now += duration
        return duration


def replay(noise: np.ndarray, effect: float, min_effect: float, trials: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    outcomes: Counter[str] = Counter()
    seconds: list[float] = []
    for _ in range(trials):
        machine = ReplayedMachine(noise, rng)
        verdict = compare(
            functools.partial(machine.run, 1.0),
            functools.partial(machine.run, 1.0 - effect),
            SamplingPolicy(min_effect=min_effect),
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
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.runs if not path.is_file()]
    if missing:
        raise SystemExit(f"error: no such file: {', '.join(missing)}")
    if args.futility:
        sampler.FUTILITY = parse_futility(args.futility)
    print(f"futility rule {sampler.FUTILITY}; {RUN_SECONDS} s a run; {args.trials} trials a row")
    for path in args.runs:
        noise = noise_from(path)
        spread = float(np.subtract(*np.percentile(noise, [75, 25])))
        print(f"{path.name}: {len(noise)} samples, IQR/median {spread:.3f}")
        for seed, (effect, floor) in enumerate(
            [(0.0, 0.02), (0.02, 0.0), (0.05, 0.02), (0.1, 0.02)]
        ):
            print("  " + replay(noise, effect, floor, args.trials, seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
