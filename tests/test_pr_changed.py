"""The functions a PR changed (git diff + syntax tree), and suggestions placed on its diff."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import git, make_repo

from agent.pr.changed import changed_functions, function_hash, function_spans, pr_hunks
from agent.pr.diffs import parse
from agent.pr.review import placeable, suggestion

BASE = textwrap.dedent(
    """\
    import os


    class Catalog:
        size = 3

        def lookup(self, key):
            return key in self.items

        def names(self):
            def clean(n):
                return n.strip()
            return [clean(n) for n in self.items]


    @cached
    def load(path):
        text = open(path).read()
        return text


    def untouched():
        return 1
    """
)


def commit(repo: Path, text: str, message: str) -> str:
    (repo / "shop.py").write_text(text)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", message)
    return git(repo, "rev-parse", "HEAD").strip()


def test_spans_use_qualified_names_like_the_profiler() -> None:
    names = {s.name: (s.start, s.end) for s in function_spans(BASE)}
    assert names == {"Catalog.lookup": (7, 8), "Catalog.names": (10, 13),
                     "Catalog.names.<locals>.clean": (11, 12), "load": (16, 19),
                     "untouched": (22, 23)}  # fmt: skip
    assert function_spans("def broken(:\n") == []


def test_changed_functions_cover_edits_in_methods_nested_functions_and_removals(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "r", {"shop.py": BASE, "notes.txt": "x\n"})
    base = git(repo, "rev-parse", "HEAD").strip()
    head = (BASE.replace("key in self.items", "key in self.index")
            .replace("            return n.strip()\n", "            return n.strip().lower()\n")
            .replace("    text = open(path).read()\n", ""))  # fmt: skip
    commit(repo, head, "change three functions")
    (repo / "notes.txt").write_text("y\n")  # not Python: ignored
    assert changed_functions(repo, base) == {
        "shop.py::Catalog.lookup",
        "shop.py::Catalog.names.<locals>.clean",
        "shop.py::load",
    }


def test_module_level_and_class_attribute_changes_name_no_function(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"shop.py": BASE})
    base = git(repo, "rev-parse", "HEAD").strip()
    commit(repo, BASE.replace("import os", "import sys").replace("size = 3", "size = 4"), "m")
    assert changed_functions(repo, base) == set()


def test_function_hash_follows_the_function_not_the_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"shop.py": BASE})
    first = git(repo, "rev-parse", "HEAD").strip()
    second = commit(repo, BASE.replace("return 1", "return 2"), "only untouched changes")
    assert function_hash(repo, first, "shop.py", "load") == function_hash(
        repo, second, "shop.py", "load"
    )
    assert function_hash(repo, first, "shop.py", "untouched") != function_hash(
        repo, second, "shop.py", "untouched"
    )


def test_parse_reads_git_hunks() -> None:
    diff = textwrap.dedent(
        """\
        diff --git a/a.py b/a.py
        --- a/a.py
        +++ b/a.py
        @@ -2,3 +2,4 @@ def f():
             x = 1
        -    y = [1]
        +    y = {1}
        +    z = 2
             return x
        \\ No newline at end of file
        """
    )
    (hunk,) = parse(diff)
    assert (hunk.path, hunk.old_start, hunk.new_start) == ("a.py", 2, 2)
    assert hunk.old_lines == ("    x = 1", "    y = [1]", "    return x")
    assert hunk.new_lines == ("    x = 1", "    y = {1}", "    z = 2", "    return x")
    assert hunk.touched == (3, 4)
    s = suggestion(hunk)
    assert (s.start, s.end, s.text, s.old) == (3, 3, ["    y = {1}", "    z = 2"], ["    y = [1]"])


def test_suggestions_go_inline_only_inside_the_prs_diff(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"shop.py": BASE})
    base = git(repo, "rev-parse", "HEAD").strip()
    commit(repo, BASE.replace("key in self.items", "key in list(self.items)"), "PR change")
    pr = pr_hunks(repo, base, "HEAD", context=3)
    (inside,) = parse(_diff_of(BASE, "key in list(self.items)", "key in set(self.items)", repo))
    (outside,) = parse(_diff_of(BASE, "return 1", "return 0", repo))
    assert placeable(suggestion(inside), pr)
    assert not placeable(suggestion(outside), pr)


def _diff_of(_: str, old: str, new: str, repo: Path) -> str:
    """The diff perfsmith would write for replacing `old` by `new` at the PR's head."""
    path = repo / "shop.py"
    text = path.read_text()
    path.write_text(text.replace(old, new))
    try:
        return git(repo, "diff", "HEAD")
    finally:
        path.write_text(text)
