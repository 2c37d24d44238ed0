"""Flamegraphs in the pull request: `--assets-dir` writes before/after SVGs, the body embeds them
from `--assets-url` or names them and the artifact they travel in; stacks sampled once are kept
in the run directory and rendered again later. The GitHub API is the loopback server of
tests/helpers/github_server.py; the sampling runs py-spy for real."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import git
from helpers.github_server import GitHubServer
from test_pr_support import ci_env, finished_run, pr_app, project
from typer.testing import CliRunner

from agent.pr.body import pr_body
from agent.pr.finished import load_run
from agent.pr.flames import Assets, Flamegraphs
from agent.pr.flow import proposal_state
from agent.pr.stacks import Sampled
from profilers.flamegraph import parse_folded

RUN_ID = "20250101-000000-abcdef"
FILES = (f"{RUN_ID}/before.svg", f"{RUN_ID}/after.svg")
SVG = "{http://www.w3.org/2000/svg}"


def invoke(repo: Path, server: GitHubServer, *args: str, **env: str) -> tuple[int, str]:
    extra = {"GITHUB_TOKEN": "t0ken", "GITHUB_REPOSITORY": "acme/shop"} | env
    done = CliRunner().invoke(pr_app(), ["pr", str(repo), "--api-url", server.api_url, *args],
                              env=ci_env(**extra))  # fmt: skip
    return done.exit_code, done.output


def shares(svg_file: Path) -> dict[str, float]:
    """Frame name -> percent of the samples, from the SVG's tooltips."""
    root = ET.fromstring(svg_file.read_text().split("\n", 1)[1])
    found = {}
    for title in root.iter(f"{SVG}title"):
        name, _, rest = (title.text or "").rpartition(" (")
        found[name] = float(rest.split(", ")[1].rstrip("%)"))
    return found


def body_with(tmp_path: Path, assets: Assets, files: tuple[str, ...] = FILES, problem: str = "") -> str:  # fmt: skip
    run = load_run(finished_run(project(tmp_path)))
    flames = Flamegraphs(assets, files, problem)
    return pr_body(run, proposal_state(run.dir.parents[2], run), 0.05, flames)


def test_the_body_embeds_the_svgs_from_the_assets_url(tmp_path: Path) -> None:
    body = body_with(tmp_path, Assets(tmp_path / "a", url="https://acme.github.io/flames/"))
    base = "https://acme.github.io/flames"
    assert f"![before]({base}/{RUN_ID}/before.svg)\n\n![after]({base}/{RUN_ID}/after.svg)" in body
    profile = body.split("## Profile before and after")[1].split("## Model")[0]
    assert "Flamegraphs of the workload at the base commit and with this patch" in profile


def test_without_a_url_the_body_names_the_files_and_the_artifact(tmp_path: Path) -> None:
    link = "https://github.com/acme/shop/actions/runs/42"
    body = body_with(
        tmp_path, Assets(tmp_path / "a", artifact="perfsmith-flamegraphs", run_link=link)
    )
    assert (f"`{RUN_ID}/before.svg` and `{RUN_ID}/after.svg`, in the workflow artifact "
            f"`perfsmith-flamegraphs` of [this workflow run]({link}).") in body  # fmt: skip
    assert "![" not in body
    local = body_with(tmp_path / "2", Assets(tmp_path / "a"))
    assert f"in `{tmp_path / 'a'}` on the machine that ran perfsmith." in local
    failed = body_with(
        tmp_path / "3", Assets(tmp_path / "a"), (), "sampling the workload failed: x"
    )
    assert "No flamegraphs: sampling the workload failed: x." in failed


def test_a_pr_embeds_flamegraphs_rendered_from_the_stacks_the_run_keeps(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo)
    (run / "flames").mkdir()
    for side, count in (("before", 90), ("after", 20)):
        folded = f"<module> (bench.py);unique (shop/core.py) {count}\n<module> (bench.py) 10\n"
        record = Sampled(rate=200, wall_seconds=count / 200, folded=folded)
        (run / "flames" / f"{side}.json").write_text(record.model_dump_json())
    assets = tmp_path / "assets"
    with GitHubServer() as gh:
        code, out = invoke(repo, gh, "--run", str(run), "--assets-dir", str(assets),
                           "--assets-url", "https://pages.example/flames")  # fmt: skip
    assert code == 0, out
    before, after = (shares(assets / name) for name in FILES)
    assert before["unique (shop/core.py)"] == 90.0 and after[
        "unique (shop/core.py)"
    ] == pytest.approx(66.67)
    (created,) = gh.calls("POST", "/repos/acme/shop/pulls")
    assert f"![before](https://pages.example/flames/{RUN_ID}/before.svg)" in created.body["body"]
    assert f"![after](https://pages.example/flames/{RUN_ID}/after.svg)" in created.body["body"]
    assert f"flamegraphs: {assets / FILES[0]}, {assets / FILES[1]}" in " ".join(out.split())


def test_a_workload_that_fails_when_sampled_costs_the_pictures_not_the_pr(tmp_path: Path) -> None:
    repo = project(tmp_path)
    (repo / "bench.py").write_text("raise SystemExit(3)\n")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "a failing workload")
    run = finished_run(repo)
    with GitHubServer() as gh:
        code, out = invoke(repo, gh, "--run", str(run), "--assets-dir", str(tmp_path / "a"))
    assert code == 0, out
    (created,) = gh.calls("POST", "/repos/acme/shop/pulls")
    assert (
        "No flamegraphs: sampling the workload failed: workload exited with status 3"
        in created.body["body"]
    )
    assert not (tmp_path / "a").exists() and not (run / "flames").exists()


def test_assets_url_without_assets_dir_is_a_one_line_error(tmp_path: Path) -> None:
    repo = project(tmp_path)
    with GitHubServer() as gh:
        code, out = invoke(repo, gh, "--run", str(finished_run(repo)), "--assets-url", "https://x")
    assert code == 2 and "--assets-url and --assets-artifact need --assets-dir" in out
    assert gh.requests == []


@pytest.mark.e2e
def test_dry_run_samples_before_and_after_once_and_names_the_artifact(tmp_path: Path) -> None:
    repo = project(tmp_path)
    (repo / "bench.py").write_text(
        "from shop.core import unique\n\nunique([i % 4000 for i in range(8000)])\n"
    )
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "a bigger workload")
    run = finished_run(repo)
    assets = tmp_path / "assets"
    args = ("--run", str(run), "--dry-run", "--assets-dir", str(assets),
            "--assets-artifact", "perfsmith-flamegraphs")  # fmt: skip
    github = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "42"}
    with GitHubServer() as gh:
        code, out = invoke(repo, gh, *args, **github)
    assert code == 0, out
    assert gh.requests == []
    body = (run / "pr-body.md").read_text()
    assert (f"`{FILES[0]}` and `{FILES[1]}`, in the workflow artifact `perfsmith-flamegraphs` of "
            "[this workflow run](https://github.com/acme/shop/actions/runs/42).") in body  # fmt: skip
    # The stacks are kept in the run: the quadratic list scan dominates before, not after.
    kept = {side: Sampled.model_validate_json((run / "flames" / f"{side}.json").read_text())
            for side in ("before", "after")}  # fmt: skip
    unique = "unique (shop/core.py)"
    for record in kept.values():
        assert record.rate == 200 and record.wall_seconds > 0
    before, after = (shares(assets / name) for name in FILES)
    assert before[unique] > 50.0, kept["before"].folded
    assert after.get(unique, 0.0) < before[unique], kept["after"].folded
    # py-spy now and then reports a stack it caught mid-import without its process frame (1 and
    # 2 samples of ~140 in two CI-like runs); nearly everything must hang under the process.
    stacks = parse_folded(kept["before"].folded)
    under_process = sum(
        n for frames, n in stacks.items() if frames[0] == "process: python bench.py"
    )
    assert under_process >= 0.97 * sum(stacks.values()), kept["before"].folded
    assert git(repo, "status", "--porcelain") == ""  # sampling used workspaces of its own
