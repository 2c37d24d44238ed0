"""regex-hoist: `re.search(r"...", s)` -> a module-level compiled pattern and `_P.search(s)`.

Each `re.<function>(pattern, ...)` call looks the pattern and flags up in re's cache before
matching; a pattern compiled once at import skips that work on every call. The target is
a hot function, so this pays off for calls anywhere in it, not only in its loops.
Fires for calls `re.match/search/fullmatch/findall/finditer/sub/subn/split/compile` when:
- `re` is the module, imported at the top level (`import re` or `import re as X`) before
  the statement that holds the function, and bound nowhere else in the module;
- the pattern is a plain string or bytes literal (no f-string) and flags, if given, are
  built only from `re.FLAG` names, integers and `|`, so the module-level compile sees the
  same values; the pattern compiles here, so import cannot start failing;
- no *args/**kwargs, and the other arguments map onto the Pattern method's parameters
  (flags move into the compile; string/pos-free arguments keep their meaning).
Adds one module-level statement per distinct pattern, just before the function's top-level
statement; the rationale says so.
"""

from __future__ import annotations

import re

import libcst as cst

from agent.proposers.codemods.analysis import descendants, is_store, variable_names
from agent.proposers.codemods.base import FunctionContext, Plan, Rewrite
from agent.proposers.codemods.values import constant_value

# re function -> (index of its flags parameter, keyword arguments the Pattern method accepts)
_FUNCTIONS: dict[str, tuple[int, frozenset[str]]] = {
    "match": (2, frozenset({"string"})),
    "search": (2, frozenset({"string"})),
    "fullmatch": (2, frozenset({"string"})),
    "findall": (2, frozenset({"string"})),
    "finditer": (2, frozenset({"string"})),
    "sub": (4, frozenset({"repl", "string", "count"})),
    "subn": (4, frozenset({"repl", "string", "count"})),
    "split": (3, frozenset({"string", "maxsplit"})),
    "compile": (1, frozenset()),
}


class RegexHoist:
    name = "regex-hoist"
    rationale = (
        "Module-level `re` functions look the pattern up in re's cache (hashing the pattern "
        "and flags) on every call; a pattern compiled once at import time goes straight to "
        "matching."
    )

    def plan(self, ctx: FunctionContext) -> Plan | None:
        alias = _re_alias(ctx)
        if alias is None:
            return None
        plan = Plan(summary="")
        namer = ctx.namer()
        constants: dict[tuple[str, str], str] = {}  # (pattern code, flags code) -> name
        base = f"_{ctx.function.name.value.strip('_').upper() or 'PATTERN'}_RE"
        for node in descendants(ctx, ctx.function.body):
            call = _hoistable(ctx, node, alias)
            if call is None:
                continue
            function, pattern, flags, keep = call
            key = (_code(pattern), _code(flags) if flags else "")
            if key not in constants:
                constants[key] = namer.fresh(base)
                compile_args = ", ".join(k for k in key if k)
                statement = f"{constants[key]} = {alias}.compile({compile_args})\n"
                plan.module_statements.append(_module_statement(statement, len(constants) == 1))
            plan.rewrites[node] = _replacement(constants[key], function, keep)
        if not constants:
            return None
        names = ", ".join(constants.values())
        plan.summary = f"precompile regular expressions as module-level {names}"
        plan.notes.append(f"Adds module-level compiled pattern(s) {names} before the function.")
        return plan


def _re_alias(ctx: FunctionContext) -> str | None:
    """The name the module imports `re` as, if that binding is plain and comes first."""
    top = ctx.top_level_statement()
    for statement in ctx.module.body:
        if statement is top:
            return None
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.Import) or isinstance(small.names, cst.ImportStar):
                continue
            for alias in small.names:
                if isinstance(alias.name, cst.Name) and alias.name.value == "re":
                    name = alias.evaluated_alias or "re"
                    stores = [n for n in variable_names(ctx.module, ctx, name) if is_store(ctx, n)]
                    return name if len(stores) == 1 else None
    return None


def _hoistable(
    ctx: FunctionContext, node: cst.CSTNode, alias: str
) -> tuple[str, cst.BaseExpression, cst.BaseExpression | None, list[int]] | None:
    """(function, pattern, flags, indexes of the arguments the method keeps), else None."""
    if not (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and isinstance(node.func.value, cst.Name)
        and node.func.value.value == alias
        and node.func.attr.value in _FUNCTIONS
        and node.args
        and all(arg.star == "" for arg in node.args)
        and node.args[0].keyword is None
    ):
        return None
    function = node.func.attr.value
    flags_index, method_keywords = _FUNCTIONS[function]
    pattern, flags, keep = node.args[0].value, None, []
    for index, arg in enumerate(node.args[1:], start=1):
        keyword = arg.keyword.value if arg.keyword else None
        if keyword == "flags" or (keyword is None and index == flags_index):
            flags = arg.value
        elif keyword is None or keyword in method_keywords:
            keep.append(index)
        else:
            return None
    if not _compiles(pattern, flags, alias):
        return None
    return function, pattern, flags, keep


def _compiles(pattern: cst.BaseExpression, flags: cst.BaseExpression | None, alias: str) -> bool:
    """The pattern is a literal, the flags are static, and together they compile."""
    value = constant_value(pattern)
    if not isinstance(value, str | bytes):
        return False
    flag_value = 0 if flags is None else _flag_value(flags, alias)
    if flag_value is None:
        return False
    try:
        re.compile(value, flag_value)
    except (re.error, ValueError, TypeError, OverflowError):
        return False  # it would fail at import time instead of at the call
    return True


def _flag_value(expr: cst.BaseExpression, alias: str) -> int | None:
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        left, right = _flag_value(expr.left, alias), _flag_value(expr.right, alias)
        return None if left is None or right is None else left | right
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if (
        isinstance(expr, cst.Attribute)
        and isinstance(expr.value, cst.Name)
        and expr.value.value == alias
        and isinstance(getattr(re, expr.attr.value, None), re.RegexFlag)
    ):
        return int(getattr(re, expr.attr.value))
    return None


def _replacement(constant: str, function: str, keep: list[int]) -> Rewrite:
    def rewrite(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        if function == "compile":
            return cst.Name(constant, lpar=node.lpar, rpar=node.rpar)
        args = [node.args[i].with_changes(comma=cst.MaybeSentinel.DEFAULT) for i in keep]
        return node.with_changes(
            func=cst.Attribute(cst.Name(constant), cst.Name(function)), args=args
        )

    return rewrite


def _module_statement(code: str, first: bool) -> cst.BaseStatement:
    """The first added statement is set off from the code above by two blank lines."""
    blank = [cst.EmptyLine(), cst.EmptyLine()] if first else []
    return cst.parse_statement(code).with_changes(leading_lines=blank)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
