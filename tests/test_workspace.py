from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, make_repo

from sandbox import workspace
from sandbox.workspace import RepoError, inspect_repo


def test_not_a_repository_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RepoError, match="not a git repository"):
        inspect_repo(tmp_path)


def test_repository_without_commits_is_refused(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    with pytest.raises(RepoError, match="no commits"):
        inspect_repo(tmp_path)


def test_snapshot_copies_head_and_leaves_user_index_alone(small_repo: Path, tmp_path: Path) -> None:
    (small_repo / "pkg/mod.py").write_text("def f():\n    return 2\n")  # uncommitted
    index_before = (small_repo / ".git/index").read_bytes()
    info = inspect_repo(small_repo)
    assert info.dirty
    ws = workspace.snapshot(info, tmp_path / "ws", include_uncommitted=False)
    assert (ws / "pkg/mod.py").read_text() == "def f():\n    return 1\n"
    assert (small_repo / ".git/index").read_bytes() == index_before
    assert workspace.diff(ws) == ""


def test_snapshot_with_uncommitted_takes_working_tree(small_repo: Path, tmp_path: Path) -> None:
    (small_repo / "pkg/mod.py").write_text("def f():\n    return 2\n")
    (small_repo / "new.py").write_text("x = 1\n")
    ws = workspace.snapshot(inspect_repo(small_repo), tmp_path / "ws", include_uncommitted=True)
    assert (ws / "pkg/mod.py").read_text().endswith("return 2\n")
    assert (ws / "new.py").exists()


def test_diff_applies_to_user_head(small_repo: Path, tmp_path: Path) -> None:
    ws = workspace.snapshot(inspect_repo(small_repo), tmp_path / "ws", include_uncommitted=False)
    copy = workspace.clone(ws, tmp_path / "copy")
    (copy / "pkg/mod.py").write_text("def f():\n    return 3\n")
    (copy / "pkg/__pycache__").mkdir()
    (copy / "pkg/__pycache__/mod.cpython-311.pyc").write_bytes(b"\0")
    patch = workspace.diff(copy)
    assert "return 3" in patch and "__pycache__" not in patch
    assert workspace.changed_files(copy) == ["pkg/mod.py"]
    (tmp_path / "p.diff").write_text(patch)
    git(small_repo, "apply", "--check", str(tmp_path / "p.diff"))


def test_tree_id_is_content_based(tmp_path: Path) -> None:
    a = make_repo(tmp_path / "a", {"x.py": "1\n"})
    b = make_repo(tmp_path / "b", {"x.py": "1\n"})
    wa = workspace.snapshot(inspect_repo(a), tmp_path / "wa", include_uncommitted=False)
    wb = workspace.snapshot(inspect_repo(b), tmp_path / "wb", include_uncommitted=False)
    assert workspace.tree_id(wa) == workspace.tree_id(wb)
