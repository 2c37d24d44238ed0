"""The trial logic in-process, on tiny hand-made problems (torch only, no Triton, no child)."""

from __future__ import annotations

import importlib.util
import types

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None,
    reason="torch not importable here; run with .venv-kernels (see docs/kernels.md)",
)


def make_problem() -> types.ModuleType:
    import torch
    from torch import nn

    from tasks.kernels.rand import Rand

    problem = types.ModuleType("fake_problem")

    class Model(nn.Module):
        last: torch.Tensor | None = None

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            Model.last = torch.tanh(x)
            return Model.last

    def get_inputs(shape: dict[str, int], r: Rand) -> list[torch.Tensor]:
        return [r.floats(shape["n"])]

    problem.Model = Model  # type: ignore[attr-defined]
    problem.get_inputs = get_inputs  # type: ignore[attr-defined]
    problem.get_init_inputs = lambda shape: []  # type: ignore[attr-defined]
    return problem


def run(model_new: type, fill: str = "normal"):  # type: ignore[no-untyped-def]
    from evaluation.kernels.child_setup import Tripwires
    from evaluation.kernels.trials import Case, run_case

    problem = make_problem()
    case = Case({"n": 33}, "float32", fill, seed=7)
    return run_case(
        problem, model_new(problem), case, "cpu", (1e-5, 1e-5), False, Tripwires(())
    ), problem


def candidate(forward):  # type: ignore[no-untyped-def]
    """A ModelNew class whose forward(x, problem) may peek at the fake problem (for the tricks)."""
    from torch import nn

    def factory(problem: types.ModuleType) -> type:
        class ModelNew(nn.Module):
            def forward(self, x):  # type: ignore[no-untyped-def]
                return forward(x, problem)

        return ModelNew

    return factory


def test_honest_candidate_passes() -> None:
    import torch

    trial, _ = run(candidate(lambda x, p: torch.tanh(x)), fill="large")
    assert trial.passed and trial.reason == "ok" and trial.error == 0.0


def test_returning_the_reference_output_is_aliasing() -> None:
    import torch

    # First call (before the reference ran) computes; later calls hand back the reference's tensor.
    trial, _ = run(
        candidate(lambda x, p: p.Model.last if p.Model.last is not None else torch.tanh(x))
    )
    assert not trial.passed and "aliases an input or the reference's output" in trial.reason


@pytest.mark.parametrize(
    ("forward", "reason"),
    [
        (lambda x, p: __import__("torch").tanh(x).to(__import__("torch").float64), "dtype"),
        (lambda x, p: __import__("torch").tanh(x)[:-1], "shape"),
        (lambda x, p: __import__("torch").tanh(x.view(3, 11)).t(), "dense contiguous"),
        (lambda x, p: (__import__("torch").tanh(x), x), "returned 2 outputs"),
        (lambda x, p: __import__("torch").tanh(x) + 1e-3, "wrong values"),
        (lambda x, p: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_output_contract(forward, reason: str) -> None:  # type: ignore[no-untyped-def]
    trial, _ = run(candidate(forward))
    assert not trial.passed and reason in trial.reason, trial.reason


def test_a_nan_where_the_reference_is_finite_fails() -> None:
    import torch

    def forward(x, p):  # type: ignore[no-untyped-def]
        y = torch.tanh(x)
        y[-1] = float("nan")
        return y

    trial, _ = run(candidate(forward))
    assert not trial.passed and "NaN/inf where the reference is finite" in trial.reason
