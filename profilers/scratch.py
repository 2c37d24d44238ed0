"""A scratch folder inside the workspace (the only place a sandboxed run may write)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from profilers.attribution import SCRATCH_DIR


@contextmanager
def scratch_folder(workspace: Path) -> Iterator[Path]:
    """A fresh folder under `<workspace>/.perfsmith-scratch/`, removed on exit together with
    `.perfsmith-scratch` itself when this call created it, so the workspace is left as it was
    (callers diff it with git)."""
    root = workspace / SCRATCH_DIR
    created_root = not root.exists()
    root.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="run-", dir=root))
    try:
        yield folder.resolve()
    finally:
        shutil.rmtree(folder)
        if created_root and not any(root.iterdir()):
            root.rmdir()
