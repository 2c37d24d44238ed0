"""Compile-only check for CUDA C++ candidates (load_inline sources) with nvcc; never runs them.

Without a GPU a CUDA op cannot run (on CPU tensors it returns garbage silently), so we compile.
Compiling the full load_inline source against torch/extension.h takes ~5 minutes on this class of
machine; we therefore extract the device code (__global__/__device__ functions, preprocessor lines,
top-level constexprs) and compile that with `-Xptxas -v` in well under a second, which catches
kernel compile errors and reports registers, spills and shared memory. Host wrappers are not
compiled here; the GPU run compiles them for real.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

_TORCH_INCLUDE = re.compile(r"#\s*include\s*[<\"](torch|ATen|c10|pybind11)/")
_DEVICE_DECL = re.compile(r"(template\s*<[^>]*>\s*)?(static\s+)?(__global__|__device__)\b")


@dataclass
class CudaCompileReport:
    ok: bool
    nvcc: str | None
    kernels: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)  # ptxas "Used N registers, ..." lines
    error: str | None = None


def cuda_sources(python_source: str) -> list[str]:
    """String constants in a candidate that hold CUDA code."""
    tree = ast.parse(python_source)
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and "__global__" in n.value
    ]


def device_code(cuda: str) -> str:
    """Preprocessor lines (minus torch headers), top-level constexprs, and device functions."""
    out = ["#include <cuda_runtime.h>", "#include <cuda_fp16.h>"]
    out += [
        ln
        for ln in cuda.splitlines()
        if ln.lstrip().startswith("#") and not _TORCH_INCLUDE.search(ln)
    ]
    out += [
        ln for ln in cuda.splitlines() if re.match(r"\s*(static\s+)?(constexpr|__constant__)\b", ln)
    ]
    end = 0
    for match in _DEVICE_DECL.finditer(cuda):
        if match.start() < end:
            continue  # inside a function already taken
        semicolon, brace = cuda.find(";", match.start()), cuda.find("{", match.start())
        if semicolon >= 0 and (
            brace < 0 or semicolon < brace
        ):  # a declaration or __device__ variable
            end = semicolon + 1
            out.append(cuda[match.start() : end])
            continue
        body = _through_matching_brace(cuda, match.start())
        if body:
            end = match.start() + len(body)
            out.append(body)
    return "\n".join(out) + "\n"


def _through_matching_brace(text: str, start: int) -> str | None:
    """From `start` to the brace closing the first `{` (skipping comments and string literals)."""
    depth, i = 0, text.find("{", start)
    if i < 0:
        return None
    while i < len(text):
        if text.startswith("//", i):
            i = text.find("\n", i) if text.find("\n", i) >= 0 else len(text)
            continue
        if text.startswith("/*", i):
            i = text.find("*/", i) + 2 if text.find("*/", i) >= 0 else len(text)
            continue
        ch = text[i]
        if ch in "\"'":
            j = i + 1
            while j < len(text) and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        depth += ch == "{"
        depth -= ch == "}"
        i += 1
        if depth == 0:
            return text[start:i]
    return None


def compile_cuda_candidate(
    python_source: str, arch: str = "sm_90", timeout_s: float = 120
) -> CudaCompileReport:
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        return CudaCompileReport(
            ok=False, nvcc=None, error="nvcc not found: CUDA candidate left unchecked"
        )
    sources = cuda_sources(python_source)
    if not sources:
        return CudaCompileReport(
            ok=False, nvcc=nvcc, error="no CUDA source (no string with __global__) found"
        )
    report = CudaCompileReport(ok=True, nvcc=nvcc)
    with tempfile.TemporaryDirectory(prefix="perfsmith-nvcc-") as tmp:
        for i, src in enumerate(sources):
            cu = Path(tmp) / f"kernel{i}.cu"
            cu.write_text(device_code(src))
            cmd = [
                nvcc,
                "-c",
                f"-arch={arch}",
                "-std=c++17",
                "-Xptxas",
                "-v",
                str(cu),
                "-o",
                str(cu.with_suffix(".o")),
            ]
            try:
                returncode, text = _run_nvcc(cmd, timeout_s)
            except subprocess.TimeoutExpired:
                report.ok, report.error = False, f"nvcc ran over its {timeout_s:g} s limit"
                return report
            except OSError as exc:
                report.ok, report.error = False, f"nvcc could not run: {exc}"
                return report
            report.kernels += re.findall(r"Compiling entry function '(\w+)'", text)
            report.resources += [
                ln.split(":", 1)[1].strip()
                for ln in text.splitlines()
                if "Used" in ln and "registers" in ln
            ]
            if returncode != 0:
                errors = [ln for ln in text.splitlines() if "error" in ln]
                report.ok = False
                last = [ln.strip() for ln in text.splitlines() if ln.strip()][-1:]
                report.error = "; ".join(errors[:3]) or (
                    last[0][:300] if last else f"exit status {returncode}, no output"
                )
    return report


def _run_nvcc(cmd: list[str], timeout_s: float) -> tuple[int, str]:
    """(exit status, stdout + stderr). nvcc runs helpers (cicc, ptxas) as its children: on
    timeout the whole process group is killed, so no helper keeps the pipes (and us) waiting."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return proc.returncode, out + err
