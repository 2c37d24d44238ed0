"""perfsmith's pytest plugin: each test's outcome and call-phase duration, written as JSON.

Standalone: it runs inside the user's environment (loaded with `-p perfsmith_timing` from a
folder holding only this file), so it imports nothing of perfsmith. The result file is the
path in PERFSMITH_TIMING_OUT:

    {"version": 1, "exitstatus": 0,
     "tests": {nodeid: {"outcome": "passed", "call_seconds": 0.012}},
     "collect_errors": ["tests/test_x.py: ImportError: ..."]}

`call_seconds` is pytest's own duration of the call phase (setup and teardown, fixtures
included, are not timed); `outcome` is "passed", "failed" (call), "error" (setup or teardown)
or "skipped" (xfail included).
"""

from __future__ import annotations

import json
import os
from typing import Any

FORMAT_VERSION = 1
# Resolved now, before any test can change the working directory.
_OUT = os.path.abspath(os.environ.get("PERFSMITH_TIMING_OUT", "perfsmith-timing.json"))
_tests: dict[str, dict[str, Any]] = {}
_collect_errors: list[str] = []


def pytest_runtest_logreport(report: Any) -> None:
    entry = _tests.setdefault(report.nodeid, {"outcome": "passed", "call_seconds": 0.0})
    if report.when == "call":
        entry["call_seconds"] = float(report.duration)
    if report.failed:
        entry["outcome"] = "failed" if report.when == "call" else "error"
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"


def pytest_collectreport(report: Any) -> None:
    if report.failed:
        lines = [line.strip() for line in str(report.longrepr).splitlines() if line.strip()]
        _collect_errors.append(f"{report.nodeid or '<session>'}: {lines[-1] if lines else 'error'}")


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: its reports reach the controller, which writes the file
    doc = {
        "version": FORMAT_VERSION,
        "exitstatus": int(exitstatus),
        "tests": _tests,
        "collect_errors": _collect_errors,
    }
    with open(_OUT, "w", encoding="utf-8") as handle:
        json.dump(doc, handle)
