"""Trick: compute the right answer, then scribble on the input (a later reference call, or the
caller, sees corrupted data)."""

import torch
from torch import nn


class ModelNew(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        y = e / e.sum(dim=-1, keepdim=True)
        x.zero_()
        return y
