"""Load task specs from a path: a suite folder (one sub-folder per task, each with
task.toml), a task folder, a task file (.toml or .json), or a JSON / JSONL file of
published instances (SWE-Perf, GSO, SWE-fficiency) or native task records."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tasks.formats.native import TaskSpec
from tasks.formats.predictions import FormatError, read_jsonl
from tasks.formats.published import detect

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TASK_FILE = "task.toml"


def load_tasks(path: Path) -> list[TaskSpec]:
    path = Path(path).resolve()
    if path.is_dir():
        if (path / TASK_FILE).is_file():
            return [_native_file(path / TASK_FILE)]
        found = sorted(p / TASK_FILE for p in path.iterdir() if (p / TASK_FILE).is_file())
        if not found:
            raise FormatError(f"{path}: no {TASK_FILE} in it or in its sub-folders")
        tasks = [_native_file(p) for p in found]
    elif path.suffix == ".toml":
        tasks = [_native_file(path)]
    elif path.suffix in (".json", ".jsonl"):
        tasks = [task_from_record(r, path, n) for n, r in enumerate(_records(path), start=1)]
    elif not path.exists():
        raise FormatError(f"{path}: no such file or folder")
    else:
        raise FormatError(f"{path}: expected a folder, .toml, .json or .jsonl")
    _check_unique(tasks, path)
    return tasks


def task_from_record(record: Any, path: Path, number: int = 1) -> TaskSpec:
    """One record of a JSON/JSONL file, in whichever format its fields say."""
    if not isinstance(record, dict):
        raise FormatError(f"{path}: record {number} is not an object")
    kind = detect(record)
    try:
        if kind is None:
            return TaskSpec.model_validate({**record, "folder": path.parent})
        return kind.model_validate(record).to_task().model_copy(update={"folder": path.parent})
    except ValidationError as exc:
        raise FormatError(f"{path}: record {number}: {_describe(exc)}") from None


def _native_file(path: Path) -> TaskSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"{path}: invalid TOML ({exc})") from None
    try:
        return TaskSpec.model_validate({**data, "folder": path.parent})
    except ValidationError as exc:
        raise FormatError(f"{path}: {_describe(exc)}") from None


def _records(path: Path) -> list[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return read_jsonl(text, path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path}: not JSON ({exc.msg})") from None
    return data if isinstance(data, list) else [data]


def _check_unique(tasks: list[TaskSpec], path: Path) -> None:
    seen: set[str] = set()
    for task in tasks:
        if task.id in seen:
            raise FormatError(f"{path}: two tasks named {task.id!r}")
        seen.add(task.id)


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    return f"{where}: {first['msg']}"
