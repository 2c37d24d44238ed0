"""Build the swappable parts of a run from their short names."""

from __future__ import annotations

from pathlib import Path

from agent.config import ConfigError, OptimizeConfig
from agent.ledger import Ledger, load_prices
from agent.proposers.api import Proposer
from agent.registry import resolve
from profilers import get_profiler
from profilers.api import Profiler
from sandbox.api import Sandbox
from sandbox.registry import UnknownSandbox, get_sandbox


def build_ledger(config: OptimizeConfig) -> Ledger | None:
    """A cost ledger for model-backed proposers; None for offline ones."""
    if config.proposer_name != "llm":
        return None
    try:
        return Ledger(load_prices(Path(config.prices)) if config.prices else None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the price table {config.prices}: {exc}") from None


def build_sandbox(name: str) -> Sandbox:
    try:
        return get_sandbox(name)
    except UnknownSandbox as exc:
        raise ConfigError(str(exc)) from None


def build_profiler(name: str) -> Profiler:
    return get_profiler(name)


def build_proposer(config: OptimizeConfig, ledger: Ledger | None = None) -> Proposer:
    name = config.proposer_name
    if name == "rules":
        from agent.proposers.rules import RulesProposer

        return RulesProposer()
    if name == "llm":
        from agent.models import ModelConfigError, build_chat_model
        from agent.proposers.llm import LLMProposer

        if not config.model:
            raise ConfigError("the llm proposer needs --model (e.g. openai:gpt-4o-mini)")
        try:
            model = build_chat_model(config.model, base_url=config.base_url)
        except ModelConfigError as exc:
            raise ConfigError(str(exc)) from None
        return LLMProposer(
            model,
            samples=config.samples,
            ledger=ledger,
            max_cost=config.max_cost,
            max_tokens=config.max_tokens,
        )
    proposer: Proposer = resolve("proposer", name, {})()
    return proposer
