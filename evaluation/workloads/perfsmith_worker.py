"""perfsmith's callable worker: time one function in this fresh process, the way pyperf does.

Standalone: it runs inside the user's environment, so it imports only the standard library
and the target, which it finds from the working directory (the workspace).

    python perfsmith_worker.py TARGET SETUP LOOPS MIN_SECONDS

TARGET and SETUP are `package.module:attr` (attr may be dotted, `Class.method`); SETUP may be
"" for none. The setup runs once, outside the timed region; its return value, unless None, is
the function's single argument. Then one warm-up call, then LOOPS calls timed together with
time.perf_counter. LOOPS 0 calibrates first: the loop count doubles from 1 until one timed
run lasts at least MIN_SECONDS, and that run is the sample. The last line of stdout is

    perfsmith-worker: {"seconds_per_call": ..., "loops": ..., "result_digest": ...}

result_digest is the sha256 of repr() of the last return value, or null when that repr holds
a memory address (`<Foo object at 0x7f...>`): such a repr differs from run to run, so it says
nothing about whether the result changed.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import json
import os
import re
import sys
import time
from collections.abc import Callable
from typing import Any

MARKER = "perfsmith-worker: "
MAX_LOOPS = 2**32
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def load(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    obj: Any = importlib.import_module(module)
    for name in attr.split("."):
        obj = getattr(obj, name)
    return obj


def time_loops(func: Callable[..., Any], args: tuple[Any, ...], loops: int) -> tuple[float, Any]:
    """Seconds for `loops` calls, and the last result. The argument is bound outside the loop
    so that both branches cost the same per call as a direct call would."""
    result = None
    repeat = itertools.repeat(None, loops)
    if args:
        (arg,) = args
        started = time.perf_counter()
        for _ in repeat:
            result = func(arg)
    else:
        started = time.perf_counter()
        for _ in repeat:
            result = func()
    return time.perf_counter() - started, result


def calibrate(
    func: Callable[..., Any], args: tuple[Any, ...], min_seconds: float
) -> tuple[int, float, Any]:
    loops = 1
    while True:
        seconds, result = time_loops(func, args, loops)
        if seconds >= min_seconds or loops >= MAX_LOOPS:
            return loops, seconds, result
        loops *= 2


def result_digest(result: Any) -> str | None:
    try:
        text = repr(result)
    except Exception as exc:  # a broken __repr__ is the workload's own business
        text = f"<repr failed: {type(exc).__name__}>"
    if ADDRESS.search(text):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def main(argv: list[str]) -> int:
    target, setup, loops, min_seconds = argv[1], argv[2], int(argv[3]), float(argv[4])
    sys.path[0] = os.getcwd()  # the workspace, instead of this script's own folder
    func = load(target)
    args: tuple[Any, ...] = ()
    if setup:
        value = load(setup)()
        if value is not None:
            args = (value,)
    time_loops(func, args, 1)  # warm-up: first-call caches, lazy imports
    if loops > 0:
        seconds, result = time_loops(func, args, loops)
    else:
        loops, seconds, result = calibrate(func, args, min_seconds)
    sys.stdout.flush()
    doc = {
        "seconds_per_call": seconds / loops,
        "loops": loops,
        "result_digest": result_digest(result),
    }
    print("\n" + MARKER + json.dumps(doc), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
