"""Conservative questions about names inside one function, shared by the codemods.

Every answer errs towards "unsafe": a name that is stored anywhere we do not understand,
declared global/nonlocal, or touched from a nested function counts against a rewrite.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from agent.proposers.codemods.base import FunctionContext

NESTED_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
LOOPS = (cst.For, cst.While)
COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_DESTRUCTURING = (cst.Tuple, cst.List, cst.Element, cst.StarredElement)
_BINDERS = (
    cst.FunctionDef,
    cst.ClassDef,
    cst.NameItem,  # global / nonlocal
    cst.ImportAlias,
    cst.AsName,  # with ... as, except ... as, import ... as
    cst.MatchAs,
    cst.MatchStar,
    cst.MatchMapping,
)


def descendants(ctx: FunctionContext, node: cst.CSTNode) -> list[cst.CSTNode]:
    """Every node below `node`, in source order."""
    return ctx.tree.descendants(node)


def variable_names(root: cst.CSTNode, ctx: FunctionContext, name: str) -> list[cst.Name]:
    """Name nodes under root that refer to the variable `name` (not `x.name`, not `f(name=1)`)."""
    found = []
    for node in ctx.tree.names.get(name, []):
        if node is root or not ctx.tree.contains(root, node):
            continue
        parent = ctx.parent(node)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            continue
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            continue
        found.append(node)
    return found


def is_store(ctx: FunctionContext, node: cst.CSTNode) -> bool:
    """True if the expression is assigned, deleted or bound (including by destructuring)."""
    child, parent = node, ctx.parent(node)
    while isinstance(parent, _DESTRUCTURING):
        child, parent = parent, ctx.parent(parent)
    if isinstance(parent, _BINDERS):
        return True
    if isinstance(parent, cst.Param):
        return parent.name is child  # not a default value or annotation
    if isinstance(parent, cst.AssignTarget | cst.Del):
        return parent.target is child
    if isinstance(parent, cst.AugAssign | cst.AnnAssign | cst.For | cst.CompFor | cst.NamedExpr):
        return parent.target is child
    return False


def in_nested_scope(ctx: FunctionContext, node: cst.CSTNode) -> bool:
    """True if node sits in a def, lambda or class inside the target function."""
    for parent in ctx.ancestors(node):
        if parent is ctx.function:
            return False
        if isinstance(parent, NESTED_SCOPES):
            return True
    return True  # not inside the function at all


def is_inside(ctx: FunctionContext, node: cst.CSTNode, container: cst.CSTNode) -> bool:
    return ctx.tree.contains(container, node)


def loops(ctx: FunctionContext) -> list[cst.For | cst.While]:
    """for/while statements of the function itself, outer loops first."""
    return [
        node
        for node in descendants(ctx, ctx.function.body)
        if isinstance(node, LOOPS) and not in_nested_scope(ctx, node)
    ]


def has_ancestor(ctx: FunctionContext, node: cst.CSTNode, kinds: tuple[type, ...]) -> bool:
    """True if a node of one of `kinds` encloses node within the function."""
    for parent in ctx.ancestors(node):
        if parent is ctx.function:
            return False
        if isinstance(parent, kinds):
            return True
    return False


@dataclass(frozen=True)
class Binding:
    """The single place a local name is bound: a parameter or a one-target assignment."""

    name: str
    statement: cst.SimpleStatementLine | None  # None for a parameter
    value: cst.BaseExpression | None
    annotation: cst.BaseExpression | None


def single_binding(ctx: FunctionContext, name: str) -> Binding | None:
    """The binding of `name` if the function binds it exactly once, in a form we understand."""
    stores = [n for n in variable_names(ctx.function, ctx, name) if is_store(ctx, n)]
    if len(stores) != 1:
        return None
    node = stores[0]
    parent = ctx.parent(node)
    if isinstance(parent, cst.Param):
        if parent.star != "" or in_nested_scope(ctx, parent):
            return None  # *args, or a lambda's parameter
        annotation = parent.annotation.annotation if parent.annotation else None
        return Binding(name, None, None, annotation)
    if isinstance(parent, cst.AssignTarget):
        assign = ctx.parent(parent)
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
            return None  # `a = b = []` makes an alias we would have to track
        return _statement_binding(ctx, name, assign, assign.value, None)
    if isinstance(parent, cst.AnnAssign) and parent.value is not None:
        return _statement_binding(ctx, name, parent, parent.value, parent.annotation.annotation)
    return None


def _statement_binding(
    ctx: FunctionContext,
    name: str,
    small: cst.CSTNode,
    value: cst.BaseExpression,
    annotation: cst.BaseExpression | None,
) -> Binding | None:
    line = ctx.parent(small)
    if not isinstance(line, cst.SimpleStatementLine) or in_nested_scope(ctx, small):
        return None
    return Binding(name, line, value, annotation)


def runs_before(ctx: FunctionContext, binding: Binding, region: cst.CSTNode) -> bool:
    """True if the binding always runs before `region` (a statement) is reached: it is an
    earlier statement of a block that encloses the region."""
    if binding.statement is None:
        return True  # parameters are bound on entry
    block = ctx.parent(binding.statement)
    if not isinstance(block, cst.IndentedBlock):
        return False
    for node in [region, *ctx.ancestors(region)]:
        if ctx.tree.parents.get(node) is block:
            return _index(block, binding.statement) < _index(block, node)
    return False


def _index(block: cst.IndentedBlock, statement: cst.CSTNode) -> int:
    return next(i for i, s in enumerate(block.body) if s is statement)


def shadowed(ctx: FunctionContext, builtin: str) -> bool:
    """True if the builtin's name may be rebound anywhere in the module (star imports too)."""
    if ctx.tree.star_import:
        return True
    return any(is_store(ctx, n) for n in variable_names(ctx.module, ctx, builtin))


def call_name(expr: cst.BaseExpression) -> str | None:
    """`f` for a call `f(...)` to a plain name."""
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name):
        return expr.func.value
    return None


def read_only_use(ctx: FunctionContext, node: cst.Name) -> str | None:
    """How a use of a container name reads it without changing or leaking it:
    "membership" (`x in NAME`), "iterate", "index" or "len"; None for any other use."""
    parent = ctx.parent(node)
    if isinstance(parent, cst.ComparisonTarget) and parent.comparator is node:
        return "membership" if isinstance(parent.operator, cst.In | cst.NotIn) else None
    if isinstance(parent, cst.For | cst.CompFor) and parent.iter is node:
        return "iterate"
    if isinstance(parent, cst.Subscript) and parent.value is node and not is_store(ctx, parent):
        return "index"
    if isinstance(parent, cst.Arg) and parent.star == "" and parent.keyword is None:
        call = ctx.parent(parent)
        if isinstance(call, cst.Call) and call_name(call) == "len" and len(call.args) == 1:
            return None if shadowed(ctx, "len") else "len"
    return None


def membership_tests(ctx: FunctionContext, region: cst.CSTNode) -> dict[str, list[cst.Name]]:
    """Names used as the right side of `in` / `not in` in region, outside nested scopes."""
    found: dict[str, list[cst.Name]] = {}
    for node in descendants(ctx, region):
        if (
            isinstance(node, cst.ComparisonTarget)
            and isinstance(node.operator, cst.In | cst.NotIn)
            and isinstance(node.comparator, cst.Name)
            and not in_nested_scope(ctx, node)
        ):
            found.setdefault(node.comparator.value, []).append(node.comparator)
    return found


def simple_assign(target: str, value: str) -> cst.SimpleStatementLine:
    """A statement `target = value`, value given as source text."""
    return cst.SimpleStatementLine(
        [cst.Assign([cst.AssignTarget(cst.Name(target))], cst.parse_expression(value))]
    )
