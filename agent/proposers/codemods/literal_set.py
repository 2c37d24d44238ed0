"""literal-set: `x in [1, 2, 3]` / `x in ("a", "b")` -> `x in {1, 2, 3}`.

CPython folds a constant list or tuple in a membership test into a tuple and scans it;
a set display of constants is folded into a frozenset and answered with one hash lookup.
Fires on `in` / `not in` against a list or tuple display of at least two items, all of
them hashable constants (numbers, strings, bytes, None/True/False, tuples of those), so
building the set cannot fail and equality means the same as before. Left unchecked: a probe
of an unhashable type (never equal to such constants) raises TypeError instead of giving
False; the verifier's tests guard that.
"""

from __future__ import annotations

import libcst as cst

from agent.proposers.codemods.analysis import descendants, in_nested_scope
from agent.proposers.codemods.base import FunctionContext, Plan
from agent.proposers.codemods.values import is_hashable_constant


class LiteralSet:
    name = "literal-set"
    rationale = (
        "A membership test against a constant list or tuple compares with each item in turn; "
        "a set of the same constants is built once at compile time (a frozenset constant) "
        "and answers each test with one hash lookup."
    )

    def plan(self, ctx: FunctionContext) -> Plan | None:
        plan = Plan(summary="test membership against constant sets instead of lists/tuples")
        for node in descendants(ctx, ctx.function.body):
            if (
                isinstance(node, cst.ComparisonTarget)
                and isinstance(node.operator, cst.In | cst.NotIn)
                and _constant_display(node.comparator)
                and not in_nested_scope(ctx, node)
            ):
                plan.rewrites[node.comparator] = _to_set
        return plan if plan.rewrites else None


def _constant_display(expr: cst.BaseExpression) -> bool:
    if not isinstance(expr, cst.List | cst.Tuple) or len(expr.elements) < 2:
        return False
    if isinstance(expr, cst.Tuple) and not expr.lpar:
        return False  # cannot happen right of `in`, but _to_set relies on the parentheses
    return all(isinstance(e, cst.Element) and is_hashable_constant(e.value) for e in expr.elements)


def _to_set(node: cst.CSTNode) -> cst.CSTNode:
    """The same elements in braces, keeping the whitespace just inside the brackets."""
    if isinstance(node, cst.List):
        open_space = node.lbracket.whitespace_after
        close_space = node.rbracket.whitespace_before
        outer_lpar, outer_rpar = node.lpar, node.rpar
    elif isinstance(node, cst.Tuple) and node.lpar:
        # The innermost pair of parentheses is the tuple's own; any others just group.
        open_space = node.lpar[-1].whitespace_after
        close_space = node.rpar[0].whitespace_before
        outer_lpar, outer_rpar = node.lpar[:-1], node.rpar[1:]
    else:
        raise TypeError(f"not a list or parenthesised tuple: {type(node).__name__}")
    return cst.Set(
        elements=node.elements,
        lbrace=cst.LeftCurlyBrace(whitespace_after=open_space),
        rbrace=cst.RightCurlyBrace(whitespace_before=close_space),
        lpar=outer_lpar,
        rpar=outer_rpar,
    )
