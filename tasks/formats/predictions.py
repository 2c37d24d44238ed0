"""Predictions as SWE-bench, SWE-Perf, GSO and SWE-fficiency publish them: JSONL lines
{instance_id, model_name_or_path, model_patch}. A .json file holding a list, or an object
keyed by instance id (SWE-bench's other accepted form), loads too."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError


class FormatError(Exception):
    """A task or predictions file cannot be read; the message says where and why."""


class Prediction(BaseModel):
    model_config = ConfigDict(frozen=True)

    instance_id: str
    model_name_or_path: str = ""
    model_patch: str | None = None  # None or "": the model gave no patch


def load_predictions(path: Path) -> dict[str, Prediction]:
    text = Path(path).read_text(encoding="utf-8")
    records = _records(text, path)
    out: dict[str, Prediction] = {}
    for number, record in enumerate(records, start=1):
        try:
            prediction = Prediction.model_validate(record)
        except ValidationError as exc:
            raise FormatError(f"{path}: prediction {number}: {_first_error(exc)}") from None
        out[prediction.instance_id] = prediction  # a later line wins, as in SWE-bench
    return out


def _records(text: str, path: Path) -> list[object]:
    """JSONL unless the file is named .json: then a list, one prediction, or an object keyed
    by instance id."""
    if Path(path).suffix != ".json":
        return read_jsonl(text, path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path}: not JSON ({exc.msg})") from None
    if isinstance(data, dict) and "instance_id" not in data:
        return [
            {"instance_id": key, **value} if isinstance(value, dict) else value
            for key, value in data.items()
        ]
    return data if isinstance(data, list) else [data]


def read_jsonl(text: str, path: Path) -> list[object]:
    records: list[object] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise FormatError(f"{path}:{number}: not JSON ({exc.msg})") from None
    return records


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    return f"{where}: {first['msg']}"
