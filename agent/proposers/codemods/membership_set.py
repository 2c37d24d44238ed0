"""membership-set: `x in NAME` on a list/tuple inside a loop -> a set built once before it.

`x in some_list` scans the list on every test; a set built once before the loop answers in
constant time. Fires for NAME when all of these hold:
- NAME is bound once in the function, as a parameter or local annotated list[T]/tuple[T, ...]
  with T hashable (str, int, ...), or a local list/tuple display of hashable constants;
- that binding runs before the loop (an earlier statement of an enclosing block);
- inside the loop NAME is only read: `in` tests, iteration, indexing, len(NAME) — never
  reassigned, item-assigned, passed to other calls, called methods on, or used in a lambda;
- a local display never escapes anywhere in the function (so no alias can change it);
- `set` is not rebound in the module.
Limits that cannot be checked statically: a list parameter could be changed during the loop
through another reference the caller holds, and a probe of an unhashable type (never equal
to the hashable items) raises TypeError with a set; the verifier's tests guard both.
A statement holding a comprehension counts as a loop too (`[y for y in ys if y in NAME]`).
"""

from __future__ import annotations

import libcst as cst

from agent.proposers.codemods.analysis import (
    COMPREHENSIONS,
    LOOPS,
    descendants,
    has_ancestor,
    in_nested_scope,
    is_inside,
    is_store,
    membership_tests,
    read_only_use,
    runs_before,
    shadowed,
    simple_assign,
    single_binding,
    variable_names,
)
from agent.proposers.codemods.base import FunctionContext, Plan, renamed
from agent.proposers.codemods.values import container_of


class MembershipSet:
    name = "membership-set"
    rationale = (
        "A membership test on a list or tuple compares against every item; a set built once "
        "before the loop answers each test with one hash lookup. The list is never changed "
        "inside the loop, so the set stays equal to it."
    )

    def plan(self, ctx: FunctionContext) -> Plan | None:
        if shadowed(ctx, "set"):
            return None
        plan = Plan(summary="")
        namer = ctx.namer()
        done: list[tuple[cst.CSTNode, str]] = []
        for region in _regions(ctx):
            for name, tests in sorted(membership_tests(ctx, region).items()):
                if any(n == name and is_inside(ctx, region, r) for r, n in done):
                    continue  # already hoisted before an enclosing loop
                if not _in_loop(ctx, region, tests) or not _safe(ctx, region, name):
                    continue
                set_name = namer.fresh(f"{name}_set")
                plan.insert_before(region, simple_assign(set_name, f"set({name})"))
                for test in tests:
                    plan.rewrites[test] = renamed(set_name)
                done.append((region, name))
        if not done:
            return None
        names = ", ".join(sorted({name for _, name in done}))
        plan.summary = f"test membership in set({names}) built once before the loop"
        return plan


def _regions(ctx: FunctionContext) -> list[cst.CSTNode]:
    """Loops, and simple statements that hold a comprehension, outer ones first."""
    return [
        node
        for node in descendants(ctx, ctx.function.body)
        if (
            isinstance(node, LOOPS)
            or (
                isinstance(node, cst.SimpleStatementLine)
                and any(isinstance(n, COMPREHENSIONS) for n in descendants(ctx, node))
            )
        )
        and not in_nested_scope(ctx, node)
    ]


def _in_loop(ctx: FunctionContext, region: cst.CSTNode, tests: list[cst.Name]) -> bool:
    """In a simple statement only tests inside a comprehension repeat; hoisting for a
    single test would cost more than it saves."""
    return isinstance(region, LOOPS) or all(has_ancestor(ctx, t, COMPREHENSIONS) for t in tests)


def _safe(ctx: FunctionContext, region: cst.CSTNode, name: str) -> bool:
    binding = single_binding(ctx, name)
    if binding is None or not runs_before(ctx, binding, region):
        return False
    container = container_of(ctx, binding)
    if container is None or container.kind not in ("list", "tuple") or not container.hashable_items:
        return False
    local_display = binding.annotation is None and binding.statement is not None
    scope = ctx.function.body if local_display else region
    for use in variable_names(scope, ctx, name):
        if is_store(ctx, use):
            continue  # the single binding itself
        if in_nested_scope(ctx, use) or read_only_use(ctx, use) is None:
            return False
    return True
