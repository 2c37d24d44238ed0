"""agent/kernel_writer.py with the shipped scripted model: what the model is told, how its
module is extracted and written, and what a failing provider leaves behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from agent.kernel_writer import KernelWriter
from agent.proposers.scripted_model import ScriptedChatModel
from evaluation.kernels.records import CheckReport
from tasks.kernels import ProblemSpec, load_problem

MODULE = "import torch\nfrom torch import nn\n\n\nclass ModelNew(nn.Module):\n    pass\n"


class DownProvider(BaseChatModel):
    """A provider that is down: every call fails as the HTTP client would report it."""

    @property
    def _llm_type(self) -> str:
        return "down"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        raise ConnectionError("Connection refused\nretries exhausted")


class BlockProvider(BaseChatModel):
    """A provider whose replies are lists of content blocks (Anthropic, OpenAI Responses)."""

    @property
    def _llm_type(self) -> str:
        return "blocks"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        blocks: list[str | dict[str, Any]] = [
            {"type": "text", "text": "Here it is:\n"},
            {"type": "text", "text": f"```python\n{MODULE}```"},
        ]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=blocks))])


def test_the_model_sees_the_reference_and_forbidden_ops_and_gets_a_second_turn(
    tmp_path: Path,
) -> None:
    spec = load_problem("row_softmax")
    model = ScriptedChatModel(replies=["I would use Triton.", f"```python\n{MODULE}```"])
    draft = KernelWriter(model).write(spec, tmp_path / "out" / "row_softmax.py")
    assert draft.turns == 2 and draft.path == tmp_path / "out" / "row_softmax.py"
    assert draft.path.read_text() == MODULE
    assert draft.notes == ["turn 1: the reply has no ```python block defining class ModelNew"]
    system, user = model.received[0][:2]
    assert "softmax, log_softmax" in str(system.content)
    assert "class Model(nn.Module)" in str(user.content)
    assert "Reply with the complete module" in str(model.received[1][-1].content)


def test_no_usable_reply_leaves_no_candidate(tmp_path: Path) -> None:
    draft = KernelWriter(ScriptedChatModel(replies=[])).write(
        load_problem("bias_gelu"), tmp_path / "bias_gelu.py"
    )
    assert draft.path is None and draft.turns == 2
    assert not (tmp_path / "bias_gelu.py").exists()


def test_a_provider_error_ends_the_problem_with_one_line(tmp_path: Path) -> None:
    draft = KernelWriter(DownProvider()).write(load_problem("bias_gelu"), tmp_path / "k.py")
    assert draft.path is None and draft.turns == 1
    assert draft.notes == ["turn 1: the model call failed: ConnectionError: Connection refused"]


def test_a_reply_of_content_blocks_gives_the_module(tmp_path: Path) -> None:
    draft = KernelWriter(BlockProvider()).write(load_problem("bias_gelu"), tmp_path / "k.py")
    assert draft.path is not None and draft.path.read_text() == MODULE and draft.turns == 1


def test_cuda_that_only_compiles_gets_a_turn_to_write_triton(tmp_path: Path) -> None:
    def compile_only(spec: ProblemSpec, path: Path) -> CheckReport:
        return CheckReport(spec.name, str(path), "cpu", "compile-only")

    model = ScriptedChatModel(replies=[f"```python\n{MODULE}```"] * 2)
    draft = KernelWriter(model, check=compile_only).write(
        load_problem("bias_gelu"), tmp_path / "k.py"
    )
    assert draft.turns == 2
    assert all("no GPU here to run it" in note for note in draft.notes)
    assert "write the kernel in Triton instead" in str(model.received[1][-1].content)
