from __future__ import annotations

import os
from pathlib import Path

import pytest
from langchain_core.messages import ToolCall

from agent.proposers.code_context import gather_context, workload_files, workload_source
from agent.proposers.tools import MAX_TOOL_OUTPUT, TOOL_NAMES, make_tools, run_tool_call
from profilers.api import Hotspot, LineSamples, Profile

MOD = '''"""Orders."""
import re
from collections import Counter

from shop.models import Order, parse_price

TAX = 0.2
_SPLIT = re.compile(",")


class Basket:
    """Items to buy."""

    currency: str = "EUR"

    def __init__(self, items):
        self.items = items

    def total(self):
        return sum(parse_price(i) for i in self.items) * (1 + TAX)


def count(orders: list[Order]) -> Counter:
    return Counter(o.sku for o in orders)
'''
MODELS = '''from dataclasses import dataclass


@dataclass
class Order:
    """One order line."""

    sku: str
    qty: int = 1

    def price(self) -> float:
        return 1.0


def parse_price(text: str) -> float:
    """Parse "1.50 EUR"."""
    return float(text.split()[0])
'''
TEST = """from shop.orders import Basket, count


def test_total():
    assert Basket(["1 EUR"]).total() == 1.2


class TestCount:
    def test_empty(self):
        assert count([]) == {}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    files = {"shop/__init__.py": "", "shop/orders.py": MOD, "shop/models.py": MODELS,
             "tests/test_orders.py": TEST, "bench.py": "from shop.orders import count\ncount([])\n",
             ".env": "OPENAI_API_KEY=sk-in-a-file\n", ".git/config": "[remote]\n"}  # fmt: skip
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


@pytest.fixture
def profile() -> Profile:
    spot = Hotspot(function="Basket.total", file="shop/orders.py", start_line=19, end_line=20,
                   self_samples=8, total_samples=10, self_percent=80.0, total_percent=100.0,
                   lines=[LineSamples(line=20, samples=8)], callers=["main"], callees=["parse_price"])  # fmt: skip
    return Profile(profiler="py-spy", total_samples=10, wall_seconds=1.0, hotspots=[spot])


def call(repo: Path, profile: Profile, name: str, **args: object) -> str:
    tools = {t.name: t for t in make_tools(repo, profile, {"Use a set": "rejected: 1 failed"})}
    message = run_tool_call(tools, ToolCall(name=name, args=dict(args), id="c1"))
    assert message.tool_call_id == "c1" and message.name == name
    return str(message.content)


def test_the_five_tools_have_schemas(repo: Path, profile: Profile) -> None:
    tools = make_tools(repo, profile, {})
    assert tuple(t.name for t in tools) == TOOL_NAMES
    assert set(tools[0].args) == {"path", "start", "end"}
    assert set(tools[1].args) == {"pattern", "path_glob"}


def test_read_file_numbers_lines_and_stays_in_the_workspace(repo: Path, profile: Profile) -> None:
    text = call(repo, profile, "read_file", path="shop/orders.py", start=19, end=20)
    assert text == (
        "shop/orders.py lines 19-20 of 24:\n"
        "   19|     def total(self):\n"
        "   20|         return sum(parse_price(i) for i in self.items) * (1 + TAX)"
    )
    outside = repo.parent / "secret.txt"
    outside.write_text("secret")
    (repo / "link.txt").symlink_to(outside)
    for path in ["/etc/passwd", "../secret.txt", "shop/../../secret.txt", "link.txt", "~/x"]:
        assert call(repo, profile, "read_file", path=path).startswith("error: "), path
    for private in [".env", ".git/config"]:
        assert "not readable" in call(repo, profile, "read_file", path=private)
    assert call(repo, profile, "read_file", path="nope.py") == "error: no such file"


def test_outputs_are_capped(repo: Path, profile: Profile) -> None:
    (repo / "big.py").write_text("".join(f"x{i} = '{'y' * 90}'\n" for i in range(1000)))
    text = call(repo, profile, "read_file", path="big.py", start=1, end=1000)
    assert len(text) <= MAX_TOOL_OUTPUT and text.endswith("ask for less")
    assert "lines 1-300 of 1000" in text  # and at most 300 lines are asked for


def test_grep_lists_matches_and_never_reads_private_files(repo: Path, profile: Profile) -> None:
    text = call(repo, profile, "grep", pattern=r"parse_price\(")
    assert text.splitlines() == [
        "shop/models.py:15: def parse_price(text: str) -> float:",
        "shop/orders.py:20: return sum(parse_price(i) for i in self.items) * (1 + TAX)",
    ]
    assert "sk-in-a-file" not in call(repo, profile, "grep", pattern="sk-", path_glob="*")
    assert call(repo, profile, "grep", pattern="(").startswith("error: bad regular expression")
    assert call(repo, profile, "grep", pattern="x", path_glob="../*").startswith("error: ")


def test_list_symbols_by_path_or_module_name(repo: Path, profile: Profile) -> None:
    text = call(repo, profile, "list_symbols", module_path="shop.models")
    assert text.splitlines() == [
        "shop/models.py:",
        "class Order():  # line 5",
        "    sku: str  # line 8",
        "    qty: int = 1  # line 9",
        "    def price(self) -> float: ...  # line 11",
        "def parse_price(text: str) -> float: ...  # line 15",
    ]


def test_show_profile_and_test_output(repo: Path, profile: Profile) -> None:
    text = call(repo, profile, "show_profile", function="total")
    assert "Basket.total in shop/orders.py:19-20: self 80.0%" in text
    assert "called from: main; calls: parse_price" in text
    assert "   20       8  80.0% |         return sum(" in text
    assert "not in the profile; hot functions: Basket.total" in call(
        repo, profile, "show_profile", function="nope"
    )
    assert call(repo, profile, "show_test_output", candidate_title="use a SET") == (
        "Use a set:\nrejected: 1 failed"
    )
    assert "known: 'Use a set'" in call(repo, profile, "show_test_output", candidate_title="x")


def test_unknown_tools_and_bad_arguments_are_answered_not_raised(
    repo: Path, profile: Profile
) -> None:
    assert call(repo, profile, "rm_rf").startswith("error: unknown tool 'rm_rf'; available: ")
    assert call(repo, profile, "read_file").startswith("error: bad arguments: path: Field required")
    assert "start" in call(repo, profile, "read_file", path="bench.py", start="first")


def test_gather_context_for_a_method(repo: Path) -> None:
    source = "".join(MOD.splitlines(keepends=True)[18:20])
    code = gather_context(repo, "shop/orders.py", "Basket.total", source, "python bench.py")
    assert code.imports == ["import re", "from collections import Counter",
                            "from shop.models import Order, parse_price"]  # fmt: skip
    assert code.definitions == [
        '# shop/orders.py:11\nclass Basket():\n    """Items to buy."""\n    currency: str = \'EUR\'\n'
        "    def __init__(self, items): ...\n    def total(self): ...",
        "# shop/models.py:15\ndef parse_price(text: str) -> float: ...\n"
        '    """Parse "1.50 EUR"."""',
        "# shop/orders.py:7\nTAX = 0.2",
    ]
    assert code.tests == [
        '- tests/test_orders.py::test_total (line 5): assert Basket(["1 EUR"]).total() == 1.2'
    ]
    assert code.workload == ["# bench.py", "from shop.orders import count", "count([])"]


def test_gather_context_finds_tests_inside_classes_and_tolerates_missing_files(
    repo: Path, tmp_path: Path
) -> None:
    code = gather_context(repo, "shop/orders.py", "count", "def count(orders):\n    ...\n", "")
    assert code.tests == [
        "- tests/test_orders.py (line 1): from shop.orders import Basket, count",
        "- tests/test_orders.py::TestCount::test_empty (line 10): assert count([]) == {}",
    ]
    empty = gather_context(tmp_path / "none", "a.py", "f", "def f(:", "python bench.py")
    assert (empty.imports, empty.definitions, empty.tests, empty.workload) == ([], [], [], [])


def test_workload_files_from_each_kind_of_workload(repo: Path) -> None:
    assert workload_files(repo, "python bench.py --n 3") == ["bench.py"]
    assert workload_files(repo, "tests/test_orders.py::test_total") == ["tests/test_orders.py"]
    assert workload_files(repo, "shop.orders:count") == ["shop/orders.py"]
    assert workload_files(repo, "python ../outside.py /etc/passwd.py") == []
    assert "count([])" in workload_source(repo, "python bench.py")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_an_error_message(repo: Path, profile: Profile) -> None:
    (repo / "locked.py").write_text("x = 1\n")
    (repo / "locked.py").chmod(0)
    assert call(repo, profile, "read_file", path="locked.py").startswith("error: cannot read")
