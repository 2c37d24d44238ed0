"""str-join: `s += piece` in a loop -> collect the pieces in a list and join once after it.

    s = ""                        s = ""
                                  s_parts = []
    for x in xs:                  for x in xs:
        s += f"{x},"                  s_parts.append(f"{x},")
                                  s += "".join(s_parts)

Repeated `+=` on a string may copy the whole string each time (quadratic; CPython's
in-place trick is fragile); one join copies each piece once. Fires for `s` and a loop when:
- `s = <str literal>` is a statement of the block that holds the loop, before it, and
  nothing uses `s` between the two;
- inside the loop (its else clause too) `s` appears only as the target of `s += PIECE`, and
  every PIECE is surely a str (a string literal or f-string, str()/repr()/format()/chr(),
  a `+` or `%` with a str literal side, or a parameter annotated `str`), so the join builds
  the same string and raises nothing new;
- no try statement encloses the loop in the function, and no `with` except `with open(...)`
  (a handler or a suppressing context manager could otherwise read `s` half-built);
- `s` is not used in a nested function or declared global/nonlocal.
"""

from __future__ import annotations

from functools import partial

import libcst as cst

from agent.proposers.codemods.analysis import (
    call_name,
    descendants,
    has_ancestor,
    in_nested_scope,
    is_inside,
    loops,
    shadowed,
    simple_assign,
    single_binding,
    variable_names,
)
from agent.proposers.codemods.base import FunctionContext, Plan
from agent.proposers.codemods.values import is_str_literal

_STR_FUNCTIONS = ("str", "repr", "format", "chr", "ascii")


class StrJoin:
    name = "str-join"
    rationale = (
        "Each `s += piece` can copy everything built so far, so n appends cost O(n^2) bytes "
        "copied; appending pieces to a list and joining once after the loop copies each "
        "piece once."
    )

    def plan(self, ctx: FunctionContext) -> Plan | None:
        plan = Plan(summary="")
        namer = ctx.namer()
        names: list[str] = []
        for loop in loops(ctx):
            if not _loop_context_ok(ctx, loop):
                continue
            for name, augs in _appended_names(ctx, loop).items():
                if name in names or not _safe(ctx, loop, name, augs):
                    continue
                parts = namer.fresh(f"{name}_parts")
                plan.insert_before(loop, simple_assign(parts, "[]"))
                for aug in augs:
                    plan.rewrites[aug] = partial(_append, parts=parts)
                plan.insert_after(loop, _join_statement(name, parts))
                names.append(name)
        if not names:
            return None
        plan.summary = f"build {', '.join(names)} with a list and one join"
        return plan


def _loop_context_ok(ctx: FunctionContext, loop: cst.CSTNode) -> bool:
    if has_ancestor(ctx, loop, (cst.Try, cst.TryStar)):
        return False
    withs = [p for p in ctx.ancestors(loop) if isinstance(p, cst.With)]
    return all(_opens_file(ctx, w) for w in withs if is_inside(ctx, w, ctx.function))


def _opens_file(ctx: FunctionContext, with_node: cst.With) -> bool:
    return not shadowed(ctx, "open") and all(
        call_name(item.item) == "open" for item in with_node.items
    )


def _appended_names(ctx: FunctionContext, loop: cst.CSTNode) -> dict[str, list[cst.AugAssign]]:
    found: dict[str, list[cst.AugAssign]] = {}
    for node in descendants(ctx, loop):
        if (
            isinstance(node, cst.AugAssign)
            and isinstance(node.operator, cst.AddAssign)
            and isinstance(node.target, cst.Name)
            and not in_nested_scope(ctx, node)
        ):
            found.setdefault(node.target.value, []).append(node)
    return found


def _safe(ctx: FunctionContext, loop: cst.CSTNode, name: str, augs: list[cst.AugAssign]) -> bool:
    init = _initial_literal(ctx, loop, name)
    if init is None or not all(_surely_str(ctx, aug.value) for aug in augs):
        return False
    targets = {aug.target for aug in augs}
    for use in variable_names(ctx.function, ctx, name):
        if in_nested_scope(ctx, use) or isinstance(ctx.parent(use), cst.NameItem):
            return False
        if is_inside(ctx, use, loop):
            if use not in targets:
                return False  # read, or bound some other way, inside the loop
        elif use is init.targets[0].target:
            continue
        elif ctx.tree.precedes(init, use) and ctx.tree.precedes(use, loop):
            return False  # used between the initial value and the loop
    return True


def _initial_literal(ctx: FunctionContext, loop: cst.CSTNode, name: str) -> cst.Assign | None:
    """`name = "<literal>"`, the last statement binding name before the loop in its block."""
    block = ctx.parent(loop)
    if not isinstance(block, cst.IndentedBlock):
        return None
    index = next(i for i, s in enumerate(block.body) if s is loop)
    for statement in reversed(block.body[:index]):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
                and small.targets[0].target.value == name
            ):
                return small if is_str_literal(small.value) else None
    return None


def _surely_str(ctx: FunctionContext, expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.FormattedString) or is_str_literal(expr):
        return True
    if isinstance(expr, cst.BinaryOperation):
        if isinstance(expr.operator, cst.Add):
            return _surely_str(ctx, expr.left) or _surely_str(ctx, expr.right)
        if isinstance(expr.operator, cst.Modulo):
            return is_str_literal(expr.left)
    if isinstance(expr, cst.Call) and _str_call(ctx, expr):
        return True
    if isinstance(expr, cst.Name):
        binding = single_binding(ctx, expr.value)
        return (
            binding is not None
            and binding.statement is None
            and isinstance(binding.annotation, cst.Name)
            and binding.annotation.value == "str"
        )
    return False


def _str_call(ctx: FunctionContext, call: cst.Call) -> bool:
    """str(x), repr(x), ... or a method of a string literal such as "-".join(...)."""
    name = call_name(call)
    if name is not None:
        return name in _STR_FUNCTIONS and not shadowed(ctx, name)
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and is_str_literal(func.value)
        and func.attr.value in ("join", "format", "upper", "lower", "strip", "replace")
    )


def _append(node: cst.CSTNode, parts: str) -> cst.CSTNode:
    assert isinstance(node, cst.AugAssign)
    call = cst.Call(cst.Attribute(cst.Name(parts), cst.Name("append")), [cst.Arg(node.value)])
    return cst.Expr(call, semicolon=node.semicolon)


def _join_statement(name: str, parts: str) -> cst.SimpleStatementLine:
    augmented = cst.AugAssign(
        cst.Name(name), cst.AddAssign(), cst.parse_expression(f'"".join({parts})')
    )
    return cst.SimpleStatementLine([augmented])
