"""The run directory: every record is written as it is produced, so a crash loses nothing
and `--resume` can pick up where a run stopped."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from pydantic import BaseModel

from agent.records import Candidate, RunState
from profilers.api import Profile

RUNS = Path(".perfsmith") / "runs"


def default_runs_dir(repo_root: Path) -> Path:
    runs = repo_root / RUNS
    runs.mkdir(parents=True, exist_ok=True)
    # Like .pytest_cache: the folder ignores itself, so the user's `git status` stays clean.
    ignore = repo_root / ".perfsmith" / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# created by perfsmith\n*\n")
    return runs


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


class RunStore:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        (self.dir / "candidates").mkdir(parents=True, exist_ok=True)
        (self.dir / "profiles").mkdir(exist_ok=True)

    # state ---------------------------------------------------------------
    def save_state(self, state: RunState) -> None:
        _write_atomic(self.dir / "run.json", state.model_dump_json(indent=2))

    def load_state(self) -> RunState:
        path = self.dir / "run.json"
        if not path.exists():
            raise FileNotFoundError(f"{self.dir} holds no run (run.json missing)")
        return RunState.model_validate_json(path.read_text())

    # records -------------------------------------------------------------
    def save_profile(self, round_no: int, profile: Profile) -> None:
        _write_atomic(
            self.dir / "profiles" / f"round-{round_no}.json", profile.model_dump_json(indent=2)
        )

    def save_candidate(self, candidate: Candidate) -> None:
        base = self.dir / "candidates" / candidate.id
        if candidate.diff:
            _write_atomic(base.with_suffix(".diff"), candidate.diff)
        _write_atomic(base.with_suffix(".json"), candidate.model_dump_json(indent=2))

    def candidates(self) -> list[Candidate]:
        found = [
            Candidate.model_validate_json(p.read_text())
            for p in (self.dir / "candidates").glob("*.json")
        ]
        return sorted(found, key=lambda c: (c.round, c.id))

    def save_record(self, name: str, record: BaseModel) -> None:
        _write_atomic(self.dir / name, record.model_dump_json(indent=2))

    def write_text(self, name: str, text: str) -> Path:
        path = self.dir / name
        _write_atomic(path, text)
        return path

    def log(self, kind: str, message: str, **data: object) -> None:
        line = json.dumps({"t": time.time(), "kind": kind, "message": message, **data}, default=str)
        with (self.dir / "events.jsonl").open("a") as handle:
            handle.write(line + "\n")


def _write_atomic(path: Path, text: str) -> None:
    # A kill mid-write must never leave a half record that breaks --resume.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
