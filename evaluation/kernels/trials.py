"""Dynamic checks: one trial = candidate, reference, candidate again, on fresh seeded inputs.

Running the candidate both before and after the reference catches outputs that depend on what ran
last (a stale buffer, a cached result); each call gets its own copy of the inputs so mutation is
visible; outputs must be fresh, dense, contiguous tensors of the reference's dtype and shape.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import torch

from evaluation.kernels.child_setup import Tripwires
from evaluation.kernels.records import Trial
from tasks.kernels.rand import DTYPES, Rand


@dataclass(frozen=True)
class Case:
    shape: dict[str, int]
    dtype: str
    fill: str
    seed: int


def plan_cases(
    shapes: Sequence[dict[str, int]], dtypes: Sequence[str], fills: Sequence[str], seed: int
) -> list[Case]:
    """Every shape x dtype x fill, each with its own seed: no two trials share inputs."""
    combos = itertools.product(shapes, dtypes, fills)
    return [Case(dict(s), d, f, seed + i) for i, (s, d, f) in enumerate(combos)]


class CaseFailure(Exception):
    """Why a trial failed, as one line for the report."""


def run_case(
    problem: ModuleType,
    model_new: type[torch.nn.Module],
    case: Case,
    device: str,
    tolerance: tuple[float, float],
    fill_params: bool,
    tripwires: Tripwires,
) -> Trial:
    try:
        error = _run(problem, model_new, case, device, tolerance, fill_params, tripwires)
    except CaseFailure as exc:
        return Trial(case.shape, case.dtype, case.fill, case.seed, False, str(exc), float("inf"))
    return Trial(case.shape, case.dtype, case.fill, case.seed, True, "ok", error)


@torch.no_grad()
def _run(
    problem: ModuleType,
    model_new: type[torch.nn.Module],
    case: Case,
    device: str,
    tolerance: tuple[float, float],
    fill_params: bool,
    tripwires: Tripwires,
) -> float:
    dtype = DTYPES[case.dtype]
    rand = Rand(case.seed, case.fill, dtype, device)
    init = problem.get_init_inputs(case.shape)
    torch.manual_seed(case.seed)
    ref = problem.Model(*init).to(device=device, dtype=dtype).eval()
    if fill_params:
        for p in ref.parameters():
            p.copy_(rand.floats(*p.shape))
    torch.manual_seed(case.seed)
    cand = _guard(
        "constructing ModelNew", lambda: model_new(*init).to(device=device, dtype=dtype).eval()
    )
    copy_state(ref, cand)
    master = problem.get_inputs(case.shape, rand)
    state = {k: v.clone() for k, v in cand.state_dict().items()}
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)

    a_inputs = _clones(master)
    out_a = _call(cand, a_inputs, tripwires, sync)
    a_snapshot = [t.clone() for t in out_a]
    ref_inputs = _clones(master)
    ref_out = _as_list(ref(*ref_inputs))
    sync()
    b_inputs = _clones(master)
    out_b = _call(cand, b_inputs, tripwires, sync)

    for label, out, inputs in (("first call", out_a, a_inputs), ("second call", out_b, b_inputs)):
        _check_contract(label, out, ref_out)
        _check_aliasing(label, out, [*inputs, *ref_inputs, *ref_out])
        _check_unchanged(f"{label}: input", inputs, master)
    if any(_same_storage(a, b) for a, b in zip(out_a, out_b, strict=True)):
        raise CaseFailure(
            "returns the same output buffer on every call (a later call overwrites earlier results)"
        )
    _check_unchanged("first call's output after the second call", out_a, a_snapshot)
    _check_unchanged("ModelNew parameter", list(cand.state_dict().values()), list(state.values()))
    atol, rtol = tolerance
    return max(
        compare_outputs(label, out, ref_out, atol, rtol)
        for label, out in (("first call", out_a), ("second call", out_b))
    )


def _guard(what: str, fn: Callable[[], Any]) -> Any:
    """Turn the candidate's own exceptions into a failed trial (they are its result, not ours)."""
    try:
        return fn()
    except Exception as exc:
        raise CaseFailure(f"{what} raised {type(exc).__name__}: {_one_line(exc)}") from exc


def _call(
    cand: torch.nn.Module, inputs: list[Any], tripwires: Tripwires, sync: Callable[[], None]
) -> list[torch.Tensor]:
    def invoke() -> Any:
        with tripwires.armed():
            out = cand(*inputs)
            sync()
        return out

    out = _guard("ModelNew.forward", invoke)
    if tripwires.calls:
        raise CaseFailure(f"called the reference op {', '.join(tripwires.calls)} during forward")
    return _as_list(out)


def copy_state(ref: torch.nn.Module, cand: torch.nn.Module) -> None:
    """Same weights for both: copy when the parameter names match, else rely on the shared seed."""
    ref_state, cand_state = ref.state_dict(), cand.state_dict()
    same = ref_state.keys() == cand_state.keys() and all(
        ref_state[k].shape == cand_state[k].shape for k in ref_state
    )
    if same:
        cand.load_state_dict(ref_state)


def _clones(values: Sequence[Any]) -> list[Any]:
    return [v.clone() if isinstance(v, torch.Tensor) else v for v in values]


def _as_list(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _check_contract(label: str, outs: list[Any], refs: list[torch.Tensor]) -> None:
    if len(outs) != len(refs):
        raise CaseFailure(
            f"{label}: returned {len(outs)} outputs, the reference returns {len(refs)}"
        )
    for out, ref in zip(outs, refs, strict=True):
        if type(out) is not torch.Tensor:
            raise CaseFailure(f"{label}: returned {type(out).__name__}, not a plain torch.Tensor")
        if out.layout != torch.strided or not out.is_contiguous():
            raise CaseFailure(f"{label}: output is not a dense contiguous tensor")
        if out.dtype != ref.dtype:
            raise CaseFailure(
                f"{label}: output dtype {out.dtype} != reference {ref.dtype} (silent downcast?)"
            )
        if out.shape != ref.shape:
            raise CaseFailure(
                f"{label}: output shape {tuple(out.shape)} != reference {tuple(ref.shape)}"
            )
        if out.device != ref.device:
            raise CaseFailure(f"{label}: output on {out.device}, reference on {ref.device}")


def _same_storage(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.numel() == 0 or b.numel() == 0:
        return False
    return bool(a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr())


def _check_aliasing(label: str, outs: list[torch.Tensor], others: list[Any]) -> None:
    for out in outs:
        for other in others:
            if isinstance(other, torch.Tensor) and _same_storage(out, other):
                raise CaseFailure(f"{label}: output aliases an input or the reference's output")


def _check_unchanged(label: str, now: Sequence[Any], before: Sequence[Any]) -> None:
    for i, (a, b) in enumerate(zip(now, before, strict=True)):
        if isinstance(a, torch.Tensor) and not torch.equal(_bits(a), _bits(b)):
            raise CaseFailure(f"{label} {i} was modified")


def _bits(t: torch.Tensor) -> torch.Tensor:
    """Bitwise view, so NaNs compare equal to themselves."""
    if t.is_floating_point() and t.numel():
        return t.contiguous().view(_INT_OF_SIZE[t.element_size()])
    return t


_INT_OF_SIZE = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


def compare_outputs(
    label: str, outs: list[torch.Tensor], refs: list[torch.Tensor], atol: float, rtol: float
) -> float:
    """Worst excess over |out - ref| <= atol * max(1, max|ref|) + rtol * |ref|, normalized.

    atol scales with the output's magnitude so large-magnitude inputs are judged on relative
    accuracy, not on cancellation noise far below the values that matter.
    """
    worst = 0.0
    for out, ref in zip(outs, refs, strict=True):
        o, r = out.double(), ref.double()
        nan_r, inf_r, finite = torch.isnan(r), torch.isinf(r), torch.isfinite(r)
        if not bool(torch.isnan(o[nan_r]).all()) or not torch.equal(o[inf_r], r[inf_r]):
            raise CaseFailure(f"{label}: non-finite values differ from the reference's")
        if not bool(torch.isfinite(o[finite]).all()):
            bad = int((~torch.isfinite(o[finite])).sum())
            raise CaseFailure(
                f"{label}: {bad} NaN/inf where the reference is finite (unwritten output?)"
            )
        if not bool(finite.any()):
            continue
        o, r = o[finite], r[finite]
        scale = max(1.0, float(r.abs().max()))
        excess = float(((o - r).abs() - rtol * r.abs()).max()) / scale
        if excess > atol:
            at = int(((o - r).abs() - rtol * r.abs()).argmax())
            raise CaseFailure(
                f"{label}: wrong values: max error {excess:.3g} x max|ref| > atol {atol:g} "
                f"(got {float(o[at]):.6g}, expected {float(r[at]):.6g})"
            )
        worst = max(worst, max(excess, 0.0))
    return worst


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[-1] if text else "")[:300]
