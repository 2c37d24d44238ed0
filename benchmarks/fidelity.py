"""Measurement fidelity: how often does perfsmith's speed judge call identical code faster,
how often does it catch a true 2%, 5% or 10% speedup, and how long does it take?

Every comparison runs real processes through the product's own path: `LocalSandbox.run` timed
by `RunResult.wall_seconds`, sampled and judged by `evaluation.compare.compare`. While it runs, a
second process keeps one core busy. The samples of every comparison are kept, and two other rules
judge exactly the same samples: pyperf's `compare_to` (Student t-test, two-sided, 95%) and a
Codeflash-style rule (minimum of each side, 5% noise floor, no test).

    .venv/bin/python benchmarks/fidelity.py --identical 200 --effects 0.02,0.05,0.10 \
        --trials 40 --json fidelity.json
    .venv/bin/python benchmarks/fidelity.py --quick
    .venv/bin/python benchmarks/fidelity.py --rules two-sample,paired ...  # both, same noise

With `--rules` naming both rules, every scenario runs under each, and the shuffled order mixes
their trials, so the two rules meet the same machine state (the paired rows are named
"..., paired"). That is the fair comparison: two runs an hour apart see different noise.

Each comparison pins both sides to an idle core, as the product does. On a 2-core machine an
identical-code comparison takes 4-60 s (the paired rule's looks double from 12 pairs to the
final one at 320 or the budget; the median stops at 48), a true speedup at the 2% floor runs
the whole 60 s budget, 5% and 10% take a few seconds to half a minute.
The default run takes about 2 hours, --quick (70 comparisons) about 20 minutes. The method and
results are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import pyperf
from pyperf._compare import CompareData, CompareResult
from scipy.stats import binomtest

import evaluation.compare as sampler
from evaluation.compare import SamplingPolicy, compare
from evaluation.pinning import free_core
from sandbox.api import Limits
from sandbox.local import LocalSandbox

WORKLOAD = Path(__file__).with_name("fidelity_workload.py")
CODEFLASH_NOISE_FLOOR = 0.05
# Runs 1-7 split alpha evenly over six looks and did not record it.
EVEN_SPLIT = "even split over the planned looks"
PRODUCT_MIN_EFFECT = SamplingPolicy().min_effect  # the product default, read rather than copied

# Targets from the issue, keyed by the true effect (identical code: the false-positive target).
DETECTION_TARGETS = {0.02: 0.80, 0.05: 0.95}
FALSE_POSITIVE_TARGET = 0.01
MEDIAN_SECONDS_TARGET = {0.10: 30.0}

# The busy loop checks every so often that its parent is alive, so it cannot outlive a
# parent killed with SIGKILL (where no `finally` runs).
BUSY_LOOP = """
import os, sys
parent = int(sys.argv[1])
while os.getppid() == parent:
    for _ in range(1_000_000):
        pass
"""


@dataclass(frozen=True)
class Scenario:
    name: str
    effect: float  # B's whole-process time is (1 - effect) x A's; 0 means identical code
    min_effect: float  # the policy's floor
    trials: int
    # True: the paired rule (the product's default: median pair ratio, signed-rank test);
    # False: the two-sample rule (ratio of medians, Mann-Whitney). False is also what runs
    # recorded before this field used, so their rows keep their names and meaning.
    paired: bool = False


@dataclass(frozen=True)
class Calibration:
    startup_seconds: float  # python start-up, sandbox included, with no work
    unit_seconds: float  # one work unit
    units_a: int

    def units_for(self, effect: float) -> int:
        """Units that make the *whole process*, start-up included, (1 - effect) x A's time."""
        target = (1.0 - effect) * (self.startup_seconds + self.units_a * self.unit_seconds)
        return max(0, round((target - self.startup_seconds) / self.unit_seconds))


@dataclass
class Trial:
    scenario: str
    units_a: int
    units_b: int
    outcome: str
    speedup: float
    ci_low: float
    ci_high: float
    seconds: float  # perfsmith's time to a verdict, warm-up included
    pairs: int
    pyperf_faster: bool
    codeflash_faster: bool
    started: str
    load1: float  # 1-minute load average at the start: other jobs on the machine show here
    pinned_core: int | None  # the idle core both sides ran on, as the product pins them
    a_samples: list[float] = field(repr=False)
    b_samples: list[float] = field(repr=False)
    # CPU seconds (user + system) of the same runs, recorded beside wall time, never judged
    a_cpu: list[float] = field(repr=False, default_factory=list)
    b_cpu: list[float] = field(repr=False, default_factory=list)


@contextmanager
def busy_core() -> Iterator[subprocess.Popen[bytes]]:
    """A second process that keeps one core busy until the block ends, however it ends."""
    # Its own session: Ctrl-C reaches only us, and the `finally` below stops it.
    proc = subprocess.Popen(
        [sys.executable, "-c", BUSY_LOOP, str(os.getpid())], start_new_session=True
    )
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def calibrate(
    sandbox: LocalSandbox, workspace: Path, work_seconds: float, runs: int
) -> Calibration:
    """Fit duration = start-up + units x unit from runs of 0 units and of ~work_seconds of units,
    interleaved so both ends see the same machine state (the background load is already on).

    A's size is set by its *work* part, not its total: under heavy load the start-up alone can
    exceed 100 ms, and A must stay mostly work so that B's cut in units is a visible speedup."""
    probe_units = 500
    core = free_core()  # pinned like the comparisons, so the unit cost is theirs
    probe = _run(sandbox, workspace, probe_units, core) - _run(sandbox, workspace, 0, core)
    ref_units = max(1, round(work_seconds / max(probe / probe_units, 1e-6)))
    empty: list[float] = []
    full: list[float] = []
    for _ in range(runs):
        empty.append(_run(sandbox, workspace, 0, core))
        full.append(_run(sandbox, workspace, ref_units, core))
    startup = statistics.median(empty)
    unit = (statistics.median(full) - startup) / ref_units
    units_a = max(1, round(work_seconds / unit))
    return Calibration(startup_seconds=startup, unit_seconds=unit, units_a=units_a)


def _command(units: int) -> str:
    return f"python {WORKLOAD.name} {units}"


def _run(
    sandbox: LocalSandbox,
    workspace: Path,
    units: int,
    core: int | None,
    cpu_log: list[tuple[float, float]] | None = None,
) -> float:
    """One sample's wall time; with `cpu_log`, (wall, CPU seconds) is appended to it, so that
    a run also records the noise of CPU time for benchmarks/noise_replay.py."""
    limits = Limits(cpus=(core,)) if core is not None else Limits()
    result = sandbox.run(_command(units), workspace, limits=limits)
    if not result.ok:
        raise RuntimeError(f"workload {result.describe()}: {result.stderr.strip()[-200:]}")
    if cpu_log is not None:
        cpu_log.append((result.wall_seconds, result.cpu_seconds))
    return result.wall_seconds


def _cpu_of(samples: list[float], log: list[tuple[float, float]]) -> list[float]:
    """The CPU seconds of the kept samples: the log's last entries (warm-ups come first)."""
    kept = log[len(log) - len(samples) :]
    if [wall for wall, _ in kept] != samples:
        return []  # the sampler dropped or reordered runs: no CPU record rather than a wrong one
    return [round(cpu, 6) for _, cpu in kept]


def pyperf_faster(a: list[float], b: list[float]) -> bool:
    """What `pyperf compare_to a.json b.json` reports, via its own classes: significant (its
    two-sided t-test at 95%, default --min-speed) and B's mean lower."""

    def bench(values: list[float]) -> pyperf.Benchmark:
        meta = {"name": "fidelity_workload", "unit": "second"}
        return pyperf.Benchmark([pyperf.Run(values, metadata=meta, collect_metadata=False)])

    result = CompareResult(CompareData("a", bench(a)), CompareData("b", bench(b)))
    return bool(result.significant) and result.norm_mean < 1.0


def codeflash_faster(a: list[float], b: list[float]) -> bool:
    """Codeflash-style: best run of each side, faster when the gain clears a 5% noise floor."""
    return min(a) / min(b) - 1.0 > CODEFLASH_NOISE_FLOOR


def run_trial(
    sandbox: LocalSandbox,
    workspace: Path,
    scenario: Scenario,
    calibration: Calibration,
) -> Trial:
    units_a = calibration.units_a
    units_b = calibration.units_for(scenario.effect) if scenario.effect else units_a
    # every other setting: the product's default; the rule is the scenario's
    policy = SamplingPolicy(min_effect=scenario.min_effect, paired=scenario.paired)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    load1 = os.getloadavg()[0]
    # As evaluation.comparison.run_comparison does: both sides pinned to a core found idle
    # when the comparison starts, none when every core is busy.
    core = free_core()
    a_log: list[tuple[float, float]] = []
    b_log: list[tuple[float, float]] = []
    verdict = compare(
        lambda: _run(sandbox, workspace, units_a, core, a_log),
        lambda: _run(sandbox, workspace, units_b, core, b_log),
        policy,
    )
    a, b = verdict.a_samples, verdict.b_samples
    return Trial(
        scenario=scenario.name,
        units_a=units_a,
        units_b=units_b,
        outcome=verdict.outcome,
        speedup=verdict.speedup,
        ci_low=verdict.ci_low,
        ci_high=verdict.ci_high,
        seconds=verdict.seconds_spent,
        pairs=len(a),
        pyperf_faster=pyperf_faster(a, b),
        codeflash_faster=codeflash_faster(a, b),
        started=started,
        load1=load1,
        pinned_core=core,
        a_samples=a,
        b_samples=b,
        a_cpu=_cpu_of(a, a_log),
        b_cpu=_cpu_of(b, b_log),
    )


RULES = ("two-sample", "paired")


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    """The rows to run: each (effect, floor) under each of args.rules."""
    return [
        replace(sc, name=sc.name + ", paired", paired=True) if rule == "paired" else sc
        for sc in _effect_rows(args)
        for rule in args.rules
    ]


def _effect_rows(args: argparse.Namespace) -> list[Scenario]:
    def row(effect: float, min_effect: float, trials: int) -> Scenario:
        label = f"{effect:.0%}" if effect else "identical"
        return Scenario(f"{label}, floor {min_effect:.0%}", effect, min_effect, trials)

    rows = [row(0.0, PRODUCT_MIN_EFFECT, args.identical), row(0.0, 0.0, args.identical_zero_floor)]
    at_floor = args.trials if args.at_floor_trials is None else args.at_floor_trials
    rows += [
        row(e, PRODUCT_MIN_EFFECT, at_floor if e <= PRODUCT_MIN_EFFECT else args.trials)
        for e in args.effects
    ]
    rows += [row(e, 0.0, args.trials) for e in args.zero_floor_effects]
    return [s for s in rows if s.trials > 0]


def machine() -> dict[str, object]:
    model = ""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in lscpu.splitlines()
                if ln.startswith("Model name")
            ),
            "",
        )
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sandbox": LocalSandbox().name,
        "loadavg_at_start": os.getloadavg(),
    }


@dataclass(frozen=True)
class Row:
    """One line of the table: a scenario's results under the three rules."""

    scenario: str
    effect: float
    min_effect: float
    trials: int
    # The achieved effect as perfsmith sees it: its own point estimate, median over trials
    # (load changes move it slightly from the calibrated target).
    measured_speedup: float
    perfsmith_rate: float
    perfsmith_rate_ci95: tuple[float, float]  # Clopper-Pearson: exact, never too narrow
    perfsmith_median_seconds: float
    perfsmith_median_pairs: float
    perfsmith_outcomes: dict[str, int]
    pyperf_rate: float
    codeflash_rate: float
    target: str


def summarize(rows: list[Scenario], trials: list[Trial]) -> list[Row]:
    summary: list[Row] = []
    for sc in rows:
        done = [t for t in trials if t.scenario == sc.name]
        if not done:
            continue
        n = len(done)
        hits = sum(t.outcome == "faster" for t in done)
        ci = binomtest(hits, n).proportion_ci(0.95)
        outcomes = ("faster", "slower", "no difference", "unstable")
        summary.append(
            Row(
                scenario=sc.name,
                effect=sc.effect,
                min_effect=sc.min_effect,
                trials=n,
                measured_speedup=statistics.median(t.speedup for t in done),
                perfsmith_rate=hits / n,
                perfsmith_rate_ci95=(ci.low, ci.high),
                perfsmith_median_seconds=statistics.median(t.seconds for t in done),
                perfsmith_median_pairs=statistics.median(t.pairs for t in done),
                perfsmith_outcomes={o: sum(t.outcome == o for t in done) for o in outcomes},
                pyperf_rate=sum(t.pyperf_faster for t in done) / n,
                codeflash_rate=sum(t.codeflash_faster for t in done) / n,
                target=_target(sc),
            )
        )
    return summary


def _target(sc: Scenario) -> str:
    if sc.effect == 0:
        return f"faster <= {FALSE_POSITIVE_TARGET:.0%}"
    parts = []
    if sc.effect in DETECTION_TARGETS:
        parts.append(f"faster >= {DETECTION_TARGETS[sc.effect]:.0%}")
    if sc.effect in MEDIAN_SECONDS_TARGET:
        parts.append(f"median <= {MEDIAN_SECONDS_TARGET[sc.effect]:.0f} s")
    return ", ".join(parts)


def table(summary: list[Row]) -> str:
    """Markdown table: it prints readably and pastes into docs/benchmarks.md as is."""
    head = [
        "scenario",
        "n",
        "measured A/B",
        "perfsmith 'faster' [95% CI]",
        "median s",
        "median pairs",
        "pyperf compare_to",
        "Codeflash-style",
        "target",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in summary:
        low, high = r.perfsmith_rate_ci95
        cells = [
            r.scenario,
            str(r.trials),
            f"{r.measured_speedup:.3f}",
            f"{r.perfsmith_rate:.1%} [{low:.1%}, {high:.1%}]",
            f"{r.perfsmith_median_seconds:.1f}",
            f"{r.perfsmith_median_pairs:g}",
            f"{r.pyperf_rate:.1%}",
            f"{r.codeflash_rate:.1%}",
            r.target,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table_from_json(paths: list[Path]) -> str:
    """The table of saved runs (finished or not), summarized again from their trials. Several
    runs are pooled by scenario name: each trial is an independent comparison, and the table
    counts them all. The paired rule's rows have their own names; runs whose recorded
    futility rules differ are not pooled (runs before it was recorded are taken as they are),
    nor runs that spent alpha differently over the looks (runs before it was recorded split
    it evenly)."""
    rows: dict[str, Scenario] = {}
    trials: list[Trial] = []
    futility: dict[str, str] = {}
    spending: dict[str, str] = {}
    for path in paths:
        info = json.loads(path.read_text())
        if "futility" in info:
            futility[str(info["futility"])] = path.name
        spending[str(info.get("alpha_spending", EVEN_SPLIT))] = path.name
        for sc in info["scenarios"]:
            rows.setdefault(sc["name"], Scenario(**sc))
        # Older runs did not record a pinned core: they were unpinned.
        trials += [Trial(**{"pinned_core": None, **t}) for t in info["trials"]]
    _refuse_mixed(futility, "the runs used different futility rules")
    _refuse_mixed(spending, "the runs spent alpha differently over their looks")
    return table(summarize(list(rows.values()), trials))


def _refuse_mixed(runs_by_rule: dict[str, str], what: str) -> None:
    """One-line error when the runs (rule -> a run's file name) recorded more than one rule."""
    if len(runs_by_rule) > 1:
        listed = "; ".join(f"{name}: {rule}" for rule, name in runs_by_rule.items())
        raise SystemExit(f"error: {what}: {listed}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    def fractions(text: str) -> list[float]:
        return [float(x) for x in text.split(",") if x.strip()]

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--identical", type=int, default=200, help="comparisons of identical code")
    p.add_argument(
        "--identical-zero-floor",
        type=int,
        default=0,
        help="extra identical comparisons with min_effect=0",
    )
    p.add_argument("--effects", type=fractions, default=[0.02, 0.05, 0.10])
    p.add_argument(
        "--zero-floor-effects",
        type=fractions,
        default=[0.02, 0.05],
        help="effects also judged with min_effect=0",
    )
    p.add_argument("--trials", type=int, default=40, help="comparisons per effect row")
    p.add_argument(
        "--at-floor-trials",
        type=int,
        help="comparisons for effects at or below the product's floor, judged with that floor "
        "(they cannot pass by design, and each runs the whole budget); default: --trials",
    )
    p.add_argument("--work-seconds", type=float, default=0.10, help="A's work, start-up aside")
    p.add_argument("--calibration-runs", type=int, default=20)
    p.add_argument("--seed", type=int, default=0, help="seed of the shuffled trial order")
    p.add_argument("--json", type=Path, help="write every trial and sample here")
    p.add_argument(
        "--rules",
        type=_rules,
        default=["paired" if SamplingPolicy().paired else "two-sample"],
        help="comma-separated rules to run every scenario under: paired (signed-rank over the "
        "ABBA pairs), two-sample (Mann-Whitney); default: the product's",
    )
    p.add_argument("--paired", action="store_true", help="the same as --rules paired")
    p.add_argument("--quick", action="store_true", help="smoke test: 20 identical, 10 per effect")
    p.add_argument(
        "--table",
        type=Path,
        nargs="+",
        metavar="JSON",
        help="only print the table of saved runs (several are pooled by scenario)",
    )
    args = p.parse_args(argv)
    if args.paired:
        args.rules = ["paired"]
    if args.quick:
        args.identical, args.trials = 20, 10
    missing = [str(path) for path in args.table or [] if not path.is_file()]
    if missing:
        p.error(f"no saved run at {', '.join(missing)}")
    return args


def _rules(text: str) -> list[str]:
    chosen = [r.strip() for r in text.split(",") if r.strip()]
    unknown = [r for r in chosen if r not in RULES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"rules are {' and '.join(RULES)}; got {', '.join(unknown) or 'none'}"
        )
    return list(dict.fromkeys(chosen))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.table:
        print(table_from_json(args.table))
        return 0
    rows = scenarios(args)
    # A SIGTERM (kill, a timeout) ends the run like Ctrl-C: partial results are still written
    # and the background load is stopped.
    signal.signal(signal.SIGTERM, _interrupt)

    # Shuffled, so a noisy period (other jobs on the machine) hits every scenario alike.
    jobs = [sc for sc in rows for _ in range(sc.trials)]
    random.Random(args.seed).shuffle(jobs)
    info: dict[str, object] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "scenarios": [asdict(sc) for sc in rows],
        "rules": args.rules,
        "futility": [list(step) for step in sampler.FUTILITY],
        "alpha_spending": {"final_share": SamplingPolicy().final_share},
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    print(f"machine: {info['machine']}", flush=True)
    sandbox = LocalSandbox()  # the product's default: bubblewrap when installed
    trials: list[Trial] = []
    workspace = Path(tempfile.mkdtemp(prefix="perfsmith-fidelity-"))
    interrupted = False
    start = time.monotonic()
    try:
        shutil.copy(WORKLOAD, workspace)
        with busy_core():
            cal = calibrate(sandbox, workspace, args.work_seconds, args.calibration_runs)
            info["calibration"] = asdict(cal)
            info["units_b"] = {sc.name: cal.units_for(sc.effect) for sc in rows}
            print(
                f"calibration: start-up {cal.startup_seconds * 1e3:.1f} ms, unit "
                f"{cal.unit_seconds * 1e6:.1f} us, A = {cal.units_a} units",
                flush=True,
            )
            for i, sc in enumerate(jobs, 1):
                t = run_trial(sandbox, workspace, sc, cal)
                trials.append(t)
                if args.json:  # after every trial, so a killed run still leaves its data
                    _save(args.json, _finish(info, rows, trials, start, interrupted=True))
                eta = (time.monotonic() - start) / i * (len(jobs) - i) / 60
                print(
                    f"[{i:>4}/{len(jobs)}] {sc.name:<20} {t.outcome:<13} {t.speedup:.3f}x "
                    f"{t.seconds:5.1f} s {t.pairs:>3} pairs | pyperf {_yn(t.pyperf_faster)} "
                    f"codeflash {_yn(t.codeflash_faster)} | ETA {eta:.0f} min",
                    flush=True,
                )
    except KeyboardInterrupt:
        interrupted = True
        print("interrupted: summarizing the trials done so far", file=sys.stderr)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)

    info = _finish(info, rows, trials, start, interrupted)
    print()
    print(
        f"{info['command']}  ({info['minutes']:.1f} min, {info['started']} to {info['finished']})"
    )
    print(table(summarize(rows, trials)))
    if args.json:
        _save(args.json, info)
        print(f"wrote {args.json}")
    return 130 if interrupted else 0


def _finish(
    info: dict[str, object],
    rows: list[Scenario],
    trials: list[Trial],
    start: float,
    interrupted: bool,
) -> dict[str, object]:
    return {
        **info,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "minutes": (time.monotonic() - start) / 60,
        "loadavg_at_end": os.getloadavg(),
        "interrupted": interrupted,
        "summary": [asdict(r) for r in summarize(rows, trials)],
        "trials": [_rounded(asdict(t)) for t in trials],
    }


def _rounded(trial: dict[str, object]) -> dict[str, object]:
    # Microseconds are far below the run-to-run jitter; rounding keeps the file a few times smaller.
    for side in ("a_samples", "b_samples"):
        trial[side] = [round(x, 6) for x in trial[side]]  # type: ignore[attr-defined]
    return trial


def _save(path: Path, info: dict[str, object]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(info, indent=1))
    tmp.replace(path)  # atomic: a reader never sees half a file


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _yn(flag: bool) -> str:
    return "faster" if flag else "no    "


if __name__ == "__main__":
    sys.exit(main())
