"""A finished run directory, read back: the report, the accepted candidates, the profiles."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.pr import PrError
from agent.records import Candidate, RunState
from agent.report import EditLine, Report
from agent.store import RunStore
from profilers.api import Profile


@dataclass(frozen=True)
class Cost:
    usd: float
    tokens: int | None = None


@dataclass(frozen=True)
class FinishedRun:
    dir: Path
    report: Report
    state: RunState
    candidates: dict[str, Candidate]
    profiles: dict[int, Profile]  # round number -> profile of the best state at its start
    extra: dict[str, Any]  # report.json keys the Report model does not know (model cost, ...)

    @property
    def run_id(self) -> str:
        return self.report.run_id

    @property
    def patch_text(self) -> str:
        patch = self.dir / "best.patch"
        return patch.read_text() if self.report.patch and patch.is_file() else ""

    def accepted(self) -> list[tuple[EditLine, Candidate]]:
        return [(line, self.candidates[line.candidate]) for line in self.report.accepted
                if line.candidate in self.candidates]  # fmt: skip

    def targets(self) -> list[str]:
        """Hotspot keys (file::function) of the accepted edits, in order, without repeats."""
        keys = (f"{c.edit.file}::{c.edit.function}" for _, c in self.accepted())
        return list(dict.fromkeys(keys))

    @property
    def model(self) -> str | None:
        found = self.extra.get("model") or self.state.config.get("model")
        return str(found) if found else None

    @property
    def cost(self) -> Cost | None:
        # The report carries the cost ledger's summary under "cost" (llm runs); older reports
        # may have it under "ledger", or a bare number.
        found: Any = self.report.cost or self.extra.get("ledger")
        if isinstance(found, int | float):
            return Cost(float(found))
        if isinstance(found, dict) and isinstance(found.get("cost_usd"), int | float):
            tokens = sum(int(found.get(k) or 0) for k in ("input_tokens", "output_tokens"))
            return Cost(float(found["cost_usd"]), tokens or None)
        return None


def load_run(run_dir: Path) -> FinishedRun:
    report_file = run_dir / "report.json"
    if not report_file.is_file():
        raise PrError(f"{run_dir} has no report.json: the run has not finished")
    try:
        raw = json.loads(report_file.read_text())
        report = Report.model_validate(raw)
        store = RunStore(run_dir)
        state = store.load_state()
        candidates = {c.id: c for c in store.candidates()}
    except (ValueError, ValidationError, FileNotFoundError) as exc:
        raise PrError(f"cannot read the run in {run_dir}: {str(exc).splitlines()[0]}") from None
    profiles = {}
    for path in (run_dir / "profiles").glob("round-*.json"):
        number = path.stem.removeprefix("round-")
        if number.isdigit():
            profiles[int(number)] = Profile.model_validate_json(path.read_text())
    extra = {k: v for k, v in raw.items() if k not in Report.model_fields}
    return FinishedRun(run_dir, report, state, candidates, profiles, extra)
