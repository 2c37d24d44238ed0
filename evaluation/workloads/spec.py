"""Which kind of workload the user's `bench` text names.

- pytest node ids: every word contains `::` or is a test file (`tests/test_x.py`,
  `pkg/tests/helpers.py`: a path with a part starting with "test"), e.g.
  `tests/test_x.py::test_a tests/test_y.py::test_b`. Timed per test, call phase only.
- a callable: one word `package.module:function`, optionally `@package.module:setup`, with no
  spaces and no `/`. Timed per call in worker processes.
- anything else is a shell command, timed as a whole process.
"""

from __future__ import annotations

import shlex

from evaluation.workloads.callables import callable_command, parse_callable
from evaluation.workloads.pytest_nodes import pytest_command
from sandbox.api import Workload


def workload_from_bench(spec: str | list[str], timeout: float = 300.0) -> Workload:
    """The Workload for the user's text (a list is a command line already split in words)."""
    text = spec if isinstance(spec, str) else shlex.join(spec)
    try:
        words = spec if isinstance(spec, list) else shlex.split(spec)
    except ValueError:  # unbalanced quotes: the shell will say what is wrong
        words = []
    if words and all(_is_node_id(word) for word in words):
        return Workload(
            kind="pytest",
            spec=shlex.join(words),
            command=pytest_command(words),
            timeout_seconds=timeout,
        )
    if len(words) == 1 and "/" not in words[0] and parse_callable(words[0]):
        return Workload(
            kind="callable",
            spec=words[0],
            command=callable_command(words[0]),
            timeout_seconds=timeout,
        )
    return Workload(kind="command", spec=text, command=text, timeout_seconds=timeout)


def _is_node_id(word: str) -> bool:
    return "::" in word or (word.endswith(".py") and "/test" in "/" + word)
