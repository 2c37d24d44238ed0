"""sorted-min-max: `sorted(X)[0]` -> `min(X)`, `sorted(X)[-1]` -> `max(X)`.

Sorting costs O(n log n) and a new list to read one end; min/max make one O(n) pass.
Which rewrites keep the result, element for element:
- `sorted(X, key=K)[0]` -> `min(X, key=K)`: both give the first smallest item in X's order
  (the sort is stable); with `reverse=True`, `max(X, key=K)` is the first largest, and a
  reverse sort keeps equal items in their original order too.
- `sorted(X)[-1]` -> `max(X)` only without `key=`: the sort gives the *last* of several
  largest items and max the first, which differ only for items that compare equal yet are
  distinguishable (1 and 1.0, or objects ordered by one field); with a key such ties are
  common, so we leave it alone. Unordered values such as NaN may also make them disagree.
- `reverse=` must be the literal True or False.
The one documented difference: an empty X raises ValueError from min/max instead of
IndexError; so we do not rewrite inside a try statement of the function, where a handler
could tell the two apart. `sorted`, `min` and `max` must not be rebound in the module.
"""

from __future__ import annotations

from functools import partial

import libcst as cst

from agent.proposers.codemods.analysis import (
    call_name,
    descendants,
    has_ancestor,
    in_nested_scope,
    is_store,
    shadowed,
)
from agent.proposers.codemods.base import FunctionContext, Plan


class SortedMinMax:
    name = "sorted-min-max"
    rationale = (
        "Sorting a whole collection to read its first or last item costs O(n log n) and a "
        "new list; min()/max() find the same item in one O(n) pass without allocating. "
        "Behaviour difference: empty input raises ValueError instead of IndexError."
    )

    def plan(self, ctx: FunctionContext) -> Plan | None:
        if any(shadowed(ctx, name) for name in ("sorted", "min", "max")):
            return None
        plan = Plan(summary="use min()/max() instead of sorting to read one end")
        for node in descendants(ctx, ctx.function.body):
            if (
                isinstance(node, cst.Subscript)
                and not in_nested_scope(ctx, node)
                and not is_store(ctx, node)
                and not has_ancestor(ctx, node, (cst.Try, cst.TryStar))
            ):
                function = _replacement_function(node)
                if function is not None:
                    plan.rewrites[node] = partial(_rewrite, function=function)
        return plan if plan.rewrites else None


def _replacement_function(node: cst.Subscript) -> str | None:
    """ "min" or "max" if `node` is sorted(...)[0] or [-1] that one of them can replace."""
    call = node.value
    if not isinstance(call, cst.Call) or call_name(call) != "sorted" or len(node.slice) != 1:
        return None
    index = node.slice[0].slice
    if not isinstance(index, cst.Index) or isinstance(node.slice[0].comma, cst.Comma):
        return None  # a slice, or `[0,]`, which indexes with a tuple
    position = _small_int(index.value)
    positional = [a for a in call.args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if (
        position not in (0, -1)
        or len(positional) != 1
        or any(a.star for a in call.args)
        or not set(keywords) <= {"key", "reverse"}
    ):
        return None
    reverse = keywords.get("reverse", cst.Name("False"))
    if not (isinstance(reverse, cst.Name) and reverse.value in ("True", "False")):
        return None
    if position == -1 and "key" in keywords:
        return None  # ties: sorted()[-1] is the last largest item, max() the first
    smallest = (position == 0) != (reverse.value == "True")
    return "min" if smallest else "max"


def _small_int(expr: cst.BaseExpression) -> int | None:
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if (
        isinstance(expr, cst.UnaryOperation)
        and isinstance(expr.operator, cst.Minus)
        and isinstance(expr.expression, cst.Integer)
    ):
        return -int(expr.expression.evaluated_value)
    return None


def _rewrite(node: cst.CSTNode, function: str) -> cst.CSTNode:
    assert isinstance(node, cst.Subscript) and isinstance(node.value, cst.Call)
    args = [
        arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        for arg in node.value.args
        if not (arg.keyword is not None and arg.keyword.value == "reverse")
    ]
    return cst.Call(cst.Name(function), args, lpar=node.lpar, rpar=node.rpar)
