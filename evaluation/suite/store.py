"""The run folder: one JSON per finished task attempt (written atomically, so a killed run never
leaves half a record), and a manifest that stops a rerun from mixing two agents' results."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from evaluation.suite.records import RESULT_VERSION, TaskResult, attempt_slot


class StoreError(Exception):
    """The run folder holds something else; the message says what."""


class ResultStore:
    def __init__(self, out: Path) -> None:
        self.out = Path(out).resolve()
        self.results = self.out / "results"

    def open(self, agent: str, settings: dict[str, object]) -> None:
        """Start or resume a run of `agent` in this folder."""
        self.results.mkdir(parents=True, exist_ok=True)
        manifest = self.out / "run.json"
        if manifest.exists():
            previous = json.loads(manifest.read_text(encoding="utf-8")).get("agent")
            if previous != agent:
                raise StoreError(
                    f"{self.out} holds a run of {previous!r}, not {agent!r}; use another --out"
                )
            return
        write_atomic(
            manifest,
            json.dumps(
                {"version": RESULT_VERSION, "agent": agent, **settings}, indent=2, default=str
            ),
        )

    def load(self, task_id: str, attempt: int = 1) -> TaskResult | None:
        path = self.results / f"{attempt_slot(task_id, attempt)}.json"
        if not path.is_file():
            return None
        try:
            return TaskResult.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError:
            return None  # an older or damaged record: the task runs again

    def save(self, result: TaskResult) -> Path:
        path = self.results / f"{attempt_slot(result.task_id, result.attempt)}.json"
        write_atomic(path, result.model_dump_json(indent=2))
        return path


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
