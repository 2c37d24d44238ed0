from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, make_repo

from agent.deliver import DeliveryError, apply_patch, commit_on_branch

PATCH = """diff --git a/calc.py b/calc.py
--- a/calc.py
+++ b/calc.py
@@ -1,2 +1,2 @@
 def f(n):
-    return sum(range(n))
+    return n * (n - 1) // 2
"""


@pytest.fixture
def repo_and_patch(tmp_path: Path) -> tuple[Path, Path]:
    repo = make_repo(tmp_path / "r", {"calc.py": "def f(n):\n    return sum(range(n))\n"})
    patch = tmp_path / "best.patch"
    patch.write_text(PATCH)
    return repo, patch


def test_apply_changes_the_clean_tree(repo_and_patch: tuple[Path, Path]) -> None:
    repo, patch = repo_and_patch
    apply_patch(repo, patch)
    assert "n * (n - 1) // 2" in (repo / "calc.py").read_text()


def test_apply_refuses_a_dirty_tree(repo_and_patch: tuple[Path, Path]) -> None:
    repo, patch = repo_and_patch
    (repo / "calc.py").write_text("def f(n):\n    return 0\n")
    with pytest.raises(DeliveryError, match="clean working tree"):
        apply_patch(repo, patch)
    assert (repo / "calc.py").read_text() == "def f(n):\n    return 0\n"


def test_branch_commit_leaves_checkout_alone(repo_and_patch: tuple[Path, Path]) -> None:
    repo, patch = repo_and_patch
    head = git(repo, "rev-parse", "HEAD").strip()
    current = git(repo, "symbolic-ref", "HEAD").strip()
    sha = commit_on_branch(repo, patch, "perf/speedup", head, "perfsmith: test")
    assert git(repo, "rev-parse", "perf/speedup").strip() == sha
    assert git(repo, "rev-parse", "perf/speedup~1").strip() == head
    assert "n * (n - 1) // 2" in git(repo, "show", "perf/speedup:calc.py")
    assert git(repo, "symbolic-ref", "HEAD").strip() == current
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "worktree", "list").count("\n") == 1
    with pytest.raises(DeliveryError, match="already exists"):
        commit_on_branch(repo, patch, "perf/speedup", head, "again")
