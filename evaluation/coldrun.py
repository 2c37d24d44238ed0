"""Cold-run guard: every timed sample starts from the same files.

A workload that caches results on disk (a pickle next to the code, a memo file in the
workspace) would make its second and later runs fast and inflate a speedup. Before sampling we
byte-compile the workspace (so bytecode caches, which Python would write anyway, are part of the
starting state), record what is there, and keep a pristine copy; after each sample we delete
whatever the workload added and restore whatever it changed.
"""

from __future__ import annotations

import compileall
import os
import shutil
from pathlib import Path

Manifest = dict[str, tuple[int, int]]  # relative path -> (size, mtime_ns)
SKIP_DIRS = {".git"}


class ColdRunGuard:
    def __init__(self, workspace: Path, pristine: Path) -> None:
        self.workspace, self.pristine = workspace, pristine
        compileall.compile_dir(str(workspace), quiet=2, force=False, workers=1)
        self.manifest = _manifest(workspace)
        shutil.copytree(
            workspace, pristine, symlinks=True, ignore=shutil.ignore_patterns(*SKIP_DIRS)
        )

    def restore(self) -> list[str]:
        """Undo the last sample's writes. Returns the paths that had to be removed or restored."""
        now = _manifest(self.workspace)
        touched = []
        for rel in now.keys() - self.manifest.keys():
            (self.workspace / rel).unlink()
            touched.append(rel)
        for rel, stamp in self.manifest.items():
            if now.get(rel) != stamp:
                target = self.workspace / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.pristine / rel, target, follow_symlinks=False)
                os.utime(target, ns=(stamp[1], stamp[1]), follow_symlinks=False)
                touched.append(rel)
        _remove_new_empty_dirs(self.workspace, self.pristine)
        return sorted(touched)

    def close(self) -> None:
        shutil.rmtree(self.pristine, ignore_errors=True)


def _manifest(root: Path) -> Manifest:
    found: Manifest = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            found[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return found


def _remove_new_empty_dirs(root: Path, pristine: Path) -> None:
    for folder, _dirs, _files in os.walk(root, topdown=False):
        rel = os.path.relpath(folder, root)
        if rel == "." or rel.split(os.sep)[0] in SKIP_DIRS:
            continue
        if not (pristine / rel).exists() and not os.listdir(folder):
            os.rmdir(folder)
