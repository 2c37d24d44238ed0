"""What a child process installs before it imports a candidate (torch required; child side only).

- NaN-filled allocations: torch.empty & co. return NaN (or a sentinel for integers) instead of
  whatever the allocator last held, so a kernel that skips writing its output, or returns a fresh
  buffer that happens to hold the reference's result, fails the comparison.
- A CPU `do_bench` for @triton.autotune under the interpreter (the stock one needs a GPU driver).
- A launch recorder under the interpreter: argument types and constexprs of every Triton launch,
  so the parent can compile the same kernels ahead of time for a real GPU target.
- Tripwires on the task's forbidden torch ops, armed only while the candidate runs: this catches
  `self.fc(x)` on an nn.Linear, `nn.Softmax()(x)` and other calls no static check can see.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import torch

_ALLOCATORS = ("empty", "empty_like", "empty_strided")
_TENSOR_ALLOCATORS = ("new_empty", "new_empty_strided")
_TRIPWIRE_NAMESPACES = (
    "torch",
    "torch.nn.functional",
    "torch.sparse",
    "torch.special",
    "torch.linalg",
)


def poison(t: torch.Tensor) -> torch.Tensor:
    """Fill a fresh allocation with a value no correct kernel leaves behind."""
    if t.is_floating_point() or t.is_complex():
        t.fill_(float("nan"))
    elif t.dtype != torch.bool and t.numel():
        t.fill_(torch.iinfo(t.dtype).min)
    return t


def install_poisoned_allocators() -> None:
    for name in _ALLOCATORS:
        setattr(torch, name, _poisoning(getattr(torch, name)))
    for name in _TENSOR_ALLOCATORS:
        setattr(torch.Tensor, name, _poisoning(getattr(torch.Tensor, name)))


def _poisoning(alloc: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(alloc)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        out = alloc(*args, **kwargs)
        return poison(out) if isinstance(out, torch.Tensor) else out

    return wrapper


def install_cpu_autotune_bench() -> None:
    """Autotune under the interpreter: time each config once with the host clock."""
    from triton.runtime import autotuner

    def cpu_do_bench(
        fn: Callable[[], Any], quantiles: tuple[float, ...] | None = None, **_: Any
    ) -> Any:
        start = time.perf_counter()
        fn()
        ms = (time.perf_counter() - start) * 1e3
        return [ms] * len(quantiles) if quantiles else ms

    autotuner.Autotuner.do_bench = property(lambda self: cpu_do_bench)  # type: ignore[assignment,method-assign]


class Tripwires:
    """Wrap forbidden torch ops; record a call when it happens while `armed()` is active."""

    def __init__(self, forbidden: tuple[str, ...]) -> None:
        self.calls: list[str] = []
        self._armed = False
        for ns_name in _TRIPWIRE_NAMESPACES:
            ns = _resolve(ns_name)
            for op in forbidden:
                if callable(getattr(ns, op, None)):
                    setattr(ns, op, self._wrap(getattr(ns, op), f"{ns_name}.{op}"))
        for op in forbidden:
            if callable(getattr(torch.Tensor, op, None)):
                setattr(torch.Tensor, op, self._wrap(getattr(torch.Tensor, op), f"Tensor.{op}"))
        if "matmul" in forbidden:
            torch.Tensor.__matmul__ = self._wrap(torch.Tensor.__matmul__, "Tensor.__matmul__ (@)")  # type: ignore[method-assign]

    def _wrap(self, fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # Triton's own autotuner summarizes timings with torch.mean/quantile: not the candidate.
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if self._armed and not caller.startswith("triton") and label not in self.calls:
                self.calls.append(label)
            return fn(*args, **kwargs)

        return wrapper

    @contextlib.contextmanager
    def armed(self) -> Iterator[None]:
        self._armed = True
        try:
            yield
        finally:
            self._armed = False


def _resolve(dotted: str) -> Any:
    obj: Any = torch
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


class LaunchRecorder:
    """Record the signature of every interpreted Triton launch (CPU only)."""

    def __init__(self) -> None:
        self.launches: list[dict[str, Any]] = []
        self._seen: set[str] = set()
        from triton.runtime.interpreter import InterpretedFunction

        original = InterpretedFunction.run
        recorder = self

        def run(fn_self: Any, *args: Any, **kwargs: Any) -> Any:
            recorder.record(fn_self.fn, args, kwargs)
            return original(fn_self, *args, **kwargs)

        InterpretedFunction.run = run  # type: ignore[method-assign]

    def record(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        params = inspect.signature(fn).parameters
        bound = dict(zip(params, args, strict=False))
        options = {}
        for key, value in kwargs.items():
            if key in params:
                bound[key] = value
            elif key in ("num_warps", "num_stages", "num_ctas"):
                options[key] = value
        signature: dict[str, str] = {}
        constexprs: dict[str, Any] = {}
        for name, param in params.items():
            value = bound.get(name, param.default)
            if "constexpr" in str(param.annotation) or value is None:
                signature[name] = "constexpr"
                constexprs[name] = value
            else:
                signature[name] = _triton_type(value)  # "?" marks what AOT cannot compile
        entry = {
            "file": os.path.abspath(fn.__code__.co_filename),
            "kernel": fn.__name__,
            "signature": signature,
            "constexprs": constexprs,
            "options": options,
        }
        key = repr(sorted((k, repr(v)) for k, v in entry.items()))
        if key not in self._seen:
            self._seen.add(key)
            self.launches.append(entry)


_TRITON_DTYPES = {
    torch.float32: "fp32", torch.float16: "fp16", torch.bfloat16: "bf16", torch.float64: "fp64",
    torch.int8: "i8", torch.int16: "i16", torch.int32: "i32", torch.int64: "i64",
    torch.uint8: "u8", torch.bool: "i1",
}  # fmt: skip


def _triton_type(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return "*" + _TRITON_DTYPES[value.dtype]
    if isinstance(value, bool):
        return "i1"
    if isinstance(value, int):
        return "i32" if -(2**31) <= value < 2**31 else "i64"
    if isinstance(value, float):
        return "fp32"
    return "?"
