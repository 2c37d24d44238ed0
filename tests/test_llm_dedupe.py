from __future__ import annotations

from pathlib import Path

import pytest

from agent.dedupe import edit_key, edited_sources, file_key_after_edit, normalized_key
from agent.edits import EditError
from agent.records import Edit, Replacement

BASE = '''def total(xs):
    """Sum the items."""
    out = 0
    for x in xs:  # every item
        out += x
    return out
'''


@pytest.mark.parametrize(
    "other",
    [
        BASE.replace("# every item", "# each one"),  # comments
        BASE.replace('"""Sum the items."""', '"""Add up."""'),  # docstrings
        BASE.replace("    out = 0\n", "    out = (0)\n\n\n"),  # parentheses and blank lines
        BASE.replace("for x in xs:", "for x in xs :"),  # spacing
        "def total(xs):\n    out = 0\n    for x in xs: out += x\n    return out\n",  # layout
    ],
)
def test_the_same_program_gets_the_same_key(other: str) -> None:
    assert normalized_key(other) == normalized_key(BASE)


@pytest.mark.parametrize(
    "other",
    [
        BASE.replace("out += x", "out += x * 1"),
        BASE.replace("return out", "return int(out)"),
        BASE.replace('"""Sum the items."""', 'print("Sum the items.")'),  # not a docstring
        BASE.replace("out = 0", "out = 0.0"),
    ],
)
def test_different_programs_get_different_keys(other: str) -> None:
    assert normalized_key(other) != normalized_key(BASE)


def test_unparsable_source_is_keyed_by_its_words() -> None:
    assert normalized_key("def f(:\n  pass") == normalized_key("def  f(:\n    pass\n")
    assert normalized_key("def f(:") != normalized_key("def g(:")


def edit(*reps: tuple[str, str, str]) -> Edit:
    return Edit(proposer="llm", rule="llm", title="t", rationale="", file="m.py", function="f",
                replacements=[Replacement(path=p, search=s, replace=r) for p, s, r in reps])  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "m.py").write_text(BASE)
    (tmp_path / "other.py").write_text("X = 1  # one\n")
    return tmp_path


def test_edits_producing_the_same_program_share_a_key(repo: Path) -> None:
    plain = edit(("m.py", "    return out\n", "    return out + 0\n"))
    chatty = edit(
        ("m.py", "    return out\n", "    # keep the type\n    return (out + 0)\n"),
        ("other.py", "X = 1  # one\n", "X = 1  # the first\n"),  # a comment: no program change
    )
    assert edit_key(plain, repo) == edit_key(chatty, repo)
    assert edit_key(plain, repo) != edit_key(edit(("m.py", "out = 0", "out = 1")), repo)
    assert (repo / "m.py").read_text() == BASE  # all in memory


def test_new_files_and_the_per_file_helper(repo: Path) -> None:
    create = edit(("fast.py", "", "Y = 2\n"), ("m.py", "    return out\n", "    return -out\n"))
    sources = edited_sources(create, repo)
    assert sources["fast.py"] == "Y = 2\n" and sources["m.py"].endswith("return -out\n")
    assert file_key_after_edit(create, repo, "m.py") == normalized_key(sources["m.py"])
    assert file_key_after_edit(create, repo, "other.py") == normalized_key("X = 1\n")
    assert edit_key(create, repo) != edit_key(
        edit(("m.py", "    return out\n", "    return -out\n")), repo
    )


@pytest.mark.parametrize(
    ("rep", "message"),
    [(("m.py", "nope", ""), "search text not found"), (("m.py", "out", ""), "more than once"),
     (("gone.py", "x", ""), "no such file"), (("../x.py", "", "x"), "outside the workspace")],
)  # fmt: skip
def test_edits_that_do_not_apply_raise_like_apply_edit(
    repo: Path, rep: tuple[str, str, str], message: str
) -> None:
    with pytest.raises(EditError, match=message):
        edit_key(edit(rep), repo)
