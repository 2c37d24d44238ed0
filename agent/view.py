"""The live terminal view: a status line for the step in progress, a line per judged candidate,
and the final table. The loop only calls `view(kind, message)`; it knows nothing of Rich."""

from __future__ import annotations

from rich.console import Console
from rich.status import Status
from rich.table import Table

from agent.report import Report, headline

STYLES = {"accepted": "bold green", "rejected": "red", "stale": "yellow", "final": "cyan"}


class ConsoleView:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.status: Status | None = None
        self.current = ""

    def __call__(self, kind: str, message: str) -> None:
        if kind in STYLES:
            self._stop()
            mark = {"accepted": "✔", "rejected": "✘", "stale": "↷"}.get(kind, "•")
            self.console.print(f"[{STYLES[kind]}]{mark} {message}[/]", highlight=False)
        elif kind == "step":
            self._show(f"{self.current} — {message}")
        else:
            self.current = message
            self._show(message)

    def close(self) -> None:
        self._stop()

    def _show(self, text: str) -> None:
        if self.status is None:
            self.status = self.console.status(text)
            self.status.start()
        else:
            self.status.update(text)

    def _stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


def print_summary(report: Report, console: Console) -> None:
    table = Table(title="Accepted edits", show_lines=False)
    for column in ("edit", "where", "speedup", "CI", "p"):
        table.add_column(column)
    for e in report.accepted:
        table.add_row(
            e.title,
            e.where,
            f"{e.speedup:.3f}x",
            f"{e.ci_low:.3f}-{e.ci_high:.3f}",
            f"{e.p_value:.1g}",
        )
    if report.accepted:
        console.print(table)
    rejected = len(report.rejected)
    console.print(
        f"{rejected} candidate(s) rejected (reasons in report.md). Stopped: {report.stop_reason}."
    )
    console.print(f"[bold]{headline(report)}[/]")
