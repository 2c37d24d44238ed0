"""KernelBench-style GPU kernel problems written for perfsmith, with reference Triton solutions.

Each problem in `problems/` is a module with a PyTorch `Model`, `get_init_inputs(shape)`,
`get_inputs(shape, r)` and `get_shapes(kind)`, plus literal metadata (CATEGORY, DTYPES, FORBIDDEN,
TOLERANCE, SHAPES) that `registry` reads without importing torch. `solutions/` holds one `ModelNew`
per problem. See docs/kernels.md.
"""

from tasks.kernels.registry import ProblemSpec, load_problem, problem_names

__all__ = ["ProblemSpec", "load_problem", "problem_names"]
