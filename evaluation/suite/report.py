"""The suite report: metrics and one row per task-workload as markdown (each task's first
attempt; with several attempts, a table of every attempt), a plot of the first attempts'
speedups with their intervals, and both as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window

import matplotlib.pyplot as plt

from evaluation.suite.metrics import (
    SuiteMetrics,
    by_task,
    geomean,
    gso_opt,
    summarize,
    task_performance,
)
from evaluation.suite.records import TaskResult
from evaluation.suite.store import write_atomic


def write_report(
    results: Sequence[TaskResult],
    out: Path,
    title: str = "perfsmith bench",
    k: int = 1,
    notes: Sequence[str] = (),
) -> SuiteMetrics:
    """`results` holds every attempt; `k` is the opt@k asked for; `notes` go under the table."""
    metrics = summarize(results, k)
    firsts = [attempts[0] for attempts in by_task(results)]
    write_atomic(out / "report.md", render_markdown(results, metrics, title, notes))
    doc: dict[str, object] = {
        "metrics": metrics.model_dump(),
        "notes": list(notes),
        "tasks": [_row_json(r) for r in firsts],
    }
    if len(results) > len(firsts):
        doc["attempts"] = [_row_json(r) for r in results]
    write_atomic(out / "report.json", json.dumps(doc, indent=2))
    if any(r.workloads for r in firsts):
        plot_speedups(firsts, out / "speedups.png")
    return metrics


def render_markdown(
    every: Sequence[TaskResult], m: SuiteMetrics, title: str, notes: Sequence[str] = ()
) -> str:
    tasks = by_task(every)
    results = [attempts[0] for attempts in tasks]
    opt_k = (
        [f"| GSO opt@{m.k} (any of {m.k} attempts per task) | {m.opt_at_k:.1%} |"]
        if m.opt_at_k is not None
        else []
    )
    ratio = f"{m.speedup_ratio:.3f}" if m.speedup_ratio is not None else "n/a"
    cost = f"${m.cost_usd:.2f}" if m.cost_usd is not None else "n/a"
    lines = [
        f"# {title}: {m.agent}",
        "",
        "| metric | value |",
        "|---|---|",
        f"| tasks (invalid: set-up or base failed) / attempts | {m.tasks} ({m.invalid}) / {m.attempts} |",
        f"| SWE-Perf Apply / Correctness / Performance | {m.apply:.1%} / {m.correctness:.1%} / {m.performance:.2%} |",
        f"| SWE-Perf's gain on interleaved samples | {m.performance_interleaved:.2%} |",
        f"| ours: judged faster / time saved (interval's low end) / geometric-mean speedup "
        f"| {m.faster:.1%} / {m.saved:.2%} / {m.speedup:.3f}x |",
        f"| GSO opt@1 | {m.opt_at_1:.1%} |",
        *opt_k,
        f"| SWE-fficiency speedup ratio (harmonic) | {ratio} |",
        f"| cost / wall time | {cost} / {m.seconds:.0f} s |",
        "",
        "| task | status | SWE-Perf gain (sequential / interleaved) | ours: speedup [interval] | verdict "
        "| GSO mean speedup | expert speedup | GSO opt | cost | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.extend(_rows(r))
    if len(every) > len(results):
        lines.extend(["", *_attempt_rows(tasks)])
    reasons = [f"- {_name(r)}: {r.reason}" for r in every if r.reason]
    extra = [f"- {note}" for note in notes]
    return "\n".join(
        [
            *lines,
            "",
            *(["Notes:", "", *extra, ""] if extra else []),
            *(["Reasons:", "", *reasons, ""] if reasons else []),
        ]
    )


def _attempt_rows(tasks: Sequence[Sequence[TaskResult]]) -> list[str]:
    rows = [
        "| task | attempt | status | GSO speedup (geometric mean over workloads) | GSO opt |",
        "|---|---|---|---|---|",
    ]
    for attempts in tasks:
        for r in attempts:
            speedup = geomean([w.mean_speedup for w in r.workloads]) if r.workloads else None
            shown = f"{speedup:.2f}x" if speedup is not None else "-"
            opt = "yes" if gso_opt(r) else "no"
            rows.append(f"| {r.task_id} | {r.attempt} | {r.status} | {shown} | {opt} |")
    return rows


def _name(r: TaskResult) -> str:
    return r.task_id if r.attempt == 1 else f"{r.task_id} (attempt {r.attempt})"


def _rows(r: TaskResult) -> list[str]:
    cost = f"${r.cost_usd:.2f}" if r.cost_usd is not None else "-"
    expert = f"{r.expert_speedup:.2f}x" if r.expert_speedup else "-"
    opt = "yes" if gso_opt(r) else "no"
    if not r.workloads:
        return [
            f"| {r.task_id} | {r.status} | {task_performance(r):.1%} | - | - | - | {expert} | {opt} "
            f"| {cost} | {r.seconds:.0f} |"
        ]
    rows = []
    for w in r.workloads:
        name = r.task_id if len(r.workloads) == 1 else f"{r.task_id} / {w.name}"
        v = w.verdict
        rows.append(
            f"| {name} | {r.status} | {w.sweperf_gain:.1%} / {w.interleaved_gain:.1%} | {v.speedup:.3f}x [{v.ci_low:.3f}, "
            f"{v.ci_high:.3f}] | {v.outcome} | {w.mean_speedup:.2f}x | {expert} | {opt} | {cost} "
            f"| {r.seconds:.0f} |"
        )
    return rows


def plot_speedups(results: Sequence[TaskResult], path: Path) -> Path:
    rows = [
        (r.task_id if len(r.workloads) == 1 else f"{r.task_id}/{w.name}", w)
        for r in results
        for w in r.workloads
    ]
    fig, ax = plt.subplots(figsize=(7.0, 0.45 * len(rows) + 1.4), dpi=100)
    for y, (_, w) in enumerate(rows):
        v = w.verdict
        ax.errorbar(
            v.speedup,
            y,
            xerr=[[v.speedup - v.ci_low], [v.ci_high - v.speedup]],
            fmt="o",
            color="tab:green" if v.outcome == "faster" else "tab:gray",
            capsize=3,
        )
        if w.expert is not None:
            ax.plot(w.expert.speedup, y, marker="|", markersize=14, color="tab:red")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yticks(range(len(rows)), [name for name, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel("speedup over base (median ratio, interval; red: expert)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def _row_json(r: TaskResult) -> dict[str, object]:
    return {
        "task": r.task_id,
        "attempt": r.attempt,
        "status": r.status,
        "reason": r.reason,
        "applied": r.applied,
        "correct": r.correct,
        "performance": task_performance(r),
        "gso_opt": gso_opt(r),
        "expert_speedup": r.expert_speedup,
        "cost_usd": r.cost_usd,
        "seconds": r.seconds,
        "workloads": [
            {
                "name": w.name,
                "speedup": w.verdict.speedup,
                "ci": [w.verdict.ci_low, w.verdict.ci_high],
                "outcome": w.verdict.outcome,
                "sweperf_gain": w.sweperf_gain,
                "interleaved_gain": w.interleaved_gain,
                "mean_speedup": w.mean_speedup,
            }
            for w in r.workloads
        ],
    }
