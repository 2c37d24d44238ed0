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
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # run as a script from anywhere, without installing the project

from evaluation.kernels.checker import CheckOptions, check_many  # noqa: E402
from evaluation.kernels.records import CheckReport, ShapeResult, shape_result_from_json  # noqa: E402
from evaluation.kernels.subproc import run_child  # noqa: E402
from evaluation.kernels.summary import markdown, summarize  # noqa: E402
from tasks.kernels import ProblemSpec, load_problem, problem_names  # noqa: E402

_PROBE = """
import json, sys
out = {"python": sys.version.split()[0]}
try:
    import torch
    out.update(torch=torch.__version__, torch_cuda=torch.version.cuda, cuda_available=torch.cuda.is_available())
    if out["cuda_available"]:
        out["device"] = torch.cuda.get_device_name(0)
except Exception as exc:
    out["torch_error"] = repr(exc)
for name in ("triton", "numpy"):
    try:
        out[name] = __import__(name).__version__
    except Exception as exc:
        out[name + "_error"] = repr(exc)
print(json.dumps(out))
"""


def missing_requirements(python: str, cpu_smoke: bool) -> tuple[list[str], dict[str, object]]:
    proc = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        return [f"{python} cannot run the import probe: {proc.stderr.strip()[-300:]}"], {}
    env = json.loads(proc.stdout.strip().splitlines()[-1])
    missing = []
    if tuple(int(x) for x in str(env["python"]).split(".")[:2]) < (3, 10):
        missing.append(f"python >= 3.10 (found {env['python']})")
    if "torch_error" in env:
        missing.append(
            f"torch: not importable ({env['torch_error']}); install a CUDA build of torch"
        )
    elif not cpu_smoke and not env["cuda_available"]:
        missing.append(
            f"a visible CUDA GPU: torch {env['torch']} (CUDA {env['torch_cuda']}) reports "
            "torch.cuda.is_available() == False; use a CUDA build of torch on a GPU machine, or --cpu-smoke"
        )
    if "triton_error" in env:
        missing.append(
            f"triton: not importable ({env['triton_error']}); it ships with CUDA torch wheels"
        )
    if cpu_smoke and "numpy_error" in env:
        missing.append(
            f"numpy: not importable ({env['numpy_error']}); the Triton interpreter needs it"
        )
    return missing, env


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
    candidates = {s.name: _candidate(s, args.candidates) for s in specs}
    device = "cpu" if args.cpu_smoke else "cuda"

    started = time.perf_counter()
    checks = check_many(
        [(s, candidates[s.name]) for s in specs], _check_options(args, device), args.workers
    )
    for c in checks:
        print(f"  check {c.summary()} [{c.seconds:.0f} s]", flush=True)
    rows: list[ShapeResult] = []
    for spec, check in zip(specs, checks, strict=True):
        for dtype in [d for d in args.dtypes.split(",") if d]:
            rows += _time_problem(spec, candidates[spec.name], check, dtype, device, args)
    summary = summarize(rows)
    header = f"GPU kernels: {env.get('device', 'CPU smoke (Triton interpreter)')}, torch {env['torch']}, triton {env['triton']}"
    report = markdown(rows, checks, summary, header)
    _write(args.out, env, checks, rows, summary, report, time.perf_counter() - started)
    print(report)
    return 0 if all(c.status in ("passed", "compile-only") for c in checks) else 1


def _candidate(spec: ProblemSpec, directory: Path | None) -> Path:
    path = (directory / f"{spec.name}.py") if directory else spec.solution_path
    if not path.is_file():
        raise SystemExit(f"no candidate for {spec.name}: {path} does not exist")
    return path


def _check_options(args: argparse.Namespace, device: str) -> CheckOptions:
    if args.cpu_smoke:
        return CheckOptions(
            aot=True,
            device="cpu",
            shape_kinds=("cpu",),
            max_shapes=2,
            fills=("normal", "large"),
            python=args.python,
        )
    return CheckOptions(device="cuda", shape_kinds=("cpu", "gpu"), python=args.python)


def _time_problem(
    spec: ProblemSpec,
    candidate: Path,
    check: CheckReport,
    dtype: str,
    device: str,
    args: argparse.Namespace,
) -> list[ShapeResult]:
    shapes = spec.shapes["cpu"][1:2] if args.cpu_smoke else spec.shapes["gpu"][: args.max_shapes]
    if dtype not in spec.dtypes:
        return []
    if check.status != "passed":
        reason = f"check {check.status}: {check.reasons[0] if check.reasons else ''}"
        return [ShapeResult(spec.name, s, dtype, correct=False, error=reason) for s in shapes]
    job = {
        "problem": spec.name,
        "candidate": str(candidate.resolve()),
        "device": device,
        "shapes": shapes,
        "dtype": dtype,
        "runs": args.runs or (5 if args.cpu_smoke else 100),
        "warmup": 1 if args.cpu_smoke else 10,
        "flush_bytes": (8 if args.cpu_smoke else 256) * 2**20,
        "compile": not (args.no_compile or args.cpu_smoke),
        "seed": check.seed or 0,
    }
    t0 = time.perf_counter()
    result = run_child(
        "evaluation.kernels.time_child",
        job,
        python=args.python,
        interpret=device == "cpu",
        timeout_s=1800,
    )
    print(f"  timed {spec.name} {dtype} [{time.perf_counter() - t0:.0f} s]", flush=True)
    if result.data is None:
        return [
            ShapeResult(spec.name, s, dtype, correct=False, error=result.describe_failure())
            for s in shapes
        ]
    return [shape_result_from_json(r) for r in result.data["rows"]]


def _write(
    out: Path,
    env: dict[str, object],
    checks: list[CheckReport],
    rows: list[ShapeResult],
    summary: dict[str, object],
    report: str,
    seconds: float,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = {
        "format": "perfsmith-kernels/1",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "environment": env,
        "summary": summary,
        "checks": [c.to_json() for c in checks],
        "rows": [r.to_json() for r in rows],
    }
    (out / "results.json").write_text(json.dumps(data, indent=1))
    (out / "results.md").write_text(report)
    print(f"kernels_gpu: wrote {out / 'results.json'} and {out / 'results.md'}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
