"""bound-method: `out.append(x)` in a loop -> `out_append = out.append` once before it.

Each `out.append(x)` looks the method up on the object again; binding it to a local once
before the loop leaves a plain local call per iteration. CPython 3.11+ specialises
`list.append` calls into one instruction, which the bound method would lose (measured
about 20% slower on 3.11), so on those versions `append` of a list is left alone; other
methods are roughly even there, and the speed judge decides.
Fires for `NAME.METHOD(...)` inside a loop when:
- NAME is bound once in the function (never rebound, deleted or declared
  global/nonlocal), by a statement that runs before the loop or as a parameter;
- NAME surely holds a builtin list, set or dict: a display, comprehension or
  list()/set()/dict()/sorted() call (builtins not rebound), or an annotation saying so —
  their methods cannot be reassigned, so the bound method stays the same object;
- METHOD is one of that type's ordinary methods (append, add, get, ...).
Calls inside a nested function or lambda are left as they are.
"""

from __future__ import annotations

import sys
from functools import partial

import libcst as cst

from agent.proposers.codemods.analysis import (
    descendants,
    in_nested_scope,
    is_inside,
    loops,
    runs_before,
    simple_assign,
    single_binding,
)
from agent.proposers.codemods.base import FunctionContext, Plan
from agent.proposers.codemods.values import container_of

_METHODS = {
    "list": frozenset({"append", "extend", "insert", "pop", "remove", "index", "count"}),
    "set": frozenset({"add", "discard", "remove", "update"}),
    "dict": frozenset({"get", "setdefault", "pop", "update"}),
}


# (container kind, method) calls that CPython 3.11+ runs faster unbound.
_SPECIALISED = frozenset({("list", "append")})


class BoundMethod:
    name = "bound-method"
    rationale = (
        "A method call on an object repeats the attribute lookup on every iteration; binding "
        "the method of a container that is never rebound to a local once before the loop "
        "leaves one fast local load per call."
    )

    def __init__(self, skip_specialised: bool = sys.version_info >= (3, 11)) -> None:
        self.skip_specialised = skip_specialised

    def plan(self, ctx: FunctionContext) -> Plan | None:
        plan = Plan(summary="")
        namer = ctx.namer()
        done: list[tuple[cst.CSTNode, str, str]] = []
        for loop in loops(ctx):
            for (receiver, method), calls in sorted(_method_calls(ctx, loop).items()):
                if any(
                    (r, m) == (receiver, method) and is_inside(ctx, loop, outer)
                    for outer, r, m in done
                ):
                    continue  # hoisted before an enclosing loop already
                if not self._safe(ctx, loop, receiver, method):
                    continue
                local = namer.fresh(f"{receiver}_{method}")
                plan.insert_before(loop, simple_assign(local, f"{receiver}.{method}"))
                for call in calls:
                    plan.rewrites[call] = partial(_call_local, local=local)
                done.append((loop, receiver, method))
        if not done:
            return None
        hoisted = ", ".join(sorted({f"{r}.{m}" for _, r, m in done}))
        plan.summary = f"bind {hoisted} to a local before the loop"
        return plan

    def _safe(self, ctx: FunctionContext, loop: cst.CSTNode, receiver: str, method: str) -> bool:
        binding = single_binding(ctx, receiver)
        if binding is None or not runs_before(ctx, binding, loop):
            return False
        container = container_of(ctx, binding)
        if container is None or method not in _METHODS.get(container.kind, frozenset()):
            return False
        return not (self.skip_specialised and (container.kind, method) in _SPECIALISED)


def _method_calls(ctx: FunctionContext, loop: cst.CSTNode) -> dict[tuple[str, str], list[cst.Call]]:
    found: dict[tuple[str, str], list[cst.Call]] = {}
    for node in descendants(ctx, loop):
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and isinstance(node.func.value, cst.Name)
            and not in_nested_scope(ctx, node)
        ):
            key = (node.func.value.value, node.func.attr.value)
            found.setdefault(key, []).append(node)
    return found


def _call_local(node: cst.CSTNode, local: str) -> cst.CSTNode:
    assert isinstance(node, cst.Call)
    return node.with_changes(func=cst.Name(local))
