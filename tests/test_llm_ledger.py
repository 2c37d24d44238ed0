from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from agent.ledger import DEFAULT_PRICES, Ledger, Price, PriceFileError, load_prices, price_of


def reply(tokens_in: int, tokens_out: int, model: str = "", text: str = "") -> AIMessage:
    usage = {"input_tokens": tokens_in, "output_tokens": tokens_out,
             "total_tokens": tokens_in + tokens_out}  # fmt: skip
    return AIMessage(content=text, usage_metadata=usage,  # type: ignore[arg-type]
                     response_metadata={"model_name": model} if model else {})  # fmt: skip


def test_cost_per_call_per_edit_and_per_pass() -> None:
    ledger = Ledger({"m": Price(input_per_million=2.0, output_per_million=10.0)})
    a = ledger.record(reply(1_000, 500), model="m", purpose="propose", turn="prompt")
    b = ledger.record(reply(2_000, 0), model="m", purpose="propose", turn="fix")
    ledger.record(reply(500_000, 100_000), model="m", purpose="propose", turn="prompt")
    ledger.attribute([a, b], "edit1")

    assert a.cost_usd == pytest.approx(0.002 + 0.005)
    assert ledger.totals("edit1").cost_usd == pytest.approx(0.007 + 0.004)
    assert ledger.totals("edit1").tokens == 3_500
    run = ledger.totals()
    assert (run.calls, run.input_tokens, run.output_tokens) == (3, 503_000, 100_500)
    assert run.cost_usd == pytest.approx(0.011 + 1.0 + 1.0)
    assert ledger.cost_of_pass(2) == pytest.approx(run.cost_usd / 2)
    assert ledger.cost_of_pass(0) is None
    summary = ledger.summary(accepted=1)
    assert summary["fix_turns"] == 1 and summary["cost_of_pass_usd"] == pytest.approx(2.011)


def test_over_budget_says_which_budget() -> None:
    ledger = Ledger({"m": Price(1.0, 1.0)})
    ledger.record(reply(600_000, 400_000), model="m", purpose="propose", turn="prompt")
    assert ledger.over_budget() is None
    assert ledger.over_budget(max_cost=5.0, max_tokens=2_000_000) is None
    assert ledger.over_budget(max_cost=1.0) == "cost budget spent ($1.0000 of $1)"
    assert (
        ledger.over_budget(max_tokens=1_000_000) == "token budget spent (1000000 of 1000000 tokens)"
    )


def test_the_reported_model_name_is_priced_by_longest_prefix() -> None:
    assert price_of("gpt-4o-mini-2024-07-18", DEFAULT_PRICES) == DEFAULT_PRICES["gpt-4o-mini"]
    assert price_of("gpt-4o-2024-08-06", DEFAULT_PRICES) == DEFAULT_PRICES["gpt-4o"]
    assert price_of("gpt-4omni", DEFAULT_PRICES) is None  # a prefix must end at a "-"
    ledger = Ledger()
    call = ledger.record(reply(1_000_000, 0, model="gpt-4o-mini-2024-07-18"), model="gpt-4o-mini",
                         purpose="propose", turn="prompt")  # fmt: skip
    assert call.model == "gpt-4o-mini-2024-07-18" and call.cost_usd == pytest.approx(0.15)


def test_an_unknown_model_costs_zero_with_a_note() -> None:
    ledger = Ledger()
    for _ in range(2):
        assert (
            ledger.record(
                reply(10, 10), model="my-local", purpose="propose", turn="prompt"
            ).cost_usd
            == 0
        )
    assert ledger.notes == ["no price for model 'my-local': its calls count as $0"]


def test_missing_usage_is_estimated_from_characters() -> None:
    ledger = Ledger()
    call = ledger.record(AIMessage(content="x" * 9), model="scripted", purpose="propose",
                         turn="prompt", prompt_chars=400)  # fmt: skip
    assert (call.input_tokens, call.output_tokens, call.estimated) == (100, 3, True)


@pytest.mark.parametrize(
    ("name", "text"),
    [("prices.json", json.dumps({"my-local": {"input": 0.5, "output": 1}})),
     ("prices.toml", '["my-local"]\ninput = 0.5\noutput = 1\n')],
)  # fmt: skip
def test_prices_from_a_file_override_the_defaults(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    prices = load_prices(path)
    assert prices["my-local"] == Price(0.5, 1.0)
    assert prices["gpt-4o"] == DEFAULT_PRICES["gpt-4o"]


@pytest.mark.parametrize(
    ("text", "message"),
    [('{"m": {"input": 1}}', "price of 'm' needs numbers 'input' and 'output'"),
     ("{not json", "cannot read prices from")],
)  # fmt: skip
def test_bad_price_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(text)
    with pytest.raises(PriceFileError, match=message):
        load_prices(path)
