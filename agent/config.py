"""Run configuration: `[tool.perfsmith]` in the repository's pyproject.toml, overridden by flags."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from evaluation.workloads import workload_from_bench

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """Bad configuration; the message is one line for the user."""


class Budget(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rounds: int = 3
    candidates: int = 24
    minutes: float = 30.0


class OptimizeConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    bench: str  # the user's text: a shell command, pytest node ids or module:function
    test: str = "python -m pytest -q -p no:cacheprovider"
    budget: Budget = Budget()
    model: str | None = None
    base_url: str | None = None
    proposer: str = "auto"  # "auto" = llm when a model is configured, else rules
    profiler: str = "auto"
    sandbox: str = "local"
    hotspots: int = 5  # targets per round
    min_effect: float = 0.02
    alpha: float = 0.01
    measure_seconds: float = 60.0  # time budget of one speed comparison
    paired: bool = True  # judge speed over ABBA pairs; false: the two-sample rule
    test_timeout: float = 600.0
    bench_timeout: float = 300.0
    samples: int = 1  # llm: candidates per hotspot per round (prompt variants and temperatures)
    max_cost: float | None = None  # llm: stop the run cleanly past this many USD
    max_tokens: int | None = None  # llm: stop the run cleanly past this many tokens
    prices: str | None = None  # llm: TOML/JSON price table overriding the defaults
    only_functions: frozenset[str] | None = None  # hotspot keys "path.py::qualname" (pr --comment)

    @property
    def proposer_name(self) -> str:
        if self.proposer != "auto":
            return self.proposer
        return "llm" if self.model else "rules"


def load_config(repo: Path, overrides: dict[str, Any]) -> OptimizeConfig:
    """Merge the file's settings with flags (flags win; None means "not given")."""
    settings = _read_tool_table(repo / "pyproject.toml")
    settings.update({k: v for k, v in overrides.items() if v is not None})
    if "bench" not in settings:
        raise ConfigError(
            "no workload: pass --bench CMD or set `bench` under [tool.perfsmith] in pyproject.toml"
        )
    settings["bench"] = bench_text(settings["bench"])
    if isinstance(settings.get("budget"), str):
        settings["budget"] = parse_budget(settings["budget"])
    try:
        return OptimizeConfig.model_validate(settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"bad setting {where}: {first['msg']}") from None


def bench_text(bench: str | list[str]) -> str:
    """The user's workload as one string (a TOML list is a command line split in words).
    It stays the user's text: `workload_from_bench` decides its kind when the run starts."""
    return bench if isinstance(bench, str) else shlex.join(bench)


def bench_command(bench: str | list[str]) -> str:
    """The shell command that runs the workload once (pytest node ids become a pytest run)."""
    return workload_from_bench(bench).command


def parse_budget(text: str) -> dict[str, float]:
    """`rounds=3,candidates=20,minutes=30` (any subset), or a bare number of minutes."""
    text = text.strip()
    try:
        return {"minutes": float(text)}
    except ValueError:
        pass
    parsed: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or key.strip() not in Budget.model_fields:
            raise ConfigError(f"bad --budget part {part!r}: use rounds=N,candidates=N,minutes=M")
        try:
            parsed[key.strip()] = float(value)
        except ValueError:
            raise ConfigError(f"bad --budget value {value!r} for {key.strip()}") from None
    return parsed


def _read_tool_table(pyproject: Path) -> dict[str, Any]:
    if not pyproject.is_file():
        return {}
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: invalid TOML ({exc})") from None
    table = data.get("tool", {}).get("perfsmith", {})
    return {k.replace("-", "_"): v for k, v in table.items()}
