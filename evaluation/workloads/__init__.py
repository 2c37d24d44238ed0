"""The three kinds of workload and how a sample of each is taken in a fresh process:
a shell command (the whole process), pytest node ids (the tests' call phases) and a callable
(calls in a pyperf-style worker). Parsing of the user's text is in spec.py."""

from evaluation.workloads.base import Sample, WorkloadError
from evaluation.workloads.callables import sample_callable
from evaluation.workloads.command import sample_command
from evaluation.workloads.pytest_nodes import refuse_untimeable, sample_pytest
from evaluation.workloads.spec import workload_from_bench

__all__ = [
    "Sample",
    "WorkloadError",
    "refuse_untimeable",
    "sample_callable",
    "sample_command",
    "sample_pytest",
    "workload_from_bench",
]
