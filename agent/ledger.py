"""The cost ledger: tokens and dollars of every model call, per candidate and per run.

Tokens come from the reply's `usage_metadata` (what the provider reported). A provider that
reports nothing gets a chars/4 estimate, marked `estimated`. Dollars come from a price table
in USD per million tokens, keyed by model name; a name matches its exact entry, else the
longest entry it starts with followed by "-" (so "gpt-4o-mini-2024-07-18" uses "gpt-4o-mini").
A model with no price costs 0 and the ledger says so in `notes`.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from langchain_core.messages import BaseMessage
from pydantic import BaseModel

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CHARS_PER_TOKEN = 4  # the usual rough ratio for English and code; good enough for budgets


def estimate_tokens(chars: int) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN)


@dataclass(frozen=True)
class Price:
    input_per_million: float
    output_per_million: float


# List prices (USD per million tokens) when this table was written; override with a file.
DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "o4-mini": Price(1.10, 4.40),
    "claude-sonnet-4": Price(3.00, 15.00),
    "claude-3-5-haiku": Price(0.80, 4.00),
    "scripted": Price(0.0, 0.0),
}


class PriceFileError(Exception):
    """The price file cannot be used; the message says why, in one line."""


def load_prices(path: Path) -> dict[str, Price]:
    """The default table updated by a TOML or JSON file of the form
    `{"model-name": {"input": 2.5, "output": 10.0}}` (TOML: a table per model name)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:  # TOMLDecodeError and JSONDecodeError are ValueErrors
        raise PriceFileError(f"cannot read prices from {path}: {exc}") from None
    prices = dict(DEFAULT_PRICES)
    for name, entry in data.items():
        try:
            prices[name] = Price(float(entry["input"]), float(entry["output"]))
        except (TypeError, KeyError, ValueError):
            raise PriceFileError(
                f"{path}: price of {name!r} needs numbers 'input' and 'output' (USD per 1M tokens)"
            ) from None
    return prices


def price_of(model: str, prices: dict[str, Price]) -> Price | None:
    if model in prices:
        return prices[model]
    matches = [name for name in prices if model.startswith(name + "-")]
    return prices[max(matches, key=len)] if matches else None


class CallRecord(BaseModel):
    """One model call. `edit_id` is filled in once the call's sample became an edit."""

    purpose: str  # "propose", "repair" or "refine"
    # What the call answered: "prompt" (the task), "tools" (tool results) or "fix" (the
    # one fix-the-block message), so fix turns and tool rounds can be counted apart.
    turn: str
    tool_calls: int = 0  # tools the reply asked for
    target: str  # hotspot key
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    estimated: bool = False  # the provider reported no usage; tokens are chars/4
    edit_id: str = ""


@dataclass(frozen=True)
class Totals:
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class Ledger:
    def __init__(self, prices: dict[str, Price] | None = None) -> None:
        self.prices = dict(DEFAULT_PRICES if prices is None else prices)
        self.calls: list[CallRecord] = []
        self.notes: list[str] = []

    def record(
        self,
        message: BaseMessage,
        *,
        model: str,
        purpose: str,
        turn: str,
        target: str = "",
        prompt_chars: int = 0,
    ) -> CallRecord:
        """Count one reply. `model` is the configured name; the provider's reported name,
        when there is one, is what gets priced."""
        model = str(message.response_metadata.get("model_name") or model)
        usage = getattr(message, "usage_metadata", None)
        if usage:
            tokens_in, tokens_out = usage["input_tokens"], usage["output_tokens"]
        else:
            tokens_in = estimate_tokens(prompt_chars)
            tokens_out = estimate_tokens(len(message.text))
        price = price_of(model, self.prices)
        if price is None:
            note = f"no price for model {model!r}: its calls count as $0"
            if note not in self.notes:
                self.notes.append(note)
            cost = 0.0
        else:
            cost = (
                tokens_in * price.input_per_million + tokens_out * price.output_per_million
            ) / 1e6
        call = CallRecord(purpose=purpose, turn=turn, target=target, model=model,
                          tool_calls=len(getattr(message, "tool_calls", [])),
                          input_tokens=tokens_in, output_tokens=tokens_out, cost_usd=cost,
                          estimated=not usage)  # fmt: skip
        self.calls.append(call)
        return call

    def attribute(self, calls: list[CallRecord], edit_id: str) -> None:
        for call in calls:
            call.edit_id = edit_id

    def totals(self, edit_id: str | None = None) -> Totals:
        """The run's totals, or those of the calls that produced one edit."""
        calls = [c for c in self.calls if edit_id is None or c.edit_id == edit_id]
        return Totals(
            calls=len(calls),
            input_tokens=sum(c.input_tokens for c in calls),
            output_tokens=sum(c.output_tokens for c in calls),
            cost_usd=sum(c.cost_usd for c in calls),
        )

    def cost_of_pass(self, accepted: int) -> float | None:
        """Dollars spent per accepted (verified faster) edit; None before the first one.
        Every call counts, including those that led nowhere: that is the price of a pass."""
        return self.totals().cost_usd / accepted if accepted > 0 else None

    def over_budget(
        self, max_cost: float | None = None, max_tokens: int | None = None
    ) -> str | None:
        """Why the run must stop, or None while both budgets (when given) hold."""
        spent = self.totals()
        if max_cost is not None and spent.cost_usd >= max_cost:
            return f"cost budget spent (${spent.cost_usd:.4f} of ${max_cost:g})"
        if max_tokens is not None and spent.tokens >= max_tokens:
            return f"token budget spent ({spent.tokens} of {max_tokens} tokens)"
        return None

    def summary(self, accepted: int = 0) -> dict[str, object]:
        """The run's totals for a report, as JSON-ready values."""
        spent = self.totals()
        return {
            "calls": spent.calls,
            "input_tokens": spent.input_tokens,
            "output_tokens": spent.output_tokens,
            "cost_usd": round(spent.cost_usd, 6),
            "estimated_calls": sum(1 for c in self.calls if c.estimated),
            "fix_turns": sum(1 for c in self.calls if c.turn == "fix"),
            "tool_calls": sum(c.tool_calls for c in self.calls),
            "cost_of_pass_usd": self.cost_of_pass(accepted),
            "notes": list(self.notes),
        }
