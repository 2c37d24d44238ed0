"""Problem metadata read from the problem files' literal constants, without importing torch.

The parent side of the checker (static checks, scheduling, reports) stays torch-free and fast;
only the child process that runs a candidate imports the problem module for real.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

PROBLEMS_DIR = Path(__file__).parent / "problems"
SOLUTIONS_DIR = Path(__file__).parent / "solutions"

SolutionKind = Literal["triton", "pytorch", "cuda"]
Shape = dict[str, int]

# Mirrors tasks.kernels.rand.FILLS, which imports torch.
ALL_FILLS = ("normal", "uniform", "large", "zeros")

_REQUIRED = ("CATEGORY", "DTYPES", "FORBIDDEN", "TOLERANCE", "SHAPES")


@dataclass(frozen=True)
class ProblemSpec:
    name: str
    description: str  # the docstring's first line
    category: str
    dtypes: tuple[str, ...]
    forbidden: tuple[str, ...]  # torch op names a candidate may not use (the reference's own ops)
    tolerance: dict[str, tuple[float, float]]  # dtype -> (atol relative to max|ref|, rtol)
    shapes: dict[str, list[Shape]]  # "cpu" (interpreter-sized) and "gpu" (timing-sized)
    fills: tuple[str, ...]  # input distributions the checker draws from (tasks.kernels.rand.FILLS)
    fill_params: bool  # also redraw float parameters from the trial's distribution
    path: Path
    solution_path: Path
    solution_kind: SolutionKind

    def __post_init__(self) -> None:
        if not self.shapes.get("cpu") or not self.shapes.get("gpu"):
            raise ValueError(f"{self.name}: SHAPES needs non-empty 'cpu' and 'gpu' lists")
        if not all(isinstance(op, str) for op in self.forbidden):
            raise ValueError(f"{self.name}: FORBIDDEN must be a tuple of op names")
        missing = set(self.dtypes) - set(self.tolerance)
        if missing:
            raise ValueError(f"{self.name}: no TOLERANCE for {sorted(missing)}")


def problem_names() -> list[str]:
    return sorted(p.stem for p in PROBLEMS_DIR.glob("*.py") if not p.stem.startswith("_"))


def load_problem(name: str) -> ProblemSpec:
    path = PROBLEMS_DIR / f"{name}.py"
    if not path.is_file():
        raise KeyError(f"no kernel problem {name!r}; known: {', '.join(problem_names())}")
    tree = ast.parse(path.read_text(), filename=str(path))
    consts = _literal_constants(tree)
    absent = [k for k in _REQUIRED if k not in consts]
    if absent:
        raise ValueError(f"{path}: missing literal constants {absent}")
    solution = SOLUTIONS_DIR / f"{name}.py"
    sol_consts = _literal_constants(ast.parse(solution.read_text())) if solution.is_file() else {}
    return ProblemSpec(
        name=name,
        description=(ast.get_docstring(tree) or name).splitlines()[0],
        category=consts["CATEGORY"],
        dtypes=tuple(consts["DTYPES"]),
        forbidden=tuple(consts["FORBIDDEN"]),
        tolerance={k: (float(v[0]), float(v[1])) for k, v in consts["TOLERANCE"].items()},
        shapes={k: [dict(s) for s in v] for k, v in consts["SHAPES"].items()},
        fills=tuple(consts.get("FILLS", ALL_FILLS)),
        fill_params=bool(consts.get("FILL_PARAMS", False)),
        path=path,
        solution_path=solution,
        solution_kind=sol_consts.get("SOLUTION_KIND", "pytorch"),
    )


def _literal_constants(tree: ast.Module) -> dict[str, Any]:
    """Module-level `NAME = <literal>` assignments (non-literals are skipped, not evaluated)."""
    out: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id.isupper():
            try:
                out[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return out
