"""A pre-order index of a libcst tree: parents, subtrees and names, built in one pass.

libcst's `node.children` re-walks a node's fields on every call, and the codemods keep
asking "what is inside this loop" and "where is this name used"; flat tables answer those
in time proportional to the answer.
"""

from __future__ import annotations

import libcst as cst


class Tree:
    def __init__(self, module: cst.Module) -> None:
        self.nodes: list[cst.CSTNode] = []  # pre-order, which is source order
        self.index: dict[cst.CSTNode, int] = {}
        self.end: dict[cst.CSTNode, int] = {}  # one past the node's last descendant
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.names: dict[str, list[cst.Name]] = {}
        self.star_import = False
        module.visit(_Indexer(self))

    def descendants(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """Every node below `node`, in source order."""
        return self.nodes[self.index[node] + 1 : self.end[node]]

    def contains(self, container: cst.CSTNode, node: cst.CSTNode) -> bool:
        """True if node is container or lies inside it."""
        return self.index[container] <= self.index[node] < self.end[container]

    def precedes(self, first: cst.CSTNode, second: cst.CSTNode) -> bool:
        """True if `first` starts before `second` in the source."""
        return self.index[first] < self.index[second]


class _Indexer(cst.CSTVisitor):
    def __init__(self, tree: Tree) -> None:
        super().__init__()
        self._tree = tree
        self._stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        tree = self._tree
        tree.index[node] = len(tree.nodes)
        tree.nodes.append(node)
        if self._stack:
            tree.parents[node] = self._stack[-1]
        self._stack.append(node)
        if isinstance(node, cst.Name):
            tree.names.setdefault(node.value, []).append(node)
        elif isinstance(node, cst.ImportStar):
            tree.star_import = True
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()
        self._tree.end[original_node] = len(self._tree.nodes)
