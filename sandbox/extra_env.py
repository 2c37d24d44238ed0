"""A sandbox that adds fixed environment variables to every command it runs."""

from __future__ import annotations

from pathlib import Path

from sandbox.api import Limits, RunResult, Sandbox


class ExtraEnv:
    """Runs through `inner` with `env` added (a caller's own variables win). Used for one
    candidate's commands, e.g. TRITON_INTERPRET=1 for a kernel on a machine without a GPU.
    `close` does nothing: the inner sandbox belongs to whoever made it."""

    def __init__(self, inner: Sandbox, env: dict[str, str]) -> None:
        self.inner, self.env = inner, dict(env)
        self.name = inner.name

    def run(
        self,
        cmd: str,
        cwd: Path,
        env: dict[str, str] | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        return self.inner.run(cmd, cwd, env={**self.env, **(env or {})}, limits=limits)

    def close(self) -> None:
        pass
