"""The llm proposer through the real CLI, with the scripted chat model shipped in the package:
a garbage reply, an algorithmic fix only a model could find, and an edit that breaks the tests.

The fix spans two files and removes both quadratic steps (about 2x on the demo): the rank step
alone is 14% of the workload, too small an effect to be sure of on a noisy CI machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.demo import materialize

pytestmark = pytest.mark.e2e

RANK_FIX = """TITLE: Rank customers by sorting once instead of counting for each
RATIONALE: Counting richer customers for every customer is O(n^2); a customer's rank is one plus
the index of the first occurrence of its total in the totals sorted descending. The distinct keys
come from a dict instead of a list scan, which was the other quadratic step.

shoplog/reports.py
<<<<<<< SEARCH
    ranks = {}
    for key, total in spend.items():
        ranks[key] = 1 + sum(1 for other in spend.values() if other > total)
    return ranks
=======
    first_index: dict[int, int] = {}
    for i, total in enumerate(sorted(spend.values(), reverse=True)):
        first_index.setdefault(total, i)
    return {key: 1 + first_index[total] for key, total in spend.items()}
>>>>>>> REPLACE

shoplog/customers.py
<<<<<<< SEARCH
    seen = []
    for ev in events:
        key = ev.email
        if key not in seen:
            seen.append(key)
    return seen
=======
    return list(dict.fromkeys(ev.email for ev in events))
>>>>>>> REPLACE
"""
BREAKS_TESTS = """TITLE: Approximate daily revenue
RATIONALE: wrong on purpose.

shoplog/reports.py
<<<<<<< SEARCH
        result.append((day, total))
=======
        result.append((day, total + 1))
>>>>>>> REPLACE
"""


def test_scripted_model_reaches_the_algorithmic_fix(tmp_path: Path) -> None:
    demo = materialize(tmp_path / "demo")
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps(["I think the code is fine.", RANK_FIX, BREAKS_TESTS]))
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from agent.cli import main; main()",
            "optimize",
            str(demo),
            "--model",
            f"scripted:{replies}",
            "--budget",
            "rounds=1,minutes=10",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = (demo / ".perfsmith/runs").iterdir()
    report = json.loads((run / "report.json").read_text())
    assert report["proposer"] == "llm"
    (accepted,) = report["accepted"]
    assert accepted["title"].startswith("Rank customers by sorting once")
    assert accepted["ci_low"] > 1.02
    assert "first_index" in (run / "best.patch").read_text()
    (rejected,) = report["rejected"]
    assert rejected["reason"].startswith("tests failed")
    assert any("gave no edit" in note for note in report["notes"])
