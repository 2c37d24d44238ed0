"""The optimize loop: profile the best state, propose edits for its hotspots, keep the ones
the judges accept, repeat until the budget is spent or a round finds nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent.config import OptimizeConfig, workload_from_bench
from agent.dedupe import edit_key
from agent.edits import EditError, apply_edit
from agent.ledger import Ledger
from agent.proposers.api import Proposer
from agent.proposers.code_context import workload_source
from agent.proposers.prompts import Attempt
from agent.records import Candidate, Edit, ProposalContext, RunState, Target
from agent.store import RunStore
from agent.targets import feedback_for, pick_targets
from agent.trial import Judges, try_edit
from evaluation.compare import SamplingPolicy
from evaluation.comparison import run_comparison
from evaluation.correctness import run_tests
from evaluation.measure import WorkloadError, WorkloadRunner, reference_output
from evaluation.records import SpeedVerdict
from profilers.api import Profile, Profiler
from sandbox import workspace
from sandbox.api import Sandbox

Notify = Callable[[str, str], None]


class StopRun(Exception):
    """Ends the run early with a reason for the report (not an error of perfsmith)."""


@dataclass
class Outcome:
    state: RunState
    candidates: list[Candidate]
    final: SpeedVerdict | None
    baseline_workspace: Path | None
    best_workspace: Path | None
    notes: list[str] = field(default_factory=list)


class Optimizer:
    def __init__(
        self,
        config: OptimizeConfig,
        state: RunState,
        store: RunStore,
        sandbox: Sandbox,
        profiler: Profiler,
        proposer: Proposer,
        scratch: Path,
        notify: Notify,
        ledger: Ledger | None = None,
    ) -> None:
        self.config, self.state, self.store = config, state, store
        self.sandbox, self.profiler, self.proposer = sandbox, profiler, proposer
        self.scratch, self._notify = scratch, notify
        self.workload = workload_from_bench(config.bench, config.bench_timeout)
        self.known = {c.id: c for c in store.candidates()}  # judged before a --resume
        self.programs: set[tuple[str, str]] = set()  # (parent, normalized program) already judged
        self.refined: set[str] = set()  # accepted candidates a proposer has built on
        self.ledger = ledger
        self.notes: list[str] = []
        self._clock_start = time.monotonic()

    def run(self, baseline: Path) -> Outcome:
        self.baseline = self.best = baseline
        final = None
        try:
            judges = self._check_baseline(baseline)
            self.best = self._replay_accepted(baseline)
            while (reason := self._budget_spent(starting_round=True)) is None:
                self.state.round += 1
                self._save()
                if not self._round(judges):
                    reason = f"round {self.state.round} found no accepted edit"
                    break
            self.state.stop_reason = reason
            if self.state.accepted:
                final = self._final_measure(baseline, self.best)
        except StopRun as stop:
            self.state.stop_reason = str(stop)
        self.state.finished = True
        self._save()
        return Outcome(self.state, self.store.candidates(), final, baseline, self.best, self.notes)

    # --- steps ------------------------------------------------------------
    def _check_baseline(self, baseline: Path) -> Judges:
        self.notify("tests", "running the tests at baseline")
        tests = run_tests(self.sandbox, self.config.test, baseline, self.config.test_timeout)
        if not tests.passed:
            self.store.write_text("baseline-tests.log", tests.output_tail)
            raise StopRun(
                f"baseline tests do not pass ({tests.reason}); nothing to optimize against"
            )
        self.notify("bench", "running the workload at baseline")
        try:
            reference = reference_output(WorkloadRunner(self.sandbox, self.workload, baseline))
        except WorkloadError as exc:
            raise StopRun(f"the workload fails at baseline: {exc}") from None
        if reference is None:
            self.notes.append(
                "workload output differs between identical runs: output check skipped, tests only"
            )
        return Judges(
            self.sandbox,
            self.workload,
            self.config.test,
            self.config.test_timeout,
            bench_text=workload_source(baseline, self.config.bench),
        )

    def _replay_accepted(self, baseline: Path) -> Path:
        """On --resume, rebuild the best state from the accepted edits, in order."""
        best = baseline
        for cid in self.state.accepted:
            ws = workspace.clone(best, self.scratch / f"replay-{cid}")
            apply_edit(self.known[cid].edit, ws)
            best = ws
        return best

    def _round(self, judges: Judges) -> bool:
        self.notify("profile", f"round {self.state.round}: profiling the workload")
        profile = self.profiler.profile(self.workload, self.best, self.sandbox)
        self.store.save_profile(self.state.round, profile)
        self.notes.extend(n for n in profile.notes if n not in self.notes)
        accepted_any = False
        for target in pick_targets(
            profile, self.best, self.config.hotspots, self.config.bench, self.config.only_functions
        ):
            context = self._context(profile)
            for edit in self._proposals(target, context):
                if self._budget_spent():
                    return accepted_any
                cand = self._try(edit, judges)
                if cand is not None and cand.reason.startswith("tests failed"):
                    cand = self._repair(target, context, cand, judges)
                accepted_any |= cand is not None and cand.status == "accepted"
        return accepted_any

    def _context(self, profile: Profile) -> ProposalContext:
        return ProposalContext(
            workspace=self.best,
            profile=profile,
            workload=self.config.bench,
            test_command=self.config.test,
        )

    def _proposals(self, target: Target, context: ProposalContext) -> list[Edit]:
        """New edits for a target; a proposer that can refine also builds on the edits
        accepted for this function in earlier rounds (once each)."""
        edits = self.proposer.propose(
            target, context, feedback_for(target, list(self.known.values()))
        )
        self._after_proposer(target, edits)
        refine = getattr(self.proposer, "refine", None)
        for cand in self.known.values():
            if (
                refine
                and cand.status == "accepted"
                and cand.id not in self.refined
                and cand.edit.function == target.hotspot.function
                and cand.edit.file == target.hotspot.file
            ):
                self.refined.add(cand.id)
                more = refine(target, context, Attempt.from_candidate(cand))
                self._after_proposer(target, more)
                edits = [*edits, *more]
        return edits

    def _repair(
        self, target: Target, context: ProposalContext, failed: Candidate, judges: Judges
    ) -> Candidate:
        """One repair attempt for an edit that broke the tests, given their output."""
        repair = getattr(self.proposer, "repair", None)
        if repair is None:
            return failed
        fixes = repair(target, context, Attempt.from_candidate(failed, output=failed.output_tail))
        self._after_proposer(target, fixes)
        for fix in fixes:
            cand = self._try(fix, judges)
            if cand is not None and cand.status == "accepted":
                return cand
        return failed

    def _after_proposer(self, target: Target, edits: list[Edit]) -> None:
        if not edits and (error := getattr(self.proposer, "last_error", None)):
            self.store.log("proposer-error", error, target=target.hotspot.key)
            self.notes.append(
                f"{self.proposer.name} gave no edit for {target.hotspot.function}: {error}"
            )
        if self.ledger is not None:
            summary = {
                "summary": self.ledger.summary(accepted=len(self.state.accepted)),
                "calls": [call.model_dump() for call in self.ledger.calls],
            }
            self.store.write_text("ledger.json", json.dumps(summary, indent=2, default=str))
            if why := self.ledger.over_budget(self.config.max_cost, self.config.max_tokens):
                raise StopRun(why)

    def _try(self, edit: Edit, judges: Judges) -> Candidate | None:
        """Judge an edit on the current best state; None when it was judged before."""
        parent = self.state.accepted[-1] if self.state.accepted else "baseline"
        cid = hashlib.sha256(f"{parent}:{edit.id}".encode()).hexdigest()[:12]
        if cid in self.known:
            return None  # judged already (a resumed run, or proposed twice)
        program = _program_key(edit, self.best)
        if program is not None and (parent, program) in self.programs:
            self.store.log("duplicate", f"{edit.title}: same program as an edit already judged")
            return None
        self.notify("candidate", f"{edit.title}")
        trial = try_edit(
            edit,
            candidate_id=cid,
            round_no=self.state.round,
            parent=parent,
            parent_workspace=self.best,
            scratch=self.scratch,
            judges=judges,
            policy=self._policy(),
            progress=lambda step: self.notify("step", step),
        )
        cand = trial.candidate
        if self.ledger is not None:
            spent = self.ledger.totals(edit.id)
            cand = cand.model_copy(update={"cost_usd": spent.cost_usd, "tokens": spent.tokens})
        self.known[cid] = cand
        if program is not None:
            self.programs.add((parent, program))
        self.store.save_candidate(cand)
        self.notify(cand.status, f"{edit.title}: {cand.reason}")
        if trial.workspace is None:
            return cand
        self.state.accepted.append(cid)
        self._save()
        if self.best != self.baseline:
            discard(self.best)  # superseded; the baseline stays for the final comparison
        self.best = trial.workspace
        return cand

    def _final_measure(self, baseline: Path, best: Path) -> SpeedVerdict | None:
        self.notify("final", "measuring the best patch against the baseline")
        try:
            result = run_comparison(
                WorkloadRunner(self.sandbox, self.workload, baseline),
                WorkloadRunner(self.sandbox, self.workload, best),
                self._policy(final=True),
                self.scratch / "final-guard",
            )
        except WorkloadError as exc:
            self.notes.append(f"final measurement failed: {exc}")
            return None
        self.notes.extend(n for n in result.notes if n not in self.notes)
        if result.verdict is None:
            self.notes.append(f"final measurement: {result.output.detail}")
            return None
        self.store.save_record("final-verdict.json", result.verdict)
        return result.verdict

    def notify(self, kind: str, message: str) -> None:
        if kind != "step":
            self.store.log(kind, message, round=self.state.round)
        self._notify(kind, message)

    # --- budget -----------------------------------------------------------
    def _elapsed(self) -> float:
        return self.state.elapsed_seconds + time.monotonic() - self._clock_start

    def _budget_spent(self, starting_round: bool = False) -> str | None:
        budget = self.config.budget
        if starting_round and self.state.round >= budget.rounds:
            return f"round budget spent ({budget.rounds})"
        tried = sum(1 for c in self.known.values() if c.status != "stale")
        if tried >= budget.candidates:
            return f"candidate budget spent ({budget.candidates})"
        if self._elapsed() >= budget.minutes * 60:
            return f"time budget spent ({budget.minutes:g} min)"
        return None

    def _policy(self, final: bool = False) -> SamplingPolicy:
        remaining = max(10.0, self.config.budget.minutes * 60 - self._elapsed())
        seconds = min(self.config.measure_seconds * (2 if final else 1), remaining)
        return SamplingPolicy(
            min_effect=self.config.min_effect,
            alpha=self.config.alpha,
            time_budget_seconds=seconds,
            paired=self.config.paired,
        )

    def _save(self) -> None:
        now = time.monotonic()
        self.state.elapsed_seconds += now - self._clock_start
        self._clock_start = now
        self.store.save_state(self.state)


def _program_key(edit: Edit, workspace: Path) -> str | None:
    """Normalized-AST key of the program an edit produces; None when it cannot be computed
    (the trial will reject such an edit with the reason)."""
    try:
        return edit_key(edit, workspace)
    except (EditError, SyntaxError, ValueError):
        return None


def discard(path: Path | None) -> None:
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)
