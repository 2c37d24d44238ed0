"""The pull request's title and body: what got faster and by how much, how that was measured,
each edit with where and why, the tests, the profile before and after, the model's cost, the
reviewer notes, and the hidden state marker the bot reads back later."""

from __future__ import annotations

from agent.pr.finished import FinishedRun
from agent.pr.flames import Flamegraphs
from agent.pr.state import ProposalState, embed
from profilers.api import Profile

HOTSPOT_ROWS = 8
TITLE_LIMIT = 90


def pr_title(run: FinishedRun) -> str:
    final = run.report.final
    edits = run.accepted()
    what = edits[0][0].title if len(edits) == 1 else f"{len(edits)} verified speed edits"
    speed = f"{final.speedup:.2f}x faster: " if final else ""
    title = f"perfsmith: {speed}{what}"
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"


def pr_body(
    run: FinishedRun, state: ProposalState, min_effect: float, flames: Flamegraphs | None = None
) -> str:
    parts = [speed_section(run, min_effect), edits_section(run), tests_section(run),
             profile_section(run, flames), model_section(run), notes_section(run),
             footer(run), embed(state)]  # fmt: skip
    return "\n\n".join(p for p in parts if p) + "\n"


def speed_section(run: FinishedRun, min_effect: float) -> str:
    report, final = run.report, run.report.final
    if final is None:
        return "## No final measurement\n\nThe edits were accepted one by one, but the final comparison failed."
    return "\n".join([
        f"## {final.speedup:.2f}x faster on `{cell(report.bench)}`",
        "",
        f"**Speedup {final.speedup:.2f}x**, {final.confidence:.1%} interval "
        f"**{final.ci_low:.2f}x - {final.ci_high:.2f}x**, p = {final.p_value:.2g} "
        f"({len(final.a_samples)} + {len(final.b_samples)} runs): median "
        f"{report.baseline_seconds or 0:.3f} s → {report.best_seconds or 0:.3f} s.",
        "",
        "How it was measured: the workload ran at the base commit and with this patch, "
        f"interleaved (ABBA order) in fresh processes. {final.method} "
        f"perfsmith opens a PR only when the interval's lower bound clears {1 + min_effect:.2f}x.",
    ])  # fmt: skip


def edits_section(run: FinishedRun) -> str:
    rows = ["## Edits", "", "| what | where | why | speedup (interval) |", "|---|---|---|---|"]
    for line, cand in run.accepted():
        speed = (f"{line.speedup:.2f}x ({line.ci_low:.2f}-{line.ci_high:.2f})"
                 if line.speedup and line.ci_low and line.ci_high else "-")  # fmt: skip
        rows.append(f"| {cell(line.title)} | `{cell(cand.edit.file)}` `{cell(cand.edit.function)}` | "
                    f"{cell(line.rationale) or '-'} | {speed} |")  # fmt: skip
    rows += ["", "Each edit's speedup is measured against the code just before it (with the "
                 "edits above it applied); the headline measures the whole patch."]  # fmt: skip
    return "\n".join(rows)


def tests_section(run: FinishedRun) -> str:
    accepted = [c for _, c in run.accepted()]
    rejected = run.report.rejected
    by_tests = sum(1 for r in rejected if r.reason.startswith(("tests failed", "the test command")))
    seconds = sum(c.tests_seconds for c in accepted)
    return "\n".join([
        "## Tests",
        "",
        f"`{cell(run.report.test)}` passed at the base commit and after each of the "
        f"{len(accepted)} accepted edit(s) ({seconds:.0f} s in all). {_output_check(run)}",
        f"{len(rejected)} other candidate(s) were rejected, {by_tests} of them by the tests.",
    ])  # fmt: skip


def _output_check(run: FinishedRun) -> str:
    if any("output check skipped" in note for note in run.report.notes):
        return "The workload's output varies between identical runs, so only the tests judged it."
    return "The workload's output matched the base commit's too."


def profile_section(run: FinishedRun, flames: Flamegraphs | None = None) -> str:
    graphs = flame_lines(flames) if flames else []
    if not run.profiles:
        return "\n".join(["## Profile before and after", "", *graphs]) if graphs else ""
    first, last = min(run.profiles), max(run.profiles)
    out = ["## Profile before and after", "", f"Before (round {first}):", "",
           hotspot_table(run.profiles[first])]  # fmt: skip
    if last != first:
        rounds = f"round {first}" if last - 1 == first else f"rounds {first}-{last - 1}"
        out += ["", f"After the edits of {rounds} (profiled at the start of round {last}):",
                "", hotspot_table(run.profiles[last])]  # fmt: skip
    else:
        out += ["", "No profile after the edits: the run ended after its first round."]
    return "\n".join(out + (["", *graphs] if graphs else []))


def flame_lines(flames: Flamegraphs) -> list[str]:
    """The flamegraphs embedded when they are served from a URL, else named with where they are."""
    if flames.problem:
        return [f"No flamegraphs: {flames.problem}."]
    assets = flames.assets
    intro = ("Flamegraphs of the workload at the base commit and with this patch (a frame's width "
             "is its share of the samples):")  # fmt: skip
    if assets.url:
        base = assets.url.rstrip("/")
        images = [f"![{image_alt(name)}]({base}/{name})" for name in flames.files]
        return [intro, "", "\n\n".join(images)]
    if assets.artifact:
        where = f"the workflow artifact `{cell(assets.artifact)}`"
        where += f" of [this workflow run]({assets.run_link})" if assets.run_link else ""
    else:
        where = f"`{cell(str(assets.directory))}` on the machine that ran perfsmith"
    names = " and ".join(f"`{cell(name)}`" for name in flames.files)
    return [f"{intro} {names}, in {where}."]


def image_alt(name: str) -> str:
    return name.rsplit("/", 1)[-1].removesuffix(".svg")  # "<run id>/before.svg" -> "before"


def hotspot_table(profile: Profile) -> str:
    rows = [f"{profile.profiler}, {profile.total_samples} samples, {profile.wall_seconds:.2f} s", "",
            "| function | where | self % | total % |", "|---|---|---:|---:|"]  # fmt: skip
    rows += [f"| `{cell(h.function)}` | {cell(h.file)}:{h.start_line} | {h.self_percent:.1f} | "
             f"{h.total_percent:.1f} |" for h in profile.hotspots[:HOTSPOT_ROWS]]  # fmt: skip
    return "\n".join(rows)


def model_section(run: FinishedRun) -> str:
    model, cost = run.model, run.cost
    if model is None and cost is None:
        return f"## Model\n\nNo model: the `{run.report.proposer}` proposer works offline."
    line = f"Proposer `{run.report.proposer}`, model `{model or 'unknown'}`"
    if cost is not None:
        tokens = f", {cost.tokens:,} tokens" if cost.tokens else ""
        line += f"; cost ${cost.usd:.4f}{tokens}"
    return f"## Model and cost\n\n{line}."


def notes_section(run: FinishedRun) -> str:
    notes = list(run.report.notes)
    for _, cand in run.accepted():
        notes += [f"{cand.edit.title}: {n}" for n in cand.notes]
    notes = list(dict.fromkeys(notes))
    if not notes:
        return ""
    return "## Notes for the reviewer\n\n" + "\n".join(f"- {n}" for n in notes)


def footer(run: FinishedRun) -> str:
    report = run.report
    return (f"<sub>perfsmith run `{report.run_id}` on `{report.base_commit[:12]}`; "
            f"{report.rounds} round(s), {report.elapsed_seconds:.0f} s; stopped: {cell(report.stop_reason)}.</sub>")  # fmt: skip


def cell(text: str) -> str:
    """Text safe inside a table cell or inline code."""
    return " ".join(text.split()).replace("|", "\\|").replace("`", "'")
