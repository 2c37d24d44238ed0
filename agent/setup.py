"""Build the swappable parts of a run from their short names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.config import ConfigError, OptimizeConfig
from agent.proposers.api import Proposer
from agent.registry import resolve
from profilers import get_profiler
from profilers.api import Profiler
from sandbox.api import Sandbox
from sandbox.local import LocalSandbox


def build_sandbox(name: str) -> Sandbox:
    known: dict[str, Callable[..., Any]] = {"local": LocalSandbox}
    sandbox: Sandbox = resolve("sandbox", name, known)()
    return sandbox


def build_profiler(name: str) -> Profiler:
    return get_profiler(name)


def build_proposer(config: OptimizeConfig) -> Proposer:
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
            return LLMProposer(build_chat_model(config.model, base_url=config.base_url))
        except ModelConfigError as exc:
            raise ConfigError(str(exc)) from None
    proposer: Proposer = resolve("proposer", name, {})()
    return proposer
