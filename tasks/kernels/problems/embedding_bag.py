"""EmbeddingBag (sum mode): gather rows of a table by index and sum them per bag, given offsets."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tasks.kernels.rand import Rand

CATEGORY = "sparse"
DTYPES = ("float32", "float16")
FORBIDDEN = ("embedding_bag", "_embedding_bag", "_embedding_bag_forward_only")
# The only float tensor is the table, a parameter: redraw it per trial so the fills still vary.
FILL_PARAMS = True
TOLERANCE = {"float32": (1e-5, 1e-4), "float16": (2e-3, 5e-3)}
SHAPES = {
    "cpu": [
        {"num_embeddings": 1, "dim": 1, "bags": 1, "avg_bag": 1},
        {"num_embeddings": 100, "dim": 33, "bags": 20, "avg_bag": 4},
        {"num_embeddings": 1000, "dim": 64, "bags": 7, "avg_bag": 50},
        {"num_embeddings": 50, "dim": 300, "bags": 64, "avg_bag": 2},
    ],
    "gpu": [
        {"num_embeddings": 1_000_000, "dim": 128, "bags": 65536, "avg_bag": 32},
        {"num_embeddings": 100_000, "dim": 512, "bags": 8192, "avg_bag": 100},
        {"num_embeddings": 50_000, "dim": 64, "bags": 262144, "avg_bag": 4},
    ],
}


class Model(nn.Module):
    def __init__(self, num_embeddings: int, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(num_embeddings, dim))

    def forward(self, indices: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        return F.embedding_bag(indices, self.weight, offsets, mode="sum")


def get_shapes(kind: str = "cpu") -> list[dict[str, int]]:
    return SHAPES[kind]


def get_init_inputs(shape: dict[str, int] | None = None) -> list[int]:
    shape = shape or SHAPES["gpu"][0]
    return [shape["num_embeddings"], shape["dim"]]


def get_inputs(shape: dict[str, int] | None = None, r: Rand | None = None) -> list[torch.Tensor]:
    shape, r = shape or SHAPES["gpu"][0], r or Rand()
    bags = shape["bags"]
    # Bag sizes vary (Poisson-like around avg_bag), with some empty bags at the start and the end.
    sizes = (-torch.log1p(-r.unit(bags)) * shape["avg_bag"]).long()
    sizes[r.unit(bags) < 0.1] = 0
    offsets = torch.zeros(bags, dtype=torch.int64, device=r.device)
    offsets[1:] = torch.cumsum(sizes, 0)[:-1]
    indices = r.ints(0, shape["num_embeddings"], (int(sizes.sum()),))
    return [indices, offsets]
