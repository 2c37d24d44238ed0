"""SWE-Perf, GSO and SWE-fficiency instances, in their published field names, converted to
TaskSpec. Lists that the Hugging Face exports store as JSON strings are accepted either way.

What each benchmark times becomes a workload; what it checks becomes the tests:
- SWE-Perf: `efficiency_test` node ids, timed per test (call phase), which must also pass.
- GSO: each `tests` script is a workload (timed as a process; GSO reads its printed times);
  `install_commands` are the set-up. `setup_commands` install system packages inside GSO's
  image and are kept in metadata, never run on the host.
- SWE-fficiency: the `workload` script; the `covering_tests` (else PASS_TO_PASS) as tests.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from tasks.formats.native import (
    TASK_FILES_DIR,
    ExpertSpec,
    GitSource,
    TaskFile,
    TaskSpec,
    WorkloadSpec,
)

PYTEST = "python -m pytest -q -p no:cacheprovider"


class _Instance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    repo: str
    instance_id: str
    base_commit: str

    @field_validator("*", mode="before")
    @classmethod
    def _lists_from_json(cls, value: Any, info: Any) -> Any:
        field = cls.model_fields.get(info.field_name)
        wants_list = field is not None and "list" in str(field.annotation)
        if wants_list and isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else []
            except json.JSONDecodeError:
                return value  # a plain string: the field's own type decides
        return value

    def extras(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def to_task(self) -> TaskSpec:
        raise NotImplementedError


def github_url(repo: str) -> str:
    """`owner/name` as published; a URL or path is kept (mirrors, tests)."""
    if "://" in repo or repo.startswith(("/", ".", "git@")):
        return repo
    return f"https://github.com/{repo}.git"


class SwePerfInstance(_Instance):
    patch: str
    test_patch: str = ""
    head_commit: str = ""
    created_at: str = ""
    version: str = ""
    efficiency_test: list[str]
    duration_changes: list[dict[str, Any]] | dict[str, Any] | str = []
    patch_functions: list[str] | str = []
    test_functions: list[str] | str = []
    problem_statement_oracle: str = ""
    problem_statement_realistic: str = ""
    human_performance: float | None = None

    def to_task(self) -> TaskSpec:
        nodes = list(self.efficiency_test)
        return TaskSpec(
            id=self.instance_id,
            origin="swe-perf",
            description=f"SWE-Perf {self.repo} {self.version}".strip(),
            problem_statement=self.problem_statement_realistic or self.problem_statement_oracle,
            source=GitSource(url=github_url(self.repo), commit=self.base_commit),
            tests=[f"{PYTEST} {shlex.join(nodes)}"],
            workloads=[WorkloadSpec(name="efficiency_test", bench=shlex.join(nodes))],
            expert=ExpertSpec(patch=self.patch),
            metadata={
                "repo": self.repo,
                "head_commit": self.head_commit,
                "version": self.version,
                "created_at": self.created_at,
                "test_patch": self.test_patch,
                "duration_changes": self.duration_changes,
                "human_performance": self.human_performance,
                **self.extras(),
            },
        )


class GsoInstance(_Instance):
    opt_commit: str
    api: str = ""
    prob_script: str = ""
    tests: list[str]
    hints_text: str = ""
    setup_commands: list[str] = []
    install_commands: list[str] = []
    created_at: str = ""
    gt_commit_message: str = ""
    gt_diff: str = ""

    def to_task(self) -> TaskSpec:
        files = [
            TaskFile(path=f"{TASK_FILES_DIR}/gso_test_{i}.py", content=script)
            for i, script in enumerate(self.tests)
        ]
        workloads = [
            WorkloadSpec(
                name=f"gso_test_{i}",
                bench=f"python {file.path} {TASK_FILES_DIR}/gso_result_{i}.txt "
                f"--file_prefix {TASK_FILES_DIR}/gso_{i}",
            )
            for i, file in enumerate(files)
        ]
        expert = (
            ExpertSpec(patch=self.gt_diff) if self.gt_diff else ExpertSpec(commit=self.opt_commit)
        )
        return TaskSpec(
            id=self.instance_id,
            origin="gso",
            description=f"GSO {self.repo}: {self.api}".strip(),
            problem_statement=self.prob_script,
            source=GitSource(url=github_url(self.repo), commit=self.base_commit),
            setup=list(self.install_commands),
            workloads=workloads,
            files=files,
            expert=expert,
            metadata={
                "repo": self.repo,
                "opt_commit": self.opt_commit,
                "api": self.api,
                "hints_text": self.hints_text,
                "setup_commands": self.setup_commands,
                "gt_commit_message": self.gt_commit_message,
                "created_at": self.created_at,
                **self.extras(),
            },
        )


class SweFficiencyInstance(_Instance):
    patch: str
    test_patch: str = ""
    workload: str
    covering_tests: list[str] = []
    PASS_TO_PASS: list[str] = []
    FAIL_TO_PASS: list[str] = []
    speedup: float | None = None  # the expert's speedup as published
    problem_statement: str = ""
    version: str = ""

    def to_task(self) -> TaskSpec:
        script = TaskFile(path=f"{TASK_FILES_DIR}/workload.py", content=self.workload)
        guards = list(self.covering_tests) or list(self.PASS_TO_PASS)
        return TaskSpec(
            id=self.instance_id,
            origin="swe-fficiency",
            description=f"SWE-fficiency {self.repo} {self.version}".strip(),
            problem_statement=self.problem_statement,
            source=GitSource(url=github_url(self.repo), commit=self.base_commit),
            tests=[f"{PYTEST} {shlex.join(guards)}"] if guards else [],
            workloads=[WorkloadSpec(name="workload", bench=f"python {script.path}")],
            files=[script],
            expert=ExpertSpec(patch=self.patch),
            metadata={
                "repo": self.repo,
                "published_speedup": self.speedup,
                "PASS_TO_PASS": self.PASS_TO_PASS,
                "FAIL_TO_PASS": self.FAIL_TO_PASS,
                "test_patch": self.test_patch,
                "version": self.version,
                **self.extras(),
            },
        )


def detect(record: dict[str, Any]) -> type[_Instance] | None:
    """Which published format a record is in, by the fields only that format has."""
    if "efficiency_test" in record or "duration_changes" in record:
        return SwePerfInstance
    if "prob_script" in record or "opt_commit" in record:
        return GsoInstance
    if "workload" in record and ("covering_tests" in record or "PASS_TO_PASS" in record):
        return SweFficiencyInstance
    return None
