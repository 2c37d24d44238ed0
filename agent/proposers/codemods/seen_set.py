"""seen-set: a list that records seen items -> a set for the tests, the list kept as is.

    seen = []                          seen = []
                                       seen_set = set()
    for v in items:                    for v in items:
        if v not in seen:                  if v not in seen_set:
            seen.append(v)                     seen_set.add(v)
                                               seen.append(v)

Every `v not in seen` scans the list; the set answers in constant time. The list is still
built in the same order, so later uses of it are unchanged. Fires for `seen` when:
- it is bound once in the function, to `[]`, in the block that holds the loop, and nothing
  uses it between that statement and the loop;
- inside the loop it is only tested with `in`/`not in`, read (iterate, index, len), and
  appended to by a statement `seen.append(ARG)` with ARG a name, dotted name, constant or a
  tuple of those (it is evaluated twice, so it must have no side effects);
- it is not used in a nested function, and `set` is not rebound in the module.
Left unchecked: items must be hashable; an unhashable item makes set.add raise TypeError,
which the verifier's tests catch.
"""

from __future__ import annotations

from functools import partial

import libcst as cst

from agent.proposers.codemods.analysis import (
    in_nested_scope,
    is_inside,
    is_store,
    loops,
    membership_tests,
    read_only_use,
    shadowed,
    simple_assign,
    single_binding,
    variable_names,
)
from agent.proposers.codemods.base import FunctionContext, Plan, renamed
from agent.proposers.codemods.values import NOT_CONSTANT, constant_value


class SeenSet:
    name = "seen-set"
    rationale = (
        "Testing `item not in seen` on a list scans it, so deduplicating n items costs "
        "O(n^2); a set kept beside the list makes each test one hash lookup while the list "
        "keeps its order for later uses."
    )

    def plan(self, ctx: FunctionContext) -> Plan | None:
        if shadowed(ctx, "set"):
            return None
        plan = Plan(summary="")
        namer = ctx.namer()
        names: list[str] = []
        pending: list[tuple[cst.Expr, str]] = []
        for loop in loops(ctx):
            for name, tests in sorted(membership_tests(ctx, loop).items()):
                appends = None if name in names else _appends_if_safe(ctx, loop, name)
                if not appends:
                    continue
                set_name = namer.fresh(f"{name}_set")
                plan.insert_before(loop, simple_assign(set_name, "set()"))
                for test in tests:
                    plan.rewrites[test] = renamed(set_name)
                pending.extend((append, set_name) for append in appends)
                names.append(name)
        if not names:
            return None
        _insert_adds(ctx, plan, pending)
        plan.summary = f"track seen items of {', '.join(names)} in a set for membership tests"
        return plan


def _appends_if_safe(ctx: FunctionContext, loop: cst.CSTNode, name: str) -> list[cst.Expr] | None:
    """The `name.append(ARG)` statements in the loop, if every condition holds."""
    binding = single_binding(ctx, name)
    if (
        binding is None
        or binding.statement is None
        or not (isinstance(binding.value, cst.List) and not binding.value.elements)
        or ctx.parent(binding.statement) is not ctx.parent(loop)
        or not ctx.tree.precedes(binding.statement, loop)
    ):
        return None
    appends: list[cst.Expr] = []
    for use in variable_names(ctx.function.body, ctx, name):
        if is_store(ctx, use):
            continue  # the binding itself
        if not is_inside(ctx, use, loop):
            if ctx.tree.precedes(use, loop):
                return None  # used between the binding and the loop
            continue  # after the loop the list is what it always was
        if in_nested_scope(ctx, use):
            return None
        if read_only_use(ctx, use) is not None:
            continue
        append = _append_statement(ctx, use)
        if append is None:
            return None
        appends.append(append)
    return appends


def _append_statement(ctx: FunctionContext, use: cst.Name) -> cst.Expr | None:
    """The statement `use.append(ARG)` around use, with a side-effect-free ARG."""
    attr = ctx.parent(use)
    call = ctx.parent(attr)
    statement = ctx.parent(call)
    if not (
        isinstance(attr, cst.Attribute)
        and attr.attr.value == "append"
        and isinstance(call, cst.Call)
        and call.func is attr
        and len(call.args) == 1
        and call.args[0].star == ""
        and call.args[0].keyword is None
        and _pure(call.args[0].value)
        and isinstance(statement, cst.Expr)
        and isinstance(ctx.parent(statement), cst.SimpleStatementLine | cst.SimpleStatementSuite)
    ):
        return None
    return statement


def _pure(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Name):
        return True
    if isinstance(expr, cst.Attribute):
        return _pure(expr.value)
    if isinstance(expr, cst.Tuple):
        return all(isinstance(e, cst.Element) and _pure(e.value) for e in expr.elements)
    return constant_value(expr) is not NOT_CONSTANT


def _insert_adds(ctx: FunctionContext, plan: Plan, pending: list[tuple[cst.Expr, str]]) -> None:
    """Put `SET.add(ARG)` right before each append: as a line of its own when the append has
    its line to itself, else as a small statement before it on the same line."""
    shared: dict[cst.CSTNode, dict[int, str]] = {}
    for append, set_name in pending:
        line = ctx.parent(append)
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            plan.insert_before(line, cst.SimpleStatementLine([_add_call(append, set_name)]))
            continue
        assert isinstance(line, cst.SimpleStatementLine | cst.SimpleStatementSuite)
        index = next(i for i, small in enumerate(line.body) if small is append)
        shared.setdefault(line, {})[index] = set_name
    for line, adds in shared.items():
        plan.rewrites[line] = partial(_with_adds, adds=adds)


def _with_adds(node: cst.CSTNode, adds: dict[int, str]) -> cst.CSTNode:
    assert isinstance(node, cst.SimpleStatementLine | cst.SimpleStatementSuite)
    body: list[cst.BaseSmallStatement] = []
    for index, small in enumerate(node.body):
        if index in adds:
            assert isinstance(small, cst.Expr)
            body.append(_add_call(small, adds[index]))
        body.append(small)
    return node.with_changes(body=body)


def _add_call(append: cst.Expr, set_name: str) -> cst.Expr:
    assert isinstance(append.value, cst.Call)
    arg = append.value.args[0].value
    return cst.Expr(cst.Call(cst.Attribute(cst.Name(set_name), cst.Name("add")), [cst.Arg(arg)]))
