"""What a codemod is, the function it works on, and how its plan is applied to the module.

A codemod looks at one function (FunctionContext) and returns a Plan: node-level rewrites
keyed by the original nodes, statements to insert around statements, and module-level
statements to add. Keeping analysis (plan) apart from rewriting (apply_plan) lets every
codemod read the untouched tree and its metadata while deciding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, cast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from agent.proposers.codemods.tree import Tree

Rewrite = Callable[[cst.CSTNode], cst.CSTNode]
_Node = TypeVar("_Node", bound=cst.CSTNode)


@dataclass(frozen=True)
class FunctionContext:
    """One function of a parsed module, and an index of the whole module's tree."""

    module: cst.Module
    function: cst.FunctionDef
    qualname: str
    tree: Tree

    def parent(self, node: cst.CSTNode) -> cst.CSTNode:
        return self.tree.parents[node]

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """Parents of node, nearest first, up to and including the module."""
        parents = self.tree.parents
        while node in parents:
            node = parents[node]
            yield node

    def top_level_statement(self) -> cst.CSTNode:
        """The statement in module.body that contains the function."""
        node: cst.CSTNode = self.function
        for parent in self.ancestors(self.function):
            if isinstance(parent, cst.Module):
                break
            node = parent
        return node

    def namer(self) -> Namer:
        return Namer(set(self.tree.names))


class Namer:
    """Hands out identifiers that clash with no name in the module nor with each other."""

    def __init__(self, taken: set[str]) -> None:
        self._taken = taken

    def fresh(self, base: str) -> str:
        name, n = base, 2
        while name in self._taken:
            name, n = f"{base}{n}", n + 1
        self._taken.add(name)
        return name


@dataclass
class Plan:
    """A codemod's decision. Keys are nodes of the original tree; rewrites receive the node
    with its children already rewritten, so nested rewrites compose."""

    summary: str  # one line for the edit title, without the function name
    rewrites: dict[cst.CSTNode, Rewrite] = field(default_factory=dict)
    before: dict[cst.CSTNode, list[cst.BaseStatement]] = field(default_factory=dict)
    after: dict[cst.CSTNode, list[cst.BaseStatement]] = field(default_factory=dict)
    module_statements: list[cst.BaseStatement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # appended to the rationale

    def insert_before(self, statement: cst.CSTNode, new: cst.BaseStatement) -> None:
        self.before.setdefault(statement, []).append(new)

    def insert_after(self, statement: cst.CSTNode, new: cst.BaseStatement) -> None:
        self.after.setdefault(statement, []).append(new)


class Codemod(Protocol):
    name: str  # the Edit's rule
    rationale: str  # why the rewrite is faster and which conditions make it safe

    def plan(self, ctx: FunctionContext) -> Plan | None:
        """None when the rule does not apply or its safety conditions cannot be shown."""
        ...


def load_function(
    source: str, qualname: str, span: tuple[int, int] | None = None
) -> FunctionContext | None:
    """Parse source and find the function named by qualname whose `def` lies in the span
    (1-based first and last line; anywhere if None). None if libcst cannot parse the file
    (no codemod can run then) or there is no such function."""
    try:
        module = cst.parse_module(source)
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        tree = Tree(module)
    except (cst.ParserSyntaxError, RecursionError):
        # The workload ran this file, so it is Python that libcst cannot read (new syntax)
        # or nests too deeply for its recursive walks; no codemod can run on it.
        return None
    first, last = span or (1, source.count("\n") + 1)
    short = qualname.rsplit(".", 1)[-1]
    matches = [
        node
        for node, where in positions.items()
        if isinstance(node, cst.FunctionDef)
        and node.name.value == short
        and first <= where.start.line <= last
        and where.end.line <= last
    ]
    if not matches:
        return None
    # The outermost match: a nested function of the same name lies inside its span too.
    function = min(matches, key=lambda node: positions[node].start.line)
    return FunctionContext(module, function, qualname, tree)


def run_codemod(
    codemod: Codemod, source: str, qualname: str, span: tuple[int, int] | None = None
) -> str | None:
    """The source with the codemod applied to one function, or None if it does not fire."""
    ctx = load_function(source, qualname, span)
    plan = codemod.plan(ctx) if ctx else None
    return apply_plan(ctx, plan) if ctx and plan else None


def apply_plan(ctx: FunctionContext, plan: Plan) -> str:
    """The module's source with the plan applied."""
    before = {node: _take_leading_lines(node, new) for node, new in plan.before.items()}
    if plan.module_statements:
        # Module statements keep their own blank lines; the function's comments stay with it.
        top = ctx.top_level_statement()
        before[top] = [*plan.module_statements, *before.get(top, [])]
    moved = {node for node in plan.before if getattr(node, "leading_lines", ())}
    touched = [*plan.rewrites, *before, *plan.after]
    needed = {*touched, *(p for node in touched for p in ctx.ancestors(node))}
    return ctx.module.visit(_Applier(plan.rewrites, before, plan.after, needed, moved)).code


def _take_leading_lines(
    statement: cst.CSTNode, new: list[cst.BaseStatement]
) -> list[cst.BaseStatement]:
    """Give the first inserted statement the blank lines and comments that sat above
    `statement`, so a comment introducing a loop still sits above the code set up for it.
    (_Applier strips them from the statement itself.)"""
    lines = getattr(statement, "leading_lines", ())
    if not new or not lines:
        return new
    return [new[0].with_changes(leading_lines=lines), *new[1:]]


class _Applier(cst.CSTTransformer):
    def __init__(
        self,
        rewrites: dict[cst.CSTNode, Rewrite],
        before: dict[cst.CSTNode, list[cst.BaseStatement]],
        after: dict[cst.CSTNode, list[cst.BaseStatement]],
        needed: set[cst.CSTNode],
        moved: set[cst.CSTNode],
    ) -> None:
        super().__init__()
        self._rewrites, self._before, self._after = rewrites, before, after
        self._needed, self._moved = needed, moved

    def on_visit(self, node: cst.CSTNode) -> bool:
        return node in self._needed  # skip subtrees the plan does not touch

    def on_leave(
        self, original_node: _Node, updated_node: _Node
    ) -> _Node | cst.RemovalSentinel | cst.FlattenSentinel[_Node]:
        rewrite = self._rewrites.get(original_node)
        # A rewrite may change the node's type (a call becomes a name); libcst accepts that.
        node = cast(_Node, rewrite(updated_node)) if rewrite else updated_node
        before = self._before.get(original_node, [])
        after = self._after.get(original_node, [])
        if original_node in self._moved:
            node = node.with_changes(leading_lines=())  # they moved to before[0]
        if before or after:
            # Only statements get insertions, so everything in the list is a statement.
            return cst.FlattenSentinel(cast(list[_Node], [*before, node, *after]))
        return node


def renamed(new: str) -> Rewrite:
    """A rewrite that points a Name at another variable, keeping its parentheses."""

    def rewrite(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Name)
        return node.with_changes(value=new)

    return rewrite
