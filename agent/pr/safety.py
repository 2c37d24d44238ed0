"""CI checks made before anything runs: perfsmith executes the repository's code (tests and
workload), so it must never do so with secrets on code from a fork.

- `pull_request_target` (and a `workflow_run` started by a fork) run with the base repository's
  secrets and a writable token: running the PR's code there hands both to its author. Refused.
- `pull_request` from a fork gets no secrets and a read-only token: perfsmith runs offline (rules
  proposer, no model key) and writes its result to the job summary instead of posting.
- A head commit that carries the `[perfsmith]` marker is the bot's own: skipped, no loop.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.pr import PrError
from agent.pr.gitops import COMMIT_MARKER

UNSAFE_EVENTS = ("pull_request_target",)


@dataclass(frozen=True)
class CiContext:
    event: str  # "" outside GitHub Actions
    fork: bool  # the code under test comes from another repository
    pr_number: int | None

    @property
    def may_use_secrets(self) -> bool:
        return not self.fork


def ci_context(env: Mapping[str, str]) -> CiContext:
    event_name = env.get("GITHUB_EVENT_NAME", "")
    payload = _payload(env.get("GITHUB_EVENT_PATH", ""))
    base = env.get("GITHUB_REPOSITORY", "")
    pull = payload.get("pull_request") or {}
    number = pull.get("number")
    if pull:
        head_repo = ((pull.get("head") or {}).get("repo") or {}).get("full_name")
        base_repo = ((pull.get("base") or {}).get("repo") or {}).get("full_name") or base
        fork = head_repo != base_repo  # a deleted fork has no head repo: still a fork
    elif event_name == "workflow_run":
        run = payload.get("workflow_run") or {}
        head_repo = (run.get("head_repository") or {}).get("full_name")
        fork = head_repo is not None and head_repo != base
    else:
        fork = False
    return CiContext(event_name, fork, int(number) if number else None)


def refuse_unsafe(ctx: CiContext) -> None:
    if ctx.event in UNSAFE_EVENTS:
        raise PrError(f"refusing to run under '{ctx.event}': it would run the PR's code with this "
                      "repository's secrets; trigger perfsmith on 'pull_request' instead")  # fmt: skip
    if ctx.event == "workflow_run" and ctx.fork:
        raise PrError(
            "refusing to run a fork's code from 'workflow_run' (it has this repository's secrets)"
        )


def is_own_commit(message: str) -> bool:
    return COMMIT_MARKER in message


def _payload(path: str) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
