from __future__ import annotations

from pathlib import Path

from agent.proposers.prompts import SYSTEM_PROMPT, build_messages, build_user_prompt
from agent.records import Feedback, ProposalContext, Target
from profilers.api import Hotspot, LineSamples, Profile

SOURCE = "def f(xs, ys):\n    total = 0\n    for x in xs:\n        if x in ys:\n            total += 1\n    return total\n"


def hotspot(name: str, start: int = 10, **extra: object) -> Hotspot:
    fields: dict[str, object] = dict(
        function=name,
        file="pkg/mod.py",
        start_line=start,
        end_line=start + 5,
        self_samples=50,
        total_samples=60,
        self_percent=50.0,
        total_percent=60.0,
    )
    return Hotspot.model_validate(fields | extra)


def setup(
    source: str = SOURCE, others: int = 3, callers: int = 2
) -> tuple[Target, ProposalContext]:
    spot = hotspot(
        "f",
        lines=[LineSamples(line=13, samples=40), LineSamples(line=14, samples=5)],
        callers=[f"caller_{i}" for i in range(callers)],
        callees=["helper"],
    )
    profile = Profile(
        profiler="py-spy",
        total_samples=200,
        wall_seconds=2.0,
        hotspots=[spot, *(hotspot(f"other_{i}", start=100 + 10 * i) for i in range(others))],
    )
    context = ProposalContext(
        workspace=Path("/nowhere"),
        profile=profile,
        workload="python bench.py",
        test_command="pytest -q",
    )
    return Target(hotspot=spot, source=source), context


def feedback(n: int) -> list[Feedback]:
    return [
        Feedback(edit_title=f"try {i}", status="rejected", reason=f"tests failed\n  in case {i}")
        for i in range(n)
    ]


def test_user_prompt_has_everything_when_it_fits() -> None:
    target, context = setup()
    text = build_user_prompt(target, context, feedback(2), 10_000)
    assert "Workload being timed: `python bench.py`" in text
    assert "Tests that must keep passing: `pytest -q`" in text
    assert "Hot function: f in pkg/mod.py (lines 10-15)" in text
    assert "Self 50.0%, total 60.0% of 200 samples (py-spy" in text
    assert "   13      40  20.0% |         if x in ys:" in text  # samples and share of the run
    assert "   10                | def f(xs, ys):" in text  # no samples: blank gutter
    assert "- caller_1" in text and "- helper" in text
    assert "- other_0 (pkg/mod.py:100): self 50.0%, total 60.0%" in text
    assert "- 'try 1': rejected: tests failed in case 1" in text  # reasons on one line


def test_messages_are_system_then_user() -> None:
    target, context = setup()
    system, user = build_messages(target, context, [])
    assert (system.type, user.type) == ("system", "human")
    assert system.content == SYSTEM_PROMPT
    assert (
        "<<<<<<< SEARCH" in SYSTEM_PROMPT
        and "TITLE:" in SYSTEM_PROMPT
        and "RATIONALE:" in SYSTEM_PROMPT
    )


def test_budget_trims_other_hotspots_first_then_callers_then_oldest_feedback() -> None:
    target, context = setup(others=8, callers=30)
    full = build_user_prompt(target, context, feedback(10), 100_000)
    assert "- other_7" in full and "- caller_29" in full

    no_others = build_user_prompt(target, context, feedback(10), len(full) - 200)
    assert len(no_others) <= len(full) - 200
    assert "other_7" not in no_others and "more omitted" in no_others
    assert "- caller_29" in no_others and "'try 0'" in no_others

    tight = build_user_prompt(target, context, feedback(10), len(full) - 900)
    assert "Other hot functions" not in tight and "- caller_" not in tight
    assert "'try 9'" in tight and "'try 0'" not in tight  # the latest feedback survives
    assert "if x in ys:" in tight


def test_a_huge_function_is_cut_around_its_hottest_line() -> None:
    body = "".join(f"    a{i} = {i}\n" for i in range(2000))
    source = "def f(xs, ys):\n    total = 0\n    for x in xs:\n        if x in ys:\n" + body
    target, context = setup(source=source)
    text = build_user_prompt(target, context, feedback(3), 6_000)
    assert len(text) <= 6_000
    assert "if x in ys:" in text
    assert "lines below omitted" in text
    assert "Earlier candidates" not in text  # everything else went first
