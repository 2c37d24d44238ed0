"""The bot's memory, kept in the bodies of the pull requests and reviews it writes.

Each body ends with a hidden HTML comment, `<!-- perfsmith-state {json} -->`, naming the run,
the target functions, the hashes of their source before the edit, and the patch's hash. The
bot reads the markers back from its own PRs (label `perfsmith`, open and closed) before it
proposes anything. Why here and not in a state file on a branch: the record lives and dies with
the proposal it describes, needs no extra write permission, no second branch to keep in sync and
no race between two runs pushing the same file; one paginated API call reads it all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

MARKER = "perfsmith-state"
_FIND = re.compile(r"<!--\s*" + MARKER + r"\s+(\{.*?\})\s*-->", re.DOTALL)


class ProposalState(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: int = 1
    run_id: str
    targets: list[str]  # hotspot keys, "path/to/file.py::Class.method"
    code: list[str]  # content hashes of those functions' source before the edit
    patch: str  # content hash of the patch


@dataclass(frozen=True)
class PastProposal:
    """A PR (or review) the bot wrote earlier, as read back from GitHub."""

    number: int
    open: bool
    state: ProposalState


def embed(state: ProposalState) -> str:
    # ">" is escaped so no JSON string can close the HTML comment early.
    text = state.model_dump_json().replace(">", "\\u003e")
    return f"<!-- {MARKER} {text} -->"


def read(body: str | None) -> ProposalState | None:
    """The marker in a body, or None when there is none or it is not ours (edited, truncated)."""
    match = _FIND.search(body or "")
    if not match:
        return None
    try:
        return ProposalState.model_validate(json.loads(match[1]))
    except (ValueError, ValidationError):
        return None
