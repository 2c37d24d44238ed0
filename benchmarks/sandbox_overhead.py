"""Start-up overhead of each sandbox backend per run, against a plain subprocess.

For each command (`true`, `python -c pass`) every backend runs it --runs times, round-robin so
that drift in the machine's load hits all of them alike. Two figures per backend:
- call: the time of the whole `Sandbox.run` call, as a caller (a test run, a profile) waits;
- wall: the RunResult's wall_seconds, which is what a "command" workload sample measures.
Overhead is the median minus the plain subprocess's median. The docker backend is measured
with its warm container (the first, cold run is reported on its own).

    .venv/bin/python benchmarks/sandbox_overhead.py --runs 50 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from sandbox.api import Limits, Sandbox
from sandbox.docker_backend import DockerSandbox, engine_unavailable_reason
from sandbox.environment import sandbox_env
from sandbox.local import LocalSandbox, UnsafeSandboxWarning

COMMANDS = ["true", "python -c pass"]
Timer = Callable[[str], tuple[float, float]]  # command -> (call seconds, wall seconds)


def plain_timer(workspace: Path) -> Timer:
    env = sandbox_env()

    def run(cmd: str) -> tuple[float, float]:
        started = time.perf_counter()
        subprocess.run(["/bin/sh", "-c", cmd], cwd=workspace, env=env, check=True)
        elapsed = time.perf_counter() - started
        return elapsed, elapsed

    return run


def sandbox_timer(sandbox: Sandbox, workspace: Path) -> Timer:
    def run(cmd: str) -> tuple[float, float]:
        started = time.perf_counter()
        result = sandbox.run(cmd, workspace, limits=Limits(wall_seconds=60))
        elapsed = time.perf_counter() - started
        if not result.ok:
            raise RuntimeError(
                f"{cmd!r} failed under {sandbox.name}: {result.describe()}: {result.stderr[-300:]}"
            )
        return elapsed, result.wall_seconds

    return run


def backends(workspace: Path) -> tuple[dict[str, Timer], dict[str, str], list[Sandbox]]:
    timers: dict[str, Timer] = {"subprocess": plain_timer(workspace)}
    notes: dict[str, str] = {}
    made: list[Sandbox] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsafeSandboxWarning)  # measuring it, not using it
        made.append(LocalSandbox("plain"))
    for mode in ("unshare", "bwrap"):
        if shutil.which(mode):
            made.append(LocalSandbox(mode))  # type: ignore[arg-type]
    reason = engine_unavailable_reason()
    if reason is None:
        docker = DockerSandbox()
        started = time.perf_counter()
        docker.run("true", workspace)
        notes["docker"] = (
            f"cold start (container creation + first exec): {time.perf_counter() - started:.3f} s"
        )
        made.append(docker)
    else:
        notes["docker"] = f"not measured: {reason}"
    for sandbox in made:
        timers[sandbox.name] = sandbox_timer(sandbox, workspace)
    return timers, notes, made


def measure(runs: int, workspace: Path) -> dict[str, object]:
    timers, notes, made = backends(workspace)
    samples: dict[str, dict[str, list[tuple[float, float]]]] = {
        c: {n: [] for n in timers} for c in COMMANDS
    }
    try:
        for cmd in COMMANDS:
            usable = dict(timers)
            for name, timer in timers.items():  # one warm-up each; drop backends that cannot run it
                try:
                    timer(cmd)
                except RuntimeError as exc:
                    notes[f"{name} / {cmd}"] = str(exc)
                    del usable[name]
            for _ in range(runs):
                for name, timer in usable.items():
                    samples[cmd][name].append(timer(cmd))
    finally:
        for sandbox in made:
            close = getattr(sandbox, "close", None)
            if close is not None:
                close()
    return {"runs": runs, "machine": machine(), "notes": notes, "results": summarize(samples)}


def summarize(samples: dict[str, dict[str, list[tuple[float, float]]]]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for cmd, per_backend in samples.items():
        base = statistics.median(call for call, _ in per_backend["subprocess"])
        for name, values in per_backend.items():
            if not values:
                continue
            call = statistics.median(c for c, _ in values)
            wall = statistics.median(w for _, w in values)
            rows.append(
                {
                    "command": cmd,
                    "backend": name,
                    "median_call_ms": round(call * 1000, 2),
                    "median_wall_ms": round(wall * 1000, 2),
                    "overhead_call_ms": round((call - base) * 1000, 2),
                    "overhead_wall_ms": round((wall - base) * 1000, 2),
                }
            )
    return rows


def machine() -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "bwrap": _version(["bwrap", "--version"]),
        "docker": _version(["docker", "version", "--format", "{{.Server.Version}}"]),
    }


def _version(argv: list[str]) -> str:
    if not shutil.which(argv[0]):
        return "absent"
    done = subprocess.run(argv, capture_output=True, text=True)
    return done.stdout.strip() or done.stderr.strip()[:80]


def markdown(report: dict[str, object]) -> str:
    lines = [
        "| command | backend | median call (ms) | overhead call (ms) | median wall (ms) | overhead wall (ms) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in report["results"]:  # type: ignore[attr-defined]
        lines.append(
            f"| `{row['command']}` | {row['backend']} | {row['median_call_ms']} | {row['overhead_call_ms']} "
            f"| {row['median_wall_ms']} | {row['overhead_wall_ms']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()
    # Under build/, not /tmp: the unshare backend (no re-binding) must reach it as nobody.
    build = Path(__file__).resolve().parents[1] / "build"
    build.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=build, prefix="overhead-") as tmp:
        Path(tmp).chmod(0o755)
        report = measure(args.runs, Path(tmp))
    print(markdown(report))
    print(json.dumps({"machine": report["machine"], "notes": report["notes"]}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
