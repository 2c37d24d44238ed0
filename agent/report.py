"""The run's deliverables: best.patch, report.json and report.md."""

from __future__ import annotations

import statistics

from pydantic import BaseModel

from agent.ledger import Ledger
from agent.loop import Outcome
from agent.records import Candidate
from agent.store import RunStore
from evaluation.plot import plot_verdict
from evaluation.records import SpeedVerdict
from profilers.api import Hotspot, Profile


class EditLine(BaseModel):
    candidate: str
    title: str
    where: str
    rule: str
    proposer: str
    status: str
    reason: str
    rationale: str = ""
    speedup: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    verdict: SpeedVerdict | None = None


class Report(BaseModel):
    run_id: str
    repo: str
    base_commit: str
    bench: str
    test: str
    proposer: str
    stop_reason: str
    rounds: int
    elapsed_seconds: float
    baseline_seconds: float | None = None
    best_seconds: float | None = None
    final: SpeedVerdict | None = None
    accepted: list[EditLine]
    rejected: list[EditLine]
    hotspots: list[Hotspot] = []
    notes: list[str] = []
    review: list[str] = []  # anti-gaming flags on accepted edits, for the human reviewer
    cost: dict[str, object] | None = None  # the model ledger's summary (llm runs)
    patch: str | None = None


def build_report(
    outcome: Outcome, store: RunStore, proposer: str, ledger: Ledger | None = None
) -> Report:
    state = outcome.state
    by_id = {c.id: c for c in outcome.candidates}
    accepted = [_line(by_id[cid]) for cid in state.accepted if cid in by_id]
    rejected = [_line(c) for c in outcome.candidates if c.id not in state.accepted]
    final = outcome.final
    first_profile = store.dir / "profiles" / "round-1.json"
    hotspots = (
        Profile.model_validate_json(first_profile.read_text()).hotspots[:10]
        if first_profile.exists()
        else []
    )
    config = state.config
    return Report(
        run_id=state.run_id,
        repo=str(state.repo),
        base_commit=state.base_commit,
        bench=str(config.get("bench", "")),
        test=str(config.get("test", "")),
        proposer=proposer,
        stop_reason=state.stop_reason,
        rounds=state.round,
        elapsed_seconds=state.elapsed_seconds,
        baseline_seconds=statistics.median(final.a_samples) if final else None,
        best_seconds=statistics.median(final.b_samples) if final else None,
        final=final,
        accepted=accepted,
        rejected=rejected,
        hotspots=hotspots,
        notes=outcome.notes,
        cost=ledger.summary(accepted=len(accepted)) if ledger else None,
        review=[
            f"{c.edit.title}: {n.removeprefix('review: ')}"
            for c in outcome.candidates
            if c.id in state.accepted
            for n in c.notes
            if n.startswith("review: ")
        ],
    )


def write_outputs(report: Report, patch: str, store: RunStore) -> Report:
    if patch.strip():
        report = report.model_copy(update={"patch": str(store.write_text("best.patch", patch))})
    if report.final:
        plot_verdict(report.final, store.dir / "plots" / "final.png", ("baseline", "best"))
    for line in report.accepted:
        if line.verdict:
            plot_verdict(
                line.verdict, store.dir / "plots" / f"{line.candidate}.png", ("parent", "candidate")
            )
    store.write_text("report.json", report.model_dump_json(indent=2))
    store.write_text("report.md", render_markdown(report))
    return report


def headline(report: Report) -> str:
    final = report.final
    if not report.accepted:
        return "No verified speedup: no edit passed every judge."
    if final is None:
        return f"{len(report.accepted)} edit(s) accepted, but the final measurement failed."
    return (
        f"Verified speedup {final.speedup:.2f}x ({final.confidence:.1%} CI {final.ci_low:.2f}-{final.ci_high:.2f}, "
        f"p={final.p_value:.1g}, {final.outcome}): median {report.baseline_seconds:.3f}s -> "
        f"{report.best_seconds:.3f}s with {len(report.accepted)} edit(s)."
    )


def render_markdown(report: Report) -> str:
    out = [
        f"# perfsmith run {report.run_id}",
        "",
        f"**{headline(report)}**",
        "",
        f"- repository: `{report.repo}` at `{report.base_commit[:12]}`",
        f"- workload: `{report.bench}`",
        f"- tests: `{report.test}`",
        f"- proposer: {report.proposer}; rounds: {report.rounds}; time: {report.elapsed_seconds:.0f}s",
        f"- stopped: {report.stop_reason}",
    ]
    if report.final:
        f = report.final
        out.append(
            f"- final comparison: {f.summary()}; samples baseline/best: "
            f"{len(f.a_samples)}/{len(f.b_samples)}; {f.seconds_spent:.0f}s spent"
        )
    if report.patch:
        out.append(f"- patch: `{report.patch}` (applies with `git apply` on the base commit)")
    if report.final:
        out += ["", "![baseline vs best](plots/final.png)"]
    out += ["", "## Accepted edits", ""]
    out += _table(report.accepted, accepted=True) if report.accepted else ["None."]
    out += [f"\n![{e.title}](plots/{e.candidate}.png)" for e in report.accepted if e.verdict]
    out += ["", "## Rejected candidates", ""]
    out += _table(report.rejected, accepted=False) if report.rejected else ["None."]
    if report.hotspots:
        out += [
            "",
            "## Hotspots at the start (self % of workload samples)",
            "",
            "| function | where | self % | total % |",
            "|---|---|---:|---:|",
        ]
        out += [
            f"| `{h.function}` | {h.file}:{h.start_line}-{h.end_line} | {h.self_percent:.1f} | "
            f"{h.total_percent:.1f} |"
            for h in report.hotspots
        ]
    if report.review:
        out += ["", "## For the reviewer", ""] + [f"- {r}" for r in report.review]
    if report.cost:
        out += ["", "## Model cost", ""] + [f"- {k}: {v}" for k, v in report.cost.items()]
    if report.notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in report.notes]
    return "\n".join(out) + "\n"


def _line(c: Candidate) -> EditLine:
    v = c.verdict
    return EditLine(
        candidate=c.id,
        title=c.edit.title,
        where=f"{c.edit.file}:{c.edit.function}",
        rule=c.edit.rule,
        proposer=c.edit.proposer,
        status=c.status,
        reason=c.reason,
        rationale=c.edit.rationale,
        speedup=v.speedup if v else None,
        ci_low=v.ci_low if v else None,
        ci_high=v.ci_high if v else None,
        p_value=v.p_value if v else None,
        verdict=v,
    )


def _samples(verdict: SpeedVerdict | None) -> str:
    return f"{len(verdict.a_samples)}+{len(verdict.b_samples)}" if verdict else "-"


def _table(lines: list[EditLine], accepted: bool) -> list[str]:
    if accepted:
        rows = ["| edit | where | why | speedup (CI) | p | samples |", "|---|---|---|---|---|---|"]
        rows += [
            f"| {e.title} | `{e.where}` | {e.rationale} | {e.speedup:.3f} ({e.ci_low:.3f}-{e.ci_high:.3f}) "
            f"| {e.p_value:.2g} | {_samples(e.verdict)} |"
            for e in lines
        ]
        return rows
    rows = ["| edit | where | status | reason |", "|---|---|---|---|"]
    rows += [
        f"| {e.title} | `{e.where}` | {e.status} | {e.reason.replace('|', '/')} |" for e in lines
    ]
    return rows
