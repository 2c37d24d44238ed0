"""A chat model writes a kernel candidate (`ModelNew`) for one KernelBench-style problem.

This is perfsmith's solver for `perfsmith bench kernels`: the model sees the problem's reference
module and the rules the checker enforces, answers with one complete Python module, and, when
the checker rejects that draft, gets the checker's reasons for one more try. The final verdict
is the suite's own check (fresh seeds) and, on a GPU, its timing; nothing here is trusted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from agent.models import first_line
from evaluation.kernels.records import CheckReport
from tasks.kernels import ProblemSpec

Check = Callable[[ProblemSpec, Path], CheckReport]

SYSTEM = """You write fast GPU kernels for PyTorch models. Given a reference module that \
defines `Model`, `get_inputs()` and `get_init_inputs()`, write a module defining `ModelNew` \
with the same constructor and forward signature that computes the same result faster, with a \
Triton kernel (`@triton.jit`) or CUDA C++ through `torch.utils.cpp_extension.load_inline`.
The checker rejects, statically or by running it:
- a try/except anywhere (no fallback to PyTorch when the kernel fails);
- calling the reference's own ops: {forbidden};
- subclassing or calling `Model`, torch.compile, torch.jit, torch._C, torch.ops, side streams, \
threads, patched timers;
- outputs that alias an input, are not dense, or have another dtype or shape; changed inputs;
- hard-coded 'cuda': allocate on the inputs' device (torch.empty_like(x)).
Without a GPU the Triton path is checked on CPU tensors under TRITON_INTERPRET=1: fp32/fp16 \
only, masked loads and stores for sizes that are not a multiple of the block.
Reply with the complete module in one ```python code block, nothing after it."""

FENCE = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)```", re.DOTALL)


class DraftError(Exception):
    """The reply holds no usable module; the message says why, in one line."""


def extract_module(reply: str) -> str:
    """The last fenced code block that defines ModelNew."""
    blocks = [b for b in FENCE.findall(reply) if "class ModelNew" in b]
    if not blocks:
        raise DraftError("the reply has no ```python block defining class ModelNew")
    return blocks[-1].strip() + "\n"


@dataclass
class KernelDraft:
    problem: str
    path: Path | None  # the candidate written; None when no turn produced a module
    turns: int
    notes: list[str] = field(default_factory=list)


@dataclass
class KernelWriter:
    chat: BaseChatModel
    check: Check | None = None  # when given, a rejected draft gets one repair turn
    repair_turns: int = 1

    def write(self, spec: ProblemSpec, dest: Path) -> KernelDraft:
        messages: list[BaseMessage] = [
            SystemMessage(SYSTEM.format(forbidden=", ".join(spec.forbidden) or "none")),
            HumanMessage(
                f"Problem {spec.name} ({spec.category}). Reference module:\n\n"
                f"```python\n{spec.path.read_text()}```"
            ),
        ]
        draft = KernelDraft(spec.name, None, 0)
        for turn in range(1 + self.repair_turns):
            draft.turns = turn + 1
            try:
                reply = self._ask(messages)
            except Exception as exc:  # the provider's errors, after its client's own retries
                draft.notes.append(
                    f"turn {turn + 1}: the model call failed: {type(exc).__name__}: {first_line(exc)}"
                )
                break
            messages.append(AIMessage(reply))
            try:
                module = extract_module(reply)
            except DraftError as exc:
                draft.notes.append(f"turn {turn + 1}: {exc}")
                messages.append(HumanMessage(f"{exc}. Reply with the complete module."))
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(module)
            draft.path = dest
            if self.check is None:
                break
            report = self.check(spec, dest)
            if report.status == "passed":
                draft.notes.append(f"turn {turn + 1}: the checker passed the draft")
                break
            if report.status == "compile-only":
                # the suite counts an unrun CUDA module as failed: ask for one that can run here
                reasons = (
                    "the CUDA C++ compiled, but there is no GPU here to run it, so its "
                    "correctness cannot be checked; write the kernel in Triton instead, which "
                    "is checked on CPU tensors under TRITON_INTERPRET=1"
                )
            else:
                reasons = "; ".join(report.reasons[:3]) or report.status
            draft.notes.append(f"turn {turn + 1}: rejected: {reasons}")
            messages.append(
                HumanMessage(
                    f"The checker rejected this module: {reasons}. "
                    "Fix it and reply with the complete module."
                )
            )
        return draft

    def _ask(self, messages: list[BaseMessage]) -> str:
        # .text joins the text of a reply made of content blocks (str() would give their repr)
        return str(self.chat.invoke(messages).text)
