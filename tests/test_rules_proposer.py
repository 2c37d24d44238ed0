"""RulesProposer end to end: a small workspace, a hotspot, edits that apply_edit accepts."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from agent.edits import apply_edit
from agent.proposers.rules import RulesProposer
from agent.records import Feedback, ProposalContext, Target
from profilers.api import Hotspot, Profile

MODULE = textwrap.dedent(
    """
    import re


    class Catalog:
        def __init__(self, items):
            self.items = items

        def lookup(self, wanted: list[str]):
            found = []
            seen = []
            report = ""
            for item in self.items:
                if item in wanted and item not in seen:
                    seen.append(item)
                    found.append(item)
                if re.match(r"[a-z]+$", item):
                    report += f"{item};"
            for k in {"a": 1}.keys():
                report += str(k)
            return found, report, sorted(found)[0] if found else None

        def untouched(self, wanted: list[str]):
            found = []
            for item in self.items:
                if item in wanted:
                    found.append(item)
            return found
    """
).lstrip()


def _run(root: Path, source: str) -> object:
    namespace: dict[str, object] = {}
    exec(compile(source, str(root / "catalog.py"), "exec"), namespace)
    catalog = namespace["Catalog"](["b", "a", "B", "b", "c1", "a"])  # type: ignore[operator]
    return catalog.lookup(["a", "b", "c1"]), catalog.untouched(["a"])


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "catalog.py").write_text(MODULE, encoding="utf-8")
    return tmp_path


def _target(workspace: Path) -> tuple[Target, ProposalContext]:
    lines = MODULE.splitlines()
    start = lines.index("    def lookup(self, wanted: list[str]):") + 1
    end = lines.index("    def untouched(self, wanted: list[str]):") - 1
    hotspot = Hotspot(
        function="Catalog.lookup", file="pkg/catalog.py", start_line=start, end_line=end,
        self_samples=90, total_samples=95, self_percent=90.0, total_percent=95.0,
    )  # fmt: skip
    profile = Profile(profiler="cprofile", total_samples=100, wall_seconds=1.0, hotspots=[hotspot])
    source = "\n".join(lines[start - 1 : end])
    context = ProposalContext(
        workspace=workspace, profile=profile, workload="python run.py", test_command="pytest"
    )
    return Target(hotspot=hotspot, source=source), context


def test_each_rule_becomes_one_edit_that_applies_cleanly(
    workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    target, context = _target(workspace)
    edits = RulesProposer().propose(target, context, [])
    rules = [edit.rule for edit in edits]
    assert len(rules) == len(set(rules))
    assert {"membership-set", "seen-set", "regex-hoist", "str-join", "sorted-min-max"} <= set(rules)
    assert "ruff-SIM118" in rules
    expected = _run(workspace, MODULE)
    for edit in edits:
        assert edit.proposer == "rules" and "Catalog.lookup" in edit.title
        assert edit.file == "pkg/catalog.py" and edit.function == "Catalog.lookup"
        assert edit.rationale
        copy = tmp_path_factory.mktemp(edit.rule)
        shutil.copytree(workspace, copy, dirs_exist_ok=True)
        apply_edit(edit, copy)
        new = (copy / "pkg" / "catalog.py").read_text(encoding="utf-8")
        assert new != MODULE
        assert _run(copy, new) == expected, edit.rule
        # Only the hot method changes, plus a hoisted pattern above the class.
        assert new.endswith(MODULE[MODULE.index("    def untouched") :])
        if edit.rule != "regex-hoist":
            assert new.startswith(MODULE[: MODULE.index("    def lookup")])
    assert (workspace / "pkg" / "catalog.py").read_text(encoding="utf-8") == MODULE


def test_proposals_are_deterministic_and_skip_rejected_titles(workspace: Path) -> None:
    target, context = _target(workspace)
    proposer = RulesProposer(use_ruff=False)
    first = proposer.propose(target, context, [])
    assert [e.id for e in first] == [e.id for e in proposer.propose(target, context, [])]
    rejected = Feedback(edit_title=first[0].title, status="rejected", reason="slower")
    again = proposer.propose(target, context, [rejected])
    assert [e.title for e in again] == [e.title for e in first[1:]]


def test_a_file_libcst_cannot_parse_gives_no_codemod_edits(workspace: Path) -> None:
    target, context = _target(workspace)
    (workspace / "pkg" / "catalog.py").write_text("def lookup(:\n", encoding="utf-8")
    proposer = RulesProposer(use_ruff=False)
    assert proposer.propose(target, context, []) == []
    assert "cannot parse" in proposer.last_error
