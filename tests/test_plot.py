from __future__ import annotations

from pathlib import Path

from evaluation.plot import plot_verdict
from evaluation.stats import judge


def test_plot_writes_a_png(tmp_path: Path) -> None:
    verdict = judge([1.0, 1.1, 1.05, 0.98, 1.02, 1.01], [0.5, 0.52, 0.49, 0.51, 0.5, 0.53])
    path = plot_verdict(verdict, tmp_path / "plots" / "v.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
