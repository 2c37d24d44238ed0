"""Check and time every GPU kernel problem's candidate against PyTorch eager and torch.compile.

    python3 benchmarks/kernels_gpu.py                 # on a machine with an NVIDIA GPU
    python3 benchmarks/kernels_gpu.py --cpu-smoke     # anywhere with torch + triton + numpy

Needs only this repository and a Python with torch (a CUDA build) and triton; nothing else from
the project is installed or imported (no pydantic). It first checks those imports in a child and
prints exactly what is missing. Then, per problem: the anti-gaming check (one child each, on the
small and the timing shapes), then timing (one child per problem: eager, torch.compile and the
candidate in the same process, same loop, >= 100 runs, 256 MB L2 flush between runs). Candidates
are the reference solutions in tasks/kernels/solutions unless --candidates DIR gives <problem>.py
files. Writes results.json and results.md under --out and prints the markdown.

--cpu-smoke runs the same pipeline under the Triton interpreter on one tiny shape with a few runs,
to prove the pipeline end to end without a GPU (its timings mean nothing), and compiles every
launched Triton kernel ahead of time for sm_90 to report registers and shared memory.
Exit status: 0 all checks passed, 1 some candidate failed its check, 2 requirements missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # run as a script from anywhere, without installing the project

from evaluation.kernels import suite  # noqa: E402
from evaluation.kernels.summary import markdown  # noqa: E402
from tasks.kernels import ProblemSpec, load_problem, problem_names  # noqa: E402


def missing_requirements(python: str, cpu_smoke: bool) -> tuple[list[str], dict[str, Any]]:
    env = suite.probe(python)
    return suite.missing_requirements(env, gpu=not cpu_smoke), env


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--cpu-smoke", action="store_true", help="Triton interpreter, one tiny shape, few runs"
    )
    p.add_argument("--problems", default="", help="comma-separated subset (default: all)")
    p.add_argument("--candidates", type=Path, help="directory of <problem>.py files with ModelNew")
    p.add_argument(
        "--dtypes", default="float32", help="comma-separated timing dtypes (default float32)"
    )
    p.add_argument(
        "--max-shapes", type=int, default=None, help="timing shapes per problem (default: all)"
    )
    p.add_argument(
        "--runs", type=int, default=None, help="timed runs per measurement (default 100; smoke 5)"
    )
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile baseline")
    p.add_argument(
        "--out", type=Path, default=REPO_ROOT / "build" / "kernels_gpu", help="output directory"
    )
    p.add_argument("--python", default=sys.executable, help="interpreter for the child processes")
    p.add_argument("--workers", type=int, default=4, help="correctness checks run side by side")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    missing, env = missing_requirements(args.python, args.cpu_smoke)
    if missing:
        print("kernels_gpu: cannot run; missing:\n" + "\n".join(f"  - {m}" for m in missing))
        return 2
    print(f"kernels_gpu: {json.dumps(env)}", flush=True)
    names = [n for n in args.problems.split(",") if n] or problem_names()
    specs = [load_problem(n) for n in names]
    options = suite.KernelSuiteOptions(
        device="cpu" if args.cpu_smoke else "cuda",
        python=args.python,
        dtypes=tuple(d for d in args.dtypes.split(",") if d),
        max_shapes=args.max_shapes,
        runs=args.runs,
        compile_baseline=not args.no_compile,
        workers=args.workers,
    )
    items = [(s, _candidate(s, args.candidates)) for s in specs]
    result = suite.run_kernel_suite(items, options, lambda line: print(line, flush=True))
    header = f"GPU kernels: {env.get('device', 'CPU smoke (Triton interpreter)')}, torch {env['torch']}, triton {env['triton']}"
    report = markdown(result.rows, result.checks, result.summary, header)
    written = suite.write_results(args.out, env, result, report)
    print(f"kernels_gpu: wrote {written[0]} and {written[1]}")
    print(report)
    return 0 if all(c.status in ("passed", "compile-only") for c in result.checks) else 1


def _candidate(spec: ProblemSpec, directory: Path | None) -> Path:
    path = (directory / f"{spec.name}.py") if directory else spec.solution_path
    if not path.is_file():
        raise SystemExit(f"no candidate for {spec.name}: {path} does not exist")
    return path


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
