"""Ahead-of-time Triton compile for a real GPU target, without a GPU.

The check child records each interpreted launch's argument types and constexprs; here a separate
child (TRITON_INTERPRET unset, so @jit builds real JITFunctions) compiles the same kernels with
`triton.compile(ASTSource(...), target=GPUTarget("cuda", 90, 32))`. That catches errors the
interpreter forgives (type changes of loop-carried values, unsupported ops, shared memory over the
limit) and reports shared memory, registers and spills (cuobjdump on the cubin).

Parent side: `aot_compile(launches)`. Child side: `python -m evaluation.kernels.aot JOB RESULT`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from evaluation.kernels.subproc import run_child

H100_SHARED_LIMIT = 232448  # bytes of shared memory per block on sm_90 (227 KB)


def aot_compile(
    launches: list[dict[str, Any]], *, python: str, capability: int = 90, timeout_s: float = 600
) -> list[dict[str, Any]]:
    """One entry per launch: kernel, ok, shared, registers, spills, error."""
    if not launches:
        return []
    job = {"launches": launches, "capability": capability}
    result = run_child(
        "evaluation.kernels.aot", job, python=python, interpret=False, timeout_s=timeout_s
    )
    if result.data is None:
        return [
            {"kernel": ln["kernel"], "ok": False, "error": result.describe_failure()}
            for ln in launches
        ]
    return list(result.data["kernels"])


def _compile_one(
    launch: dict[str, Any], capability: int, modules: dict[str, Any]
) -> dict[str, Any]:
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    from evaluation.kernels.loading import import_file

    args = ",".join(t for t in launch["signature"].values() if t != "constexpr")
    entry: dict[str, Any] = {
        "kernel": launch["kernel"],
        "args": args,
        "constexprs": launch["constexprs"],
        "ok": False,
    }
    if "?" in launch["signature"].values():
        entry["error"] = f"cannot type all arguments: {launch['signature']}"
        return entry
    path = launch["file"]
    if path not in modules:
        modules[path] = import_file(Path(path), f"aot_module_{len(modules)}")
    fn = getattr(modules[path], launch["kernel"], None)
    while fn is not None and not isinstance(fn, triton.runtime.JITFunction):
        fn = getattr(fn, "fn", None)  # unwrap @autotune / @heuristics
    if fn is None:
        entry["error"] = f"no @triton.jit function {launch['kernel']} at module level"
        return entry
    source = ASTSource(fn, launch["signature"], constexprs=launch["constexprs"])
    kernel = triton.compile(
        source, target=GPUTarget("cuda", capability, 32), options=launch["options"]
    )
    entry.update(
        ok=True, shared=int(kernel.metadata.shared), **_resource_usage(kernel.asm.get("cubin"))
    )
    if entry["shared"] > H100_SHARED_LIMIT:
        entry.update(
            ok=False,
            error=f"needs {entry['shared']} B shared memory, sm_90 allows {H100_SHARED_LIMIT}",
        )
    return entry


def _resource_usage(cubin: bytes | None) -> dict[str, Any]:
    """Registers and local (spill) memory from cuobjdump, bundled with Triton's NVIDIA backend."""
    import triton

    tool = Path(triton.__file__).parent / "backends" / "nvidia" / "bin" / "cuobjdump"
    if cubin is None or not tool.is_file():
        return {"registers": None, "spill_bytes": None}
    with tempfile.NamedTemporaryFile(suffix=".cubin") as f:
        f.write(cubin)
        f.flush()
        text = subprocess.run(
            [str(tool), "--dump-resource-usage", f.name], capture_output=True, text=True
        ).stdout
    regs, local = re.search(r"REG:(\d+)", text), re.search(r"LOCAL:(\d+)", text)
    return {
        "registers": int(regs.group(1)) if regs else None,
        "spill_bytes": int(local.group(1)) if local else None,
    }


def main(job_path: str, result_path: str) -> int:
    if os.environ.get("TRITON_INTERPRET") == "1":
        raise SystemExit("AOT compile needs TRITON_INTERPRET unset")
    job = json.loads(Path(job_path).read_text())
    modules: dict[str, Any] = {}
    kernels = []
    for launch in job["launches"]:
        try:
            kernels.append(_compile_one(launch, job["capability"], modules))
        except Exception as exc:  # a compile error is the finding we are here to report
            kernels.append(
                {
                    "kernel": launch["kernel"],
                    "ok": False,
                    "error": f"{type(exc).__name__}: {_first_line(exc)}",
                }
            )
    Path(result_path).write_text(json.dumps({"kernels": kernels}))
    return 0


def _first_line(exc: BaseException) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return " | ".join(lines[-3:])[:500] if lines else ""


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
