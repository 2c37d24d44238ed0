"""Task formats: one native schema (TaskSpec) and loaders for the published benchmark formats.
Imports nothing of perfsmith's: the evaluation harness and the CLI build on it."""

from tasks.formats.load import load_tasks, task_from_record
from tasks.formats.native import (
    TASK_FILES_DIR,
    ExpertSpec,
    GitSource,
    PathSource,
    SdistSource,
    TaskFile,
    TaskSpec,
    WorkloadSpec,
)
from tasks.formats.predictions import FormatError, Prediction, load_predictions
from tasks.formats.published import GsoInstance, SweFficiencyInstance, SwePerfInstance

__all__ = [
    "TASK_FILES_DIR",
    "ExpertSpec",
    "FormatError",
    "GitSource",
    "GsoInstance",
    "PathSource",
    "Prediction",
    "SdistSource",
    "SweFficiencyInstance",
    "SwePerfInstance",
    "TaskFile",
    "TaskSpec",
    "WorkloadSpec",
    "load_predictions",
    "load_tasks",
    "task_from_record",
]
