"""KernelBench-style aggregates and the markdown report (parent side, standard library only).

A task here is one (problem, shape, dtype) row. fast_p = share of ALL tasks that are correct and
more than p times faster than the baseline; failed and untimed tasks count in the denominator.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from evaluation.kernels.records import CheckReport, ShapeResult


def fast_p(rows: Sequence[ShapeResult], p: float, baseline: str = "eager") -> float:
    if not rows:
        return 0.0
    hits = 0
    for row in rows:
        speedup = row.speedup_vs_eager if baseline == "eager" else row.speedup_vs_compile
        hits += row.correct and speedup is not None and speedup > p
    return hits / len(rows)


def median_speedup(rows: Sequence[ShapeResult], baseline: str = "eager") -> float | None:
    values = [
        r.speedup_vs_eager if baseline == "eager" else r.speedup_vs_compile
        for r in rows
        if r.correct
    ]
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarize(rows: Sequence[ShapeResult], timed: bool) -> dict[str, Any]:
    """`timed`: the suite ran on a GPU and timed what passed. Without it fast_p is None: an
    untimed suite says which candidates are correct, and nothing about speed. A timed suite
    where nothing passed has fast_p 0, not None."""
    return {
        "tasks": len(rows),
        "correct": sum(r.correct for r in rows),
        "timed": timed,
        "fast_1": fast_p(rows, 1.0) if timed else None,
        "fast_1.5": fast_p(rows, 1.5) if timed else None,
        "median_speedup_vs_eager": median_speedup(rows),
        "fast_1_vs_compile": fast_p(rows, 1.0, "compile") if timed else None,
        "median_speedup_vs_compile": median_speedup(rows, "compile"),
        "flagged": sum(bool(r.flags) for r in rows),
    }


def headline(summary: dict[str, Any]) -> str:
    """One line: tasks, correct, and fast_1 / fast_1.5 / median speedup when timed."""
    counts = f"{summary['tasks']} tasks, {summary['correct']} correct"
    if not summary.get("timed"):
        return f"{counts}; not timed (no GPU): fast_p needs GPU timings"
    return (
        f"{counts}; fast_1 {summary['fast_1']:.2f}, fast_1.5 {summary['fast_1.5']:.2f}, "
        f"median speedup vs eager {_x(summary['median_speedup_vs_eager'])}"
    )


def markdown(
    rows: Sequence[ShapeResult], checks: Sequence[CheckReport], summary: dict[str, Any], header: str
) -> str:
    lines = [f"# {header}", "", "## Correctness checks", ""]
    lines += ["| problem | status | trials | notes |", "|---|---|---|---|"]
    for c in checks:
        ok = sum(t.passed for t in c.trials)
        notes = "; ".join([*c.reasons[:1], *c.skipped, *c.adaptations, *_aot_notes(c)])
        lines.append(f"| {c.problem} | {c.status} | {ok}/{len(c.trials)} | {_cell(notes)} |")
    lines += ["", "## Timings (median ms ± half the IQR; speedup = eager / candidate)", ""]
    lines += [
        "| problem | shape | dtype | correct? | eager ms | compile ms | candidate ms | speedup vs eager | flags |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        compiled = (
            _ms(r.compiled)
            if r.compiled
            else _cell(f"n/a: {r.compile_error}" if r.compile_error else "n/a")
        )
        flags = "; ".join(r.flags + ([r.error] if r.error else []))
        lines.append(
            f"| {r.problem} | {_shape(r.shape)} | {r.dtype} | {'yes' if r.correct else 'NO'} | {_ms(r.eager)} | "
            f"{compiled} | {_ms(r.candidate)} | {_x(r.speedup_vs_eager)} | {_cell(flags)} |"
        )
    lines += ["", "## Summary", ""]
    lines.append(
        f"- tasks (problem x shape x dtype): {summary['tasks']}, correct: {summary['correct']}"
    )
    if summary.get("timed"):
        lines += [
            f"- fast_1: {summary['fast_1']:.2f}, fast_1.5: {summary['fast_1.5']:.2f} (vs eager, over all tasks)",
            f"- median speedup vs eager: {_x(summary['median_speedup_vs_eager'])}; "
            f"vs torch.compile: {_x(summary['median_speedup_vs_compile'])} (fast_1 {summary['fast_1_vs_compile']:.2f})",
            f"- rows flagged for review: {summary['flagged']}",
        ]
    else:
        lines.append("- not timed (no GPU): fast_p and the median speedup need GPU timings")
    return "\n".join(lines) + "\n"


def _aot_notes(check: CheckReport) -> list[str]:
    """Worst resource use per kernel over its compiled variants (dtypes, block sizes)."""
    worst: dict[str, tuple[int, int, int]] = {}
    for k in check.aot:
        if k.get("ok"):
            prev = worst.get(k["kernel"], (0, 0, 0))
            now = (k.get("registers") or 0, k.get("shared") or 0, k.get("spill_bytes") or 0)
            worst[k["kernel"]] = (max(prev[0], now[0]), max(prev[1], now[1]), max(prev[2], now[2]))
    return [
        f"sm_90 {name}: <= {r} regs, {sh} B smem, {sp} B spills"
        for name, (r, sh, sp) in worst.items()
    ]


def _ms(stats: Any) -> str:
    if stats is None:
        return "-"
    return f"{stats.median_ms:.4g} ± {stats.iqr_ms / 2:.2g}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _shape(shape: dict[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in shape.items())


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")[:200]
