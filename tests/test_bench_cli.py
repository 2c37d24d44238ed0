"""`perfsmith bench` as a command: predictions in, report out; usage errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agent.bench_command import _load, bench_command

app = typer.Typer()
app.command()(bench_command)
QUICK = ["--repetitions", "5", "--warmups", "1", "--seconds", "5", "--no-expert-reference"]


@pytest.fixture
def tasks(tmp_path: Path) -> Path:
    root = tmp_path / "tasks"
    for name in ("alpha", "beta"):
        folder = root / name
        (folder / "project" / "lib").mkdir(parents=True)
        (folder / "project" / "lib" / "__init__.py").write_text("VALUE = 1\n")
        (folder / "task.toml").write_text(
            f'id = "{name}"\npackage_dir = "lib"\npython_path = ["."]\n'
            "tests = [\"python -c 'import lib; assert lib.VALUE == 1'\"]\n"
            '[source]\nkind = "path"\npath = "project"\n'
            "[[workloads]]\nbench = \"python -c 'import lib; print(lib.VALUE)'\"\n"
        )
    return root


def predictions(path: Path, patches: dict[str, str]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"instance_id": k, "model_name_or_path": "m", "model_patch": v}) + "\n"
            for k, v in patches.items()
        )
    )
    return path


COMMENT = (
    "diff --git a/lib/__init__.py b/lib/__init__.py\n--- a/lib/__init__.py\n+++ b/lib/__init__.py\n"
    "@@ -1 +1,2 @@\n VALUE = 1\n+# tidy\n"
)


def test_a_predictions_file_is_judged_and_reported(tasks: Path, tmp_path: Path) -> None:
    preds = predictions(tmp_path / "model-x.jsonl", {"alpha": COMMENT})
    out = tmp_path / "out"
    done = CliRunner().invoke(app, [str(tasks), "--agent", str(preds), "--out", str(out), *QUICK])
    assert done.exit_code == 0, done.output
    alpha = json.loads((out / "results" / "alpha.json").read_text())
    beta = json.loads((out / "results" / "beta.json").read_text())
    assert alpha["status"] == "ok" and alpha["agent"] == "model-x"
    assert alpha["workloads"][0]["verdict"]["outcome"] != "faster"
    assert beta["status"] == "empty_patch"
    report = (out / "report.md").read_text()
    assert "| alpha | ok |" in report and "| beta | empty_patch |" in report
    assert "SWE-Perf Apply / Correctness / Performance | 50.0% / 50.0%" in report


def test_usage_errors_exit_2_with_one_line(tasks: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(
        app, [str(tasks), "--agent", "noop", "--only", "gamma", "--out", str(tmp_path / "o")]
    )
    assert unknown.exit_code == 2 and "no task named gamma" in unknown.output
    bad_agent = runner.invoke(app, [str(tasks), "--agent", "nonexistent.jsonl"])
    assert bad_agent.exit_code == 2 and "predictions file" in bad_agent.output
    missing = runner.invoke(app, [str(tmp_path / "nowhere"), "--agent", "noop"])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_a_run_folder_keeps_to_one_agent(tasks: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = CliRunner().invoke(
        app, [str(tasks), "--agent", "noop", "--only", "alpha", "--out", str(out), *QUICK]
    )
    assert first.exit_code == 0, first.output
    other = CliRunner().invoke(app, [str(tasks), "--oracle", "--only", "alpha", "--out", str(out)])
    assert other.exit_code == 2 and "holds a run of 'noop'" in other.output


def test_attempts_of_a_deterministic_agent_run_once_and_say_so(tasks: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = CliRunner().invoke(
        app,
        [
            str(tasks),
            "--agent",
            "noop",
            "--only",
            "alpha",
            "--attempts",
            "3",
            "--out",
            str(out),
            *QUICK,
        ],
    )
    assert done.exit_code == 0, done.output
    assert "1 attempt(s)" in done.output and "deterministic" in done.output
    assert sorted(p.name for p in (out / "results").iterdir()) == ["alpha.json"]
    report = (out / "report.md").read_text()
    assert "GSO opt@3 (any of 3 attempts per task) | 0.0% |" in report
    assert "opt@3 equals opt@1" in report
    bad = CliRunner().invoke(app, [str(tasks), "--agent", "noop", "--attempts", "0"])
    assert bad.exit_code == 2 and "--attempts" in bad.output


def test_suite_names_the_shipped_suite() -> None:
    ids = {t.id for t in _load(Path("suite"))}
    assert {"demo-shoplog", "idna-contextj", "urllib3-authority"} <= ids
