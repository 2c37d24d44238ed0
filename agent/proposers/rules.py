"""The offline `rules` proposer: deterministic rewrites of a hot function.

Two sources: our libcst codemods (agent/proposers/codemods, each documents its safety
conditions) and speed-relevant ruff autofixes (agent/proposers/ruff_fixes). Each rule that
fires becomes one Edit, so the loop can measure and credit it on its own. Every edit is
checked here before it leaves: it changes something, the file still compiles, and nothing
outside the function's lines changes except module-level statements the rule declares
(a hoisted pattern, an import a ruff fix needs).
"""

from __future__ import annotations

from collections.abc import Iterable

from agent.proposers.codemods import CODEMODS, Codemod
from agent.proposers.codemods.base import apply_plan, load_function
from agent.proposers.replacements import line_hunks, replacements_for
from agent.proposers.ruff_fixes import RuffFix, RuffFixer
from agent.records import Edit, Feedback, ProposalContext, Target
from profilers.api import Hotspot


class RulesProposer:
    name = "rules"

    def __init__(
        self,
        codemods: Iterable[Codemod] | None = None,
        ruff: RuffFixer | None = None,
        use_ruff: bool = True,
    ) -> None:
        self.codemods = list(CODEMODS.values() if codemods is None else codemods)
        self.ruff = (ruff or RuffFixer.find()) if use_ruff else None
        self.last_error = ""  # why a rule that fired produced no edit, for the run's log

    def propose(
        self, target: Target, context: ProposalContext, feedback: list[Feedback]
    ) -> list[Edit]:
        self.last_error = ""
        hotspot = target.hotspot
        source = (context.workspace / hotspot.file).read_text(encoding="utf-8")
        edits = [*self._codemod_edits(source, hotspot), *self._ruff_edits(source, hotspot)]
        # The rules are deterministic: an edit rejected before would be rejected again.
        rejected = {f.edit_title for f in feedback if f.status == "rejected"}
        return [edit for edit in edits if edit.title not in rejected]

    def _codemod_edits(self, source: str, hotspot: Hotspot) -> list[Edit]:
        ctx = load_function(source, hotspot.function, (hotspot.start_line, hotspot.end_line))
        if ctx is None:
            self.last_error = f"{hotspot.key}: libcst cannot parse the file or find the function"
            return []
        edits = []
        for codemod in self.codemods:
            plan = codemod.plan(ctx)
            if plan is None:
                continue
            new = apply_plan(ctx, plan)
            rationale = " ".join([codemod.rationale, *plan.notes])
            title = f"{plan.summary[:1].upper()}{plan.summary[1:]} in {hotspot.function}"
            edit = self._edit(
                source, new, hotspot, codemod.name, title, rationale, bool(plan.module_statements)
            )
            if edit is not None:
                edits.append(edit)
        return edits

    def _ruff_edits(self, source: str, hotspot: Hotspot) -> list[Edit]:
        if self.ruff is None:
            return []
        fixes = self.ruff.fixes(source, hotspot.file, hotspot.start_line, hotspot.end_line)
        edits = []
        for fix in fixes:
            edit = self._edit(
                source,
                fix.new_text,
                hotspot,
                f"ruff-{fix.code}",
                f"Apply ruff {fix.code} ({fix.name}) in {hotspot.function}",
                _ruff_rationale(fix),
                fix.added_imports,
            )
            if edit is not None:
                edits.append(edit)
        return edits

    def _edit(
        self,
        old: str,
        new: str,
        hotspot: Hotspot,
        rule: str,
        title: str,
        rationale: str,
        adds_module_statements: bool,
    ) -> Edit | None:
        """The Edit, or None (with last_error set) if the result fails a check."""
        problem = _problem(old, new, hotspot, adds_module_statements)
        if problem:
            self.last_error = f"{rule} on {hotspot.key}: {problem}"
            return None
        return Edit(
            proposer=self.name,
            rule=rule,
            title=title,
            rationale=rationale,
            file=hotspot.file,
            function=hotspot.function,
            replacements=replacements_for(hotspot.file, old, new),
        )


def _problem(old: str, new: str, hotspot: Hotspot, adds_module_statements: bool) -> str:
    """Why the rewritten file must not be proposed, or "" if it may."""
    if new == old:
        return "changes nothing"
    try:
        compile(new, hotspot.file, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        return f"result does not compile: {error}"
    for hunk in line_hunks(old, new):
        if hunk.within(hotspot.start_line, hotspot.end_line):
            continue
        if adds_module_statements and hunk.above(hotspot.start_line):
            continue  # the declared module-level statements or imports, above the function
        return f"changes line {hunk.old_start + 1}, outside lines {hotspot.start_line}-{hotspot.end_line}"
    return ""


def _ruff_rationale(fix: RuffFix) -> str:
    text = f"ruff {fix.code} ({fix.name}): {fix.why}."
    if fix.added_imports:
        text += " Adds or extends the module-level import(s) the fix needs."
    return text
