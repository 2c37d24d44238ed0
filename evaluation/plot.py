"""A small picture of one comparison: both sample distributions side by side."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window

import matplotlib.pyplot as plt

from evaluation.records import SpeedVerdict


def plot_verdict(
    verdict: SpeedVerdict, path: Path, labels: tuple[str, str] = ("before", "after")
) -> Path:
    samples = [[s * 1000 for s in verdict.a_samples], [s * 1000 for s in verdict.b_samples]]
    fig, ax = plt.subplots(figsize=(4.8, 2.4), dpi=100)
    ax.boxplot(samples, orientation="horizontal", widths=0.5, showfliers=False)
    for row, values in enumerate(samples, start=1):
        ax.scatter(values, [row] * len(values), s=9, alpha=0.6, zorder=3)
    ax.set_yticks(
        [1, 2], [f"{labels[0]} (n={len(samples[0])})", f"{labels[1]} (n={len(samples[1])})"]
    )
    ax.set_xlabel("ms per run")
    ax.set_title(
        f"{verdict.outcome}: {verdict.speedup:.3f}x [{verdict.ci_low:.3f}, {verdict.ci_high:.3f}] "
        f"p={verdict.p_value:.1g}",
        fontsize=9,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
