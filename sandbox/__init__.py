"""Run untrusted candidate code: workspaces and isolation backends. Imports nothing else of ours."""

from sandbox.api import Limits, RunResult, Sandbox, Workload

__all__ = ["Limits", "RunResult", "Sandbox", "Workload"]
