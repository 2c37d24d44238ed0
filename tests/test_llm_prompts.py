from __future__ import annotations

from pathlib import Path

from agent.proposers.code_context import CodeContext
from agent.proposers.prompts import (
    FOCUSES,
    SYSTEM_PROMPT,
    Attempt,
    build_messages,
    build_user_prompt,
    fix_message,
    refine_task,
    repair_task,
    system_prompt,
)
from agent.records import Candidate, Edit, Feedback, ProposalContext, Replacement, Target
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


def test_focus_and_task_come_before_the_source_and_tools_are_announced() -> None:
    target, context = setup()
    system, user = build_messages(
        target, context, [], focus=FOCUSES[1], task="Task: repair it.", tool_rounds=2
    )
    text = str(user.content)
    assert text.index(FOCUSES[1]) < text.index("Task: repair it.") < text.index("def f(xs, ys)")
    assert str(system.content).startswith(SYSTEM_PROMPT)
    assert "read_file, grep, list_symbols, show_profile, show_test_output" in str(system.content)
    assert "at most 2 rounds" in str(system.content)
    assert system_prompt(0) == SYSTEM_PROMPT


def test_code_context_sections_are_shown_and_trimmed_before_callers() -> None:
    target, context = setup(others=0, callers=3)
    code = CodeContext(
        imports=["import re", "from pkg.util import helper"],
        definitions=["# pkg/util.py:3\ndef helper(x): ..."],
        tests=[f"- tests/test_mod.py::test_{i} (line {i}): f([1], [1])" for i in range(6)],
        workload=["# bench.py", "f(list(range(1000)), [5])"],
    )
    full = build_user_prompt(target, context, [], 100_000, code=code)
    assert "Imports of pkg/mod.py:\n```python\nimport re\nfrom pkg.util import helper\n```" in full
    assert "Definitions it uses from this repository:\n```python\n# pkg/util.py:3" in full
    assert "Tests that mention f:\n- tests/test_mod.py::test_0 (line 0)" in full
    assert "The workload's code:\n```python\n# bench.py\n" in full

    tight = build_user_prompt(target, context, [], len(full) - 120, code=code)
    assert "test_mod.py::test_5" not in tight and "more omitted" in tight  # tests go first
    assert "# bench.py" in tight and "- caller_2" in tight and "import re" in tight

    without = CodeContext(imports=code.imports, definitions=code.definitions)
    expected = build_user_prompt(target, context, [], 100_000, code=without)
    assert build_user_prompt(target, context, [], len(expected), code=code) == expected


def test_repair_and_refine_tasks_carry_the_diff_the_output_and_the_speedup() -> None:
    failed = Attempt(title="Use a set", diff="-a\n+b", status="rejected",
                     reason="tests failed: exited with status 1;\n 1 failed",
                     output="x" * 5000 + "\nAssertionError: 3 != 4")  # fmt: skip
    text = repair_task(failed)
    assert "'Use a set' was rejected: tests failed: exited with status 1; 1 failed" in text
    assert "```diff\n-a\n+b\n```" in text and text.count("x") < 3_100
    assert "AssertionError: 3 != 4" in text  # the end of the output is what matters
    assert "not the failed version" in text

    accepted = Attempt(title="Use a set", diff="-a\n+b", status="accepted",
                       reason="faster: 1.500x", speedup=1.5)  # fmt: skip
    assert "'Use a set' was accepted (1.500x faster)" in refine_task(accepted)
    assert "already applied" in refine_task(accepted)


def test_attempt_from_a_candidate_without_a_diff_shows_its_blocks() -> None:
    edit = Edit(proposer="llm", rule="llm", title="t", rationale="", file="a.py", function="f",
                replacements=[Replacement(path="tests/test_a.py", search="x\n", replace="y\n")])  # fmt: skip
    cand = Candidate(id="c1", round=1, edit=edit, parent="baseline", status="rejected",
                     reason="edit touches a protected file")  # fmt: skip
    attempt = Attempt.from_candidate(cand, output="out")
    assert attempt.diff == "tests/test_a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE"
    assert (attempt.output, attempt.speedup) == ("out", None)


def test_fix_message_names_the_error_and_the_format() -> None:
    text = fix_message("block 1 (a.py): SEARCH text not found")
    assert text.startswith("Your edit could not be used: block 1 (a.py): SEARCH text not found")
    assert "TITLE, RATIONALE and every block" in text
