"""Which profiler frames are PyTorch's own code, so a hotspot's time in torch can be counted.

A frame is torch's when it is Python code of the `torch` package (any install location), a
native frame of torch's shared libraries (py-spy `--native` names the library file), a C++
symbol of its namespaces (`at::`, `c10::`, `torch::`), or a cProfile entry for a built-in that
torch defines (`<built-in method torch._C._nn.gelu>`, `<method 'sum' of 'torch._C.TensorBase'
objects>`). Tensor operators dispatched through C slots (`x + b`) leave no cProfile entry, so
cProfile charges them to the calling function's own time; py-spy's native frames do see them.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

TORCH_PACKAGES = frozenset({"torch", "functorch", "torchgen"})
TORCH_LIBRARY_PREFIXES = ("libtorch", "libc10", "libshm")
TORCH_SYMBOL_PREFIXES = ("at::", "c10::", "torch::", "caffe2::")
CPROFILE_BUILTIN_FILE = "~"  # cProfile's file for functions implemented in C


def is_torch_frame(file: str, name: str) -> bool:
    if file == CPROFILE_BUILTIN_FILE:
        return "torch." in name or "torch._C" in name
    if name.startswith(TORCH_SYMBOL_PREFIXES):
        return True
    if not file:
        return False
    path = PurePosixPath(file.replace("\\", "/"))
    if TORCH_PACKAGES.intersection(path.parts[:-1]):
        return True
    return path.name.startswith(TORCH_LIBRARY_PREFIXES) and ".so" in path.name


TORCH_IMPORT = re.compile(r"^\s*(?:import|from)\s+torch\b", re.MULTILINE)
MAX_FILES_SCANNED = 5_000  # a repository larger than this is scanned only in part


def imports_torch(workspace: Path, skip_dirs: frozenset[str]) -> bool:
    """Whether any Python file of the repository (outside `skip_dirs`) imports torch: only
    then is py-spy's slower native unwinding worth it, since torch's work is all native."""
    for number, path in enumerate(workspace.rglob("*.py")):
        if number >= MAX_FILES_SCANNED:
            return False
        if skip_dirs.intersection(path.relative_to(workspace).parts[:-1]):
            continue
        if TORCH_IMPORT.search(path.read_text(encoding="utf-8", errors="replace")):
            return True
    return False
