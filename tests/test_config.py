from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import ConfigError, bench_command, load_config, parse_budget


def test_tool_table_is_read_and_flags_win(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.perfsmith]\nbench = "python bench.py"\ntest = "pytest -x"\nmin-effect = 0.05\n'
        "paired = false\n"
    )
    config = load_config(tmp_path, {"test": None, "budget": "rounds=2,minutes=5"})
    assert config.bench == "python bench.py"
    assert config.test == "pytest -x"
    assert config.min_effect == 0.05
    assert config.paired is False  # the two-sample rule, asked for; the default is paired
    assert load_config(tmp_path, {"bench": "x", "paired": None}).paired is False
    assert load_config(tmp_path / "no-table", {"bench": "x"}).paired is True  # the default
    assert (config.budget.rounds, config.budget.minutes, config.budget.candidates) == (2, 5.0, 24)
    assert load_config(tmp_path, {"test": "make test"}).test == "make test"


def test_missing_bench_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--bench"):
        load_config(tmp_path, {})


def test_unknown_setting_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.perfsmith]\nbench = "x"\nspeed = 3\n')
    with pytest.raises(ConfigError, match="speed"):
        load_config(tmp_path, {})


def test_invalid_toml_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.perfsmith\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path, {"bench": "x"})


def test_pytest_node_ids_become_a_pytest_command() -> None:
    assert bench_command("tests/test_a.py::test_x tests/test_b.py::test_y") == (
        "python -m pytest -q -p no:cacheprovider tests/test_a.py::test_x tests/test_b.py::test_y"
    )
    assert bench_command("python bench.py") == "python bench.py"


def test_budget_forms() -> None:
    assert parse_budget("12") == {"minutes": 12.0}
    assert parse_budget("rounds=1, candidates=4") == {"rounds": 1.0, "candidates": 4.0}
    with pytest.raises(ConfigError, match="bad --budget"):
        parse_budget("laps=3")
