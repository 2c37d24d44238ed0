"""Calibrated CPU-bound workload for benchmarks/fidelity.py.

`python fidelity_workload.py N` does N identical units of pure-Python integer work, so its
duration is start-up + N x (one unit): fewer units is a speedup of a known size.
"""

from __future__ import annotations

import sys

UNIT_STEPS = 1000  # one unit is ~tens of microseconds: fine enough to hit a 2% target closely


def unit(acc: int) -> int:
    # A linear congruential step: integer arithmetic only, no allocation, no cache to warm,
    # so every unit costs the same and the result depends on every step (nothing is skipped).
    for i in range(UNIT_STEPS):
        acc = (acc * 1103515245 + 12345 + i) & 0xFFFFFFFF
    return acc


def main() -> None:
    units = int(sys.argv[1])
    acc = 1
    for _ in range(units):
        acc = unit(acc)
    print(acc)


if __name__ == "__main__":
    main()
