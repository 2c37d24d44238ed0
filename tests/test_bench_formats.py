"""Task formats: published SWE-Perf / GSO / SWE-fficiency samples (hand-made, in their field
names), native TOML tasks, predictions, and the shipped suite."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from evaluation.workloads import workload_from_bench
from tasks.formats import (
    FormatError,
    GitSource,
    SdistSource,
    TaskSpec,
    load_predictions,
    load_tasks,
)

SUITE = Path(__file__).resolve().parents[1] / "tasks" / "suite"

SWE_PERF = {
    "repo": "scikit-learn/scikit-learn",
    "instance_id": "scikit-learn__scikit-learn-13241",
    "patch": "diff --git a/sklearn/x.py b/sklearn/x.py\n",
    "test_patch": "diff --git a/sklearn/tests/test_x.py b/sklearn/tests/test_x.py\n",
    "base_commit": "a" * 40,
    "head_commit": "b" * 40,
    "created_at": "2019-02-21T10:00:00Z",
    "version": "0.21",
    # the Hugging Face export stores these lists as JSON text
    "efficiency_test": json.dumps(
        ["sklearn/tests/test_x.py::test_fast", "sklearn/tests/test_x.py::test_big[10]"]
    ),
    "duration_changes": json.dumps(
        [{"sklearn/tests/test_x.py::test_fast": {"base": 1.2, "head": 0.9}}]
    ),
    "patch_functions": json.dumps(["sklearn/x.py::fit"]),
    "test_functions": json.dumps(["sklearn/tests/test_x.py::test_fast"]),
    "problem_statement_oracle": "Speed up fit.",
    "problem_statement_realistic": "fit is slow on big inputs.",
    "human_performance": 0.21,
}
GSO = {
    "instance_id": "numpy__numpy-ba89ef9",
    "repo": "numpy/numpy",
    "base_commit": "c" * 40,
    "opt_commit": "d" * 40,
    "api": "numpy.add.at",
    "prob_script": "import numpy as np\nnp.add.at(a, idx, 1)\n",
    "tests": ["import timeit\nprint('Execution time: 1.0s')\n", "print('Execution time: 2.0s')\n"],
    "hints_text": "",
    "setup_commands": ["apt-get install -y gfortran"],
    "install_commands": ["uv venv --python 3.12", "uv pip install -e ."],
    "created_at": "2023-01-01",
    "gt_commit_message": "ENH: faster add.at",
    "gt_diff": "diff --git a/numpy/core/x.c b/numpy/core/x.c\n",
    "arch": "x86_64",
    "instance_image_tag": "latest",
}
SWE_FFICIENCY = {
    "repo": "pandas-dev/pandas",
    "instance_id": "pandas-dev__pandas-52054",
    "base_commit": "e" * 40,
    "patch": "diff --git a/pandas/core/x.py b/pandas/core/x.py\n",
    "test_patch": "",
    "problem_statement": "",
    "workload": "import timeit\ndef setup(): pass\ndef workload(): pass\n",
    "covering_tests": ["pandas/tests/test_x.py::test_a"],
    "PASS_TO_PASS": ["pandas/tests/test_x.py::test_a", "pandas/tests/test_x.py::test_b"],
    "FAIL_TO_PASS": [],
    "speedup": 2.5,
    "version": "2.0",
    "environment_setup_commit": "f" * 40,
}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_swe_perf_instance_becomes_a_pytest_workload_and_its_tests(tmp_path: Path) -> None:
    (task,) = load_tasks(write_jsonl(tmp_path / "sweperf.jsonl", [SWE_PERF]))
    nodes = json.loads(SWE_PERF["efficiency_test"])
    assert task.origin == "swe-perf"
    assert task.source == GitSource(
        url="https://github.com/scikit-learn/scikit-learn.git", commit="a" * 40
    )
    assert workload_from_bench(task.workloads[0].bench).kind == "pytest"
    assert task.tests == [f"python -m pytest -q -p no:cacheprovider {shlex.join(nodes)}"]
    assert task.expert is not None and task.expert.patch == SWE_PERF["patch"]
    assert task.problem_statement == "fit is slow on big inputs."
    assert task.metadata["duration_changes"][0]["sklearn/tests/test_x.py::test_fast"]["head"] == 0.9
    assert task.metadata["head_commit"] == "b" * 40


def test_swe_perf_lists_may_be_real_lists(tmp_path: Path) -> None:
    record = {**SWE_PERF, "efficiency_test": ["t.py::a"], "duration_changes": []}
    path = tmp_path / "instances.json"
    path.write_text(json.dumps([record]))
    (task,) = load_tasks(path)
    assert task.workloads[0].bench == "t.py::a"


def test_gso_instance_keeps_scripts_inline_and_system_setup_out(tmp_path: Path) -> None:
    path = tmp_path / "gso.json"
    path.write_text(json.dumps(GSO))
    (task,) = load_tasks(path)
    assert task.origin == "gso"
    assert [f.path for f in task.files] == [
        "perfsmith_task/gso_test_0.py",
        "perfsmith_task/gso_test_1.py",
    ]
    assert [w.name for w in task.workloads] == ["gso_test_0", "gso_test_1"]
    assert (
        task.setup == GSO["install_commands"]
    )  # apt-get lines stay in metadata, never run on the host
    assert task.metadata["setup_commands"] == GSO["setup_commands"]
    assert task.expert is not None and task.expert.patch == GSO["gt_diff"]
    assert task.problem_statement == GSO["prob_script"]


def test_gso_without_a_diff_names_the_optimizing_commit(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "gso.jsonl", [{**GSO, "gt_diff": ""}])
    (task,) = load_tasks(path)
    assert task.expert is not None and task.expert.commit == "d" * 40


def test_swe_fficiency_instance(tmp_path: Path) -> None:
    (task,) = load_tasks(write_jsonl(tmp_path / "sweff.jsonl", [SWE_FFICIENCY]))
    assert task.origin == "swe-fficiency"
    assert task.files[0].content == SWE_FFICIENCY["workload"]
    assert task.workloads[0].bench == "python perfsmith_task/workload.py"
    assert task.tests == ["python -m pytest -q -p no:cacheprovider pandas/tests/test_x.py::test_a"]
    assert task.metadata["published_speedup"] == 2.5


def test_mixed_formats_in_one_file(tmp_path: Path) -> None:
    tasks = load_tasks(write_jsonl(tmp_path / "mixed.jsonl", [SWE_PERF, GSO, SWE_FFICIENCY]))
    assert [t.origin for t in tasks] == ["swe-perf", "gso", "swe-fficiency"]


def test_native_toml_task_folder(tmp_path: Path) -> None:
    folder = tmp_path / "t1"
    folder.mkdir()
    (folder / "task.toml").write_text(
        'id = "t1"\npackage_dir = "pkg"\ntests = ["python -m pytest -q"]\nscripts = ["bench.py"]\n'
        '[source]\nkind = "sdist"\nrequirement = "pkg==1.0"\n[expert]\nsdist = "pkg==1.1"\n'
        '[[workloads]]\nbench = "python perfsmith_task/bench.py"\n'
    )
    (task,) = load_tasks(tmp_path)  # a suite folder: one task folder inside
    assert task.source == SdistSource(requirement="pkg==1.0")
    assert task.resolve("bench.py") == folder / "bench.py"
    assert task.workloads[0].name == "main"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'id = "x"\n[source]\nkind = "sdist"\nrequirement = "pkg>=1"\n[[workloads]]\nbench = "b"\n',
            "name==version",
        ),
        ('id = "x"\n[source]\nkind = "path"\npath = "."\n', "workloads"),
        (
            'id = "x"\n[source]\nkind = "path"\npath = "."\n[expert]\npatch = "p"\ncommit = "c"\n'
            '[[workloads]]\nbench = "b"\n',
            "exactly one",
        ),
        (
            'id = "x"\nsurprise = 1\n[source]\nkind = "path"\npath = "."\n[[workloads]]\nbench = "b"\n',
            "surprise",
        ),
        ("id = [", "invalid TOML"),
    ],
)
def test_bad_native_tasks_say_why(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "task.toml"
    path.write_text(text)
    with pytest.raises(FormatError, match=message):
        load_tasks(path)


def test_bad_published_record_names_its_number(tmp_path: Path) -> None:
    broken = {k: v for k, v in SWE_PERF.items() if k != "base_commit"}
    with pytest.raises(FormatError, match="record 2: base_commit"):
        load_tasks(write_jsonl(tmp_path / "x.jsonl", [SWE_PERF, broken]))


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="two tasks"):
        load_tasks(write_jsonl(tmp_path / "x.jsonl", [SWE_PERF, SWE_PERF]))


def test_predictions_jsonl_and_json_forms(tmp_path: Path) -> None:
    lines = [
        {"instance_id": "a", "model_name_or_path": "m", "model_patch": "diff --git a/x b/x\n"},
        {"instance_id": "b", "model_name_or_path": "m", "model_patch": None},
    ]
    by_id = load_predictions(write_jsonl(tmp_path / "p.jsonl", lines))
    assert by_id["a"].model_patch == "diff --git a/x b/x\n" and by_id["b"].model_patch is None
    keyed = tmp_path / "p.json"
    keyed.write_text(json.dumps({"a": {"model_name_or_path": "m", "model_patch": "p"}}))
    assert load_predictions(keyed)["a"].model_patch == "p"
    (tmp_path / "bad.jsonl").write_text('{"instance_id": "a"}\nnot json\n')
    with pytest.raises(FormatError, match=r"bad\.jsonl:2"):
        load_predictions(tmp_path / "bad.jsonl")


def test_the_shipped_suite_loads_with_its_scripts() -> None:
    tasks = load_tasks(SUITE)
    assert len(tasks) >= 9
    for task in tasks:
        assert isinstance(task, TaskSpec) and task.expert is not None, task.id
        assert task.tests and task.workloads, task.id
        for script in task.scripts:
            assert task.resolve(script).is_file(), f"{task.id}: {script}"
        if isinstance(task.source, SdistSource):
            assert task.package_dir and task.expert.sdist, task.id
