"""Known ways to game a kernel benchmark: one candidate file per trick, and what must catch it.

The checker's tests run every trick and assert the expected verdict and reason, so a change that
lets one through fails loudly. Add new tricks here as they are discovered in the wild.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Trick:
    name: str  # file stem in this folder
    problem: str
    verdict: Literal["rejected", "failed"]  # rejected: static checks; failed: at run time
    reason: str  # a substring of one of the reasons the checker must give

    @property
    def path(self) -> Path:
        return HERE / f"{self.name}.py"


TRICKS = (
    Trick("uninitialized_output", "row_softmax", "failed", "NaN/inf where the reference is finite"),
    Trick("mutates_input", "row_softmax", "failed", "input 0 was modified"),
    Trick("in_place_alias", "row_softmax", "failed", "aliases an input"),
    Trick("cached_output", "row_softmax", "failed", "same output buffer"),
    Trick(
        "silent_downcast", "row_softmax", "failed", "dtype torch.float16 != reference torch.float32"
    ),
    Trick("hidden_reference_module", "row_softmax", "failed", "called the reference op"),
    Trick("fallback_except", "row_softmax", "rejected", "try-except"),
    Trick("subclass_pass", "layer_norm", "rejected", "subclasses-reference"),
    Trick("side_stream", "bias_gelu", "rejected", "side-stream"),
    Trick("patched_timer", "bias_gelu", "rejected", "monkeypatch"),
    Trick("thread_offload", "bias_gelu", "rejected", "threads"),
    Trick("introspect_reference", "row_softmax", "rejected", "introspection"),
    Trick("half_precision_spmv", "csr_spmv", "rejected", "dtype-downgrade"),
)
