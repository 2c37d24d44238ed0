"""The native task schema: what perfsmith needs to set up, solve and judge one task.

Every published format (SWE-Perf, GSO, SWE-fficiency) converts into a `TaskSpec`; the suite
runner (evaluation/suite/) only ever sees this one shape. A task file is TOML or JSON:

    id = "idna-contextj"
    package_dir = "idna"            # the package's sources: the scope of an sdist expert diff
    tests = ["python -m pytest -q perfsmith_task"]
    scripts = ["bench.py", "test_idna.py"]   # copied into perfsmith_task/ in the repository
    [source]                        # kind = "git" (url, commit) | "path" (path) | "sdist"
    kind = "sdist"
    requirement = "idna==3.6"
    [expert]                        # optional: patch | patch_file | sdist | commit
    sdist = "idna==3.7"
    [[workloads]]
    name = "encode"
    bench = "python perfsmith_task/bench.py"

Commands run from the repository root with `python` meaning the task's interpreter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TASK_FILES_DIR = "perfsmith_task"  # where a task's own scripts land inside the repository
Origin = Literal["native", "swe-perf", "gso", "swe-fficiency"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GitSource(_Frozen):
    kind: Literal["git"] = "git"
    url: str  # anything `git clone` takes: https://…, file://…, a local path
    commit: str


class PathSource(_Frozen):
    kind: Literal["path"] = "path"
    path: str  # relative to the task file's folder, or absolute


class SdistSource(_Frozen):
    kind: Literal["sdist"] = "sdist"
    requirement: str  # "name==version" on PyPI

    @field_validator("requirement")
    @classmethod
    def _pinned(cls, value: str) -> str:
        name, sep, version = value.partition("==")
        if not (sep and name.strip() and version.strip()):
            raise ValueError(f"an sdist source is 'name==version', not {value!r}")
        return value.strip()


Source = Annotated[GitSource | PathSource | SdistSource, Field(discriminator="kind")]


class ExpertSpec(_Frozen):
    """The reference fix; exactly one way of naming it."""

    patch: str | None = None  # unified diff text
    patch_file: str | None = None  # relative to the task file's folder
    sdist: str | None = None  # the fixed release: diffed against the base sdist's package_dir
    commit: str | None = None  # git sources: the fixed commit, diffed against source.commit

    @model_validator(mode="after")
    def _one(self) -> ExpertSpec:
        given = [v for v in (self.patch, self.patch_file, self.sdist, self.commit) if v]
        if len(given) != 1:
            raise ValueError("expert needs exactly one of patch, patch_file, sdist, commit")
        return self


class WorkloadSpec(_Frozen):
    name: str = "main"
    bench: str  # perfsmith's workload text: a command, pytest node ids or module:function
    timeout: float = Field(default=300.0, gt=0)


class TaskFile(_Frozen):
    """A file written into the repository at set-up (converted formats carry scripts inline)."""

    path: str  # inside the repository
    content: str


class TaskSpec(_Frozen):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")  # also a file name
    origin: Origin = "native"
    description: str = ""
    changelog: str = ""  # what the fix's release notes say, for the report
    problem_statement: str = ""  # what a solver is told
    source: Source
    package_dir: str = ""  # sources of the package (sdist expert diffs are limited to it)
    python_path: list[str] = []  # repository folders put on PYTHONPATH (e.g. "src")
    requirements: list[str] = []  # pip requirements; none: the current interpreter is used
    setup: list[str] = []  # shell commands run once in the repository after checkout
    tests: list[str] = []  # correctness: every command must exit 0, before and after
    workloads: list[WorkloadSpec] = Field(min_length=1)
    scripts: list[str] = []  # files of the task folder copied into perfsmith_task/
    files: list[TaskFile] = []
    expert: ExpertSpec | None = None
    timeout: float = Field(default=900.0, gt=0)  # any one set-up or test command
    metadata: dict[str, Any] = {}  # fields of the published format we do not use
    folder: Path | None = Field(default=None, exclude=True)  # where relative paths resolve

    def resolve(self, relative: str) -> Path:
        """A path of the task file (expert.patch_file, a path source) as an absolute path."""
        path = Path(relative)
        if path.is_absolute():
            return path
        if self.folder is None:
            raise ValueError(f"task {self.id}: {relative!r} is relative but the task has no folder")
        return (self.folder / path).resolve()
