"""What an expression surely is: a constant, a str, or a builtin container with hashable
items. The codemods only rewrite when these answers are definite."""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from agent.proposers.codemods.analysis import Binding, call_name, shadowed
from agent.proposers.codemods.base import FunctionContext

NOT_CONSTANT = object()


def constant_value(expr: cst.BaseExpression) -> object:
    """The value of a literal expression (numbers, strings, None/True/False, containers of
    those), or NOT_CONSTANT."""
    code = cst.Module(body=[]).code_for_node(expr).strip()
    try:
        return ast.literal_eval(code)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NOT_CONSTANT  # literal_eval's ways of saying "not a plain literal"


def is_hashable_constant(expr: cst.BaseExpression) -> bool:
    return _hashable(constant_value(expr))


def _hashable(value: object) -> bool:
    if isinstance(value, tuple):
        return all(_hashable(item) for item in value)
    return isinstance(value, str | bytes | int | float | complex | type(None))


def is_str_literal(expr: cst.BaseExpression) -> bool:
    return isinstance(constant_value(expr), str)


_HASHABLE_TYPES = {"str", "int", "float", "bytes", "bool", "complex"}
_TYPING_ALIASES = {"List": "list", "Tuple": "tuple", "Set": "set", "Dict": "dict"}


@dataclass(frozen=True)
class Container:
    """What we know about a local's value: a builtin container, and whether its items
    (keys, for a dict) are known to be hashable."""

    kind: str  # "list", "tuple", "set" or "dict"
    hashable_items: bool


def container_of(ctx: FunctionContext, binding: Binding) -> Container | None:
    """The container a binding holds, from its annotation (trusted) or its value."""
    if binding.annotation is not None:
        return _from_annotation(binding.annotation)
    value = binding.value
    if isinstance(value, cst.List | cst.Tuple | cst.Set):
        kind = {cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}[type(value)]
        hashable = all(
            isinstance(e, cst.Element) and is_hashable_constant(e.value) for e in value.elements
        )
        return Container(kind, hashable)
    if isinstance(value, cst.Dict | cst.DictComp):
        return Container("dict", True)
    if isinstance(value, cst.ListComp):
        return Container("list", False)
    if isinstance(value, cst.SetComp):
        return Container("set", True)
    name = call_name(value) if value is not None else None
    kinds = {"list": "list", "tuple": "tuple", "sorted": "list", "set": "set", "dict": "dict"}
    if name in kinds and not shadowed(ctx, name):
        return Container(kinds[name], kinds[name] in ("set", "dict"))
    return None


def _from_annotation(annotation: cst.BaseExpression) -> Container | None:
    base, args = annotation, []
    if isinstance(annotation, cst.Subscript):
        base = annotation.value
        args = [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
    if isinstance(base, cst.Attribute) and isinstance(base.value, cst.Name):
        base = base.attr if base.value.value == "typing" else base
    if not isinstance(base, cst.Name):
        return None
    kind = _TYPING_ALIASES.get(base.value, base.value)
    if kind not in ("list", "tuple", "set", "dict"):
        return None
    items = [a for a in args if not (isinstance(a, cst.Ellipsis))]
    if kind == "dict":
        items = items[:1]
    return Container(
        kind, kind in ("set", "dict") or (bool(items) and all(map(_hashable_type, items)))
    )


def _hashable_type(annotation: cst.BaseExpression) -> bool:
    if isinstance(annotation, cst.Name):
        return annotation.value in _HASHABLE_TYPES
    container = _from_annotation(annotation)
    return container is not None and container.kind == "tuple" and container.hashable_items
