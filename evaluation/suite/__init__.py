"""Benchmark runs on task suites (SWE-Perf, GSO, SWE-fficiency and native tasks).

The runner receives the solver as a parameter: it never imports the agent. The CLI
(agent/bench_command.py) composes perfsmith's optimize loop, or a predictions file, with it.
"""

from evaluation.suite.metrics import SuiteMetrics, summarize
from evaluation.suite.pipeline import Pipeline, SuiteOptions
from evaluation.suite.prepare import PreparedTask, prepare
from evaluation.suite.records import Solution, TaskFailure, TaskResult, WorkloadResult
from evaluation.suite.report import write_report
from evaluation.suite.runner import run_suite
from evaluation.suite.solvers import NoopSolver, OracleSolver, PredictionsSolver, Solver

__all__ = [
    "NoopSolver",
    "OracleSolver",
    "Pipeline",
    "PredictionsSolver",
    "PreparedTask",
    "Solution",
    "Solver",
    "SuiteMetrics",
    "SuiteOptions",
    "TaskFailure",
    "TaskResult",
    "WorkloadResult",
    "prepare",
    "run_suite",
    "summarize",
    "write_report",
]
