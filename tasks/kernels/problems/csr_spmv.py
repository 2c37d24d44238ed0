"""CSR sparse matrix times dense vector, y = A x, with skewed row lengths and empty rows."""

from __future__ import annotations

import warnings

import torch
from torch import nn

from tasks.kernels.rand import Rand

CATEGORY = "sparse"
# CPU torch has no half-precision CSR matvec, so the reference itself is fp32-only here.
DTYPES = ("float32",)
FORBIDDEN = (
    "sparse_csr_tensor", "sparse_coo_tensor", "sparse_compressed_tensor", "to_sparse",
    "to_sparse_csr", "to_sparse_coo", "to_dense", "matmul", "mm", "mv", "addmv", "spmm",
    "sampled_addmm", "smm", "hspmm", "einsum", "bmm", "addmm",
)  # fmt: skip
TOLERANCE = {"float32": (1e-5, 1e-4)}
SHAPES = {
    "cpu": [
        {"rows": 1, "cols": 1, "avg_nnz": 1},
        {"rows": 37, "cols": 50, "avg_nnz": 5},
        {"rows": 100, "cols": 1000, "avg_nnz": 30},
        {"rows": 5, "cols": 3000, "avg_nnz": 700},
    ],
    "gpu": [
        {"rows": 1_000_000, "cols": 1_000_000, "avg_nnz": 16},
        {"rows": 100_000, "cols": 100_000, "avg_nnz": 200},
        {"rows": 4096, "cols": 65536, "avg_nnz": 4000},
    ],
}


class Model(nn.Module):
    def forward(
        self, crow: torch.Tensor, col: torch.Tensor, values: torch.Tensor, x: torch.Tensor
    ) -> torch.Tensor:
        a = torch.sparse_csr_tensor(crow, col, values, size=(crow.numel() - 1, x.numel()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "sparse CSR support is in beta"
            return (a @ x.unsqueeze(1)).squeeze(1)


def get_shapes(kind: str = "cpu") -> list[dict[str, int]]:
    return SHAPES[kind]


def get_init_inputs(shape: dict[str, int] | None = None) -> list[int]:
    return []


def get_inputs(shape: dict[str, int] | None = None, r: Rand | None = None) -> list[torch.Tensor]:
    shape, r = shape or SHAPES["gpu"][0], r or Rand()
    rows, cols, avg = shape["rows"], shape["cols"], shape["avg_nnz"]
    # Skewed row lengths (exponential), with about 10% of rows empty.
    lengths = (-torch.log1p(-r.unit(rows)) * avg).long().clamp(max=cols)
    lengths[r.unit(rows) < 0.1] = 0
    # Canonical CSR (sorted, duplicate-free columns per row) without a Python loop over rows:
    # unique keys row * cols + col come back sorted by row, then column.
    row_of = torch.repeat_interleave(torch.arange(rows, device=r.device), lengths)
    keys = torch.unique(row_of * cols + r.ints(0, cols, (row_of.numel(),)))
    crow = torch.zeros(rows + 1, dtype=torch.int64, device=r.device)
    crow[1:] = torch.cumsum(torch.bincount(keys // cols, minlength=rows), 0)
    return [crow, keys % cols, r.floats(keys.numel()), r.floats(cols)]
