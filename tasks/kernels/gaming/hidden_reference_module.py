"""Trick: call the reference op through an innocently named submodule, invisible to a grep for
"softmax" at the call site."""

import torch
from torch import nn


class ModelNew(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.act = nn.Softmax(dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(x)
