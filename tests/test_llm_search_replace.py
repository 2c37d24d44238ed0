from __future__ import annotations

from pathlib import Path

import pytest

from agent.edits import apply_edit
from agent.proposers.search_replace import (
    BlockFormatError,
    BlockMatchError,
    check_replacements,
    nearest_lines,
    parse_blocks,
)
from agent.records import Edit, Replacement

ONE = """pkg/a.py
<<<<<<< SEARCH
    x = 1
=======
    x = 2
>>>>>>> REPLACE
"""


def test_one_block() -> None:
    assert parse_blocks("Some words first.\n\n" + ONE) == [
        Replacement(path="pkg/a.py", search="    x = 1\n", replace="    x = 2\n")
    ]


def test_several_files_in_order() -> None:
    second = ONE.replace("pkg/a.py", "pkg/b.py").replace("x = 2", "y = 3")
    reps = parse_blocks(ONE + "\nand then\n" + second)
    assert [(r.path, r.replace) for r in reps] == [
        ("pkg/a.py", "    x = 2\n"),
        ("pkg/b.py", "    y = 3\n"),
    ]


@pytest.mark.parametrize(
    "reply",
    [
        "```python\n" + ONE + "```\n",  # path inside the fence
        "pkg/a.py\n```python\n" + ONE.split("\n", 1)[1] + "```\n",  # path just before the fence
        "`pkg/a.py`\n" + ONE.split("\n", 1)[1],  # path in backticks
        ONE.replace("\n", "\r\n"),  # Windows line endings
    ],
)
def test_fenced_and_decorated_forms(reply: str) -> None:
    assert parse_blocks(reply) == parse_blocks(ONE)


def test_empty_search_and_empty_replace() -> None:
    reply = "new/mod.py\n<<<<<<< SEARCH\n=======\nVALUE = 1\n>>>>>>> REPLACE\n"
    reply += "pkg/a.py\n<<<<<<< SEARCH\ndel me\n=======\n>>>>>>> REPLACE\n"
    assert parse_blocks(reply) == [
        Replacement(path="new/mod.py", search="", replace="VALUE = 1\n"),
        Replacement(path="pkg/a.py", search="del me\n", replace=""),
    ]


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (ONE + ONE.replace("=======\n", ""), "block 2: missing ======= divider"),
        (ONE.replace(">>>>>>> REPLACE\n", ""), "block 1: missing >>>>>>> REPLACE line"),
        (ONE.replace("pkg/a.py", "/etc/passwd"), "block 1: path /etc/passwd must be relative"),
        (ONE.replace("pkg/a.py", "C:/x/a.py"), "block 1: path C:/x/a.py must be relative"),
        (ONE.replace("pkg/a.py", "pkg/../../a.py"), "must stay inside the repository"),
        (ONE.replace("pkg/a.py", "Here is the change:"), "is not a file path"),
        (ONE.replace("pkg/a.py\n", ""), "block 1: put the file path on the line directly before"),
        ("pkg/a.py\n\n" + ONE.split("\n", 1)[1], "block 1: put the file path"),
        ("text\n=======\nmore\n", "line 2: ======= outside a block"),
        ("I would use a set here.", "no SEARCH/REPLACE blocks found"),
    ],
)
def test_malformed_replies_say_what_to_fix(reply: str, message: str) -> None:
    with pytest.raises(BlockFormatError) as caught:
        parse_blocks(reply)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_dot_slash_prefix_is_normalised() -> None:
    assert parse_blocks(ONE.replace("pkg/a.py", "./pkg/a.py"))[0].path == "pkg/a.py"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/a.py").write_text(
        "def f():\n    x = 1\n    return x\n\n\ndef g():\n    x = 1\n"
    )
    return tmp_path


def test_check_accepts_blocks_that_build_on_each_other(repo: Path) -> None:
    reps = [
        Replacement(
            path="pkg/a.py", search="def f():\n    x = 1\n", replace="def f():\n    x = 2\n"
        ),
        Replacement(path="pkg/a.py", search="    x = 2\n    return x\n", replace="    return 2\n"),
        Replacement(path="pkg/new.py", search="", replace="N = 1\n"),
    ]
    check_replacements(reps, repo)
    apply_edit(
        Edit(
            proposer="t",
            rule="t",
            title="t",
            rationale="",
            file="pkg/a.py",
            function="f",
            replacements=reps,
        ),
        repo,
    )
    assert (repo / "pkg/a.py").read_text().startswith("def f():\n    return 2\n")
    assert (repo / "pkg/new.py").read_text() == "N = 1\n"


@pytest.mark.parametrize(
    ("rep", "message"),
    [
        (
            Replacement(path="pkg/a.py", search="    x = 1\n", replace=""),
            "occurs 2 times (lines 2, 7)",
        ),
        (Replacement(path="pkg/a.py", search="", replace="x\n"), "already exists"),
        (Replacement(path="pkg/nope.py", search="x\n", replace=""), "no such file"),
    ],
)
def test_check_rejects_what_apply_edit_would(repo: Path, rep: Replacement, message: str) -> None:
    with pytest.raises(BlockMatchError) as caught:
        check_replacements([rep], repo)
    assert str(caught.value).startswith(f"block 1 ({rep.path}): ")
    assert message in str(caught.value)


def test_check_shows_nearest_lines_when_search_is_not_found(repo: Path) -> None:
    rep = Replacement(path="pkg/a.py", search="def g():\n  x = 1\n", replace="")
    with pytest.raises(BlockMatchError) as caught:
        check_replacements([rep], repo)
    text = str(caught.value)
    assert "block 1 (pkg/a.py): SEARCH text not found" in text
    assert "    6| def g():\n    7|     x = 1" in text


def test_nearest_lines_picks_the_most_similar_window() -> None:
    text = "".join(f"line {i}\n" for i in range(50)) + "total = sum(values)\nreturn total\n"
    assert nearest_lines(text, "total = sum(value)\nreturn total\n") == (
        51,
        ["total = sum(values)", "return total"],
    )
