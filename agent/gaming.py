"""Review flags for edits that may fake a speedup. They are shown to the reviewer; they never
reject an edit, because each pattern also has honest uses.

What is flagged, and why:
- caches: `functools.cache`/`lru_cache`/`cached_property` decorators, dict default arguments,
  and module-level dicts filled inside functions. Repeated timing of the same inputs rewards
  remembering answers instead of computing them faster.
- clock and frame reads: `time.time/perf_counter/monotonic/process_time` (and `_ns` forms),
  `sys._getframe`, `inspect.stack/currentframe/getouterframes`, `frame.f_back/f_locals`.
  Code that knows it is being timed, or who called it, can behave differently under the bench.
- special-cased inputs (a heuristic): a comparison (`==`, `!=`, `in`, `is`, `match` case)
  against a literal that also appears in the workload's text. Trivial literals (-1, 0, 1, 2,
  booleans, None, one-character strings, "__main__", encodings, file modes) are ignored, so a
  flag means "this exact value is in the bench": worth a look, not proof.

Input is either the new source of a file (parsed as a whole) or a unified diff. In a diff,
only added lines are flagged: each hunk is parsed when it parses on its own, otherwise its
added lines are matched with regular expressions. With `before` (the file's old source), a
whole-source review keeps only flags that the old source did not already raise.
"""

from __future__ import annotations

import ast
import re
import textwrap

CACHE_DECORATORS = {"cache", "lru_cache", "cached_property"}
CLOCK_CALLS = {f"time.{name}{ns}" for name in ("time", "perf_counter", "monotonic", "process_time")
               for ns in ("", "_ns")}  # fmt: skip
FRAME_CALLS = {"sys._getframe", "inspect.stack", "inspect.currentframe", "inspect.getouterframes",
               "inspect.trace", "traceback.extract_stack"}  # fmt: skip
FRAME_ATTRIBUTES = {"f_back", "f_locals", "f_globals", "f_code"}
DICT_FACTORIES = {"dict", "defaultdict", "OrderedDict", "collections.defaultdict"}
IGNORED_LITERALS: set[object] = {-1, 0, 1, 2, "__main__", "utf-8", "utf8", "ascii", "latin-1",
                                 "r", "w", "rb", "wb", "a", "ab"}  # fmt: skip


def review_flags(diff_or_new_source: str, bench_text: str, before: str | None = None) -> list[str]:
    """One-line flags ("line N: ..." or "path:N: ..." for a diff), in order, without repeats."""
    literals = bench_literals(bench_text)
    if _is_diff(diff_or_new_source):
        flags = _diff_flags(diff_or_new_source, literals)
    else:
        found = _source_flags(diff_or_new_source, literals)
        if before is not None:
            old = {message for _, message in _source_flags(before, literals)}
            found = [(line, message) for line, message in found if message not in old]
        flags = [f"line {line}: {message}" for line, message in found]
    return list(dict.fromkeys(flags))


def bench_literals(bench_text: str) -> set[object]:
    """The workload's non-trivial literals: from its AST when it is Python, else any quoted
    string or number in it (a shell command line)."""
    values: list[object]
    try:
        values = [n.value for n in ast.walk(ast.parse(bench_text)) if isinstance(n, ast.Constant)]
    except (SyntaxError, ValueError):
        values = [
            _literal(tok) for tok in re.findall(r"'[^']*'|\"[^\"]*\"|\b\d[\d_.]*\b", bench_text)
        ]
    return {v for v in values if _interesting(v)}


def _interesting(value: object) -> bool:
    if value is None or isinstance(value, bool) or value in IGNORED_LITERALS:
        return False
    if isinstance(value, str | bytes):
        return len(value) > 1
    return isinstance(value, int | float)


def _literal(token: str) -> object:
    try:
        return ast.literal_eval(token)
    except (ValueError, SyntaxError):
        return None


# --- whole sources ---------------------------------------------------------------------
def _source_flags(source: str, literals: set[object]) -> list[tuple[int, str]]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        lines = source.splitlines()
        return _line_flags(list(enumerate(lines, start=1)), literals)
    finder = _Finder(tree, literals)
    finder.visit(tree)
    return sorted(finder.found, key=lambda item: item[0])


class _Finder(ast.NodeVisitor):
    def __init__(self, tree: ast.Module, literals: set[object]) -> None:
        self.literals = literals
        self.found: list[tuple[int, str]] = []
        self.aliases = _import_aliases(tree)
        self.module_dicts = {name for stmt in tree.body for name in self._dict_names(stmt)}
        self.function = ""  # the innermost function being visited

    def _dict_names(self, stmt: ast.stmt) -> list[str]:
        if isinstance(stmt, ast.Assign) and self._is_dict(stmt.value):
            return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
        if isinstance(stmt, ast.AnnAssign) and stmt.value and self._is_dict(stmt.value):
            return [stmt.target.id] if isinstance(stmt.target, ast.Name) else []
        return []

    def _is_dict(self, value: ast.expr) -> bool:
        if isinstance(value, ast.Dict):
            return True
        return isinstance(value, ast.Call) and self.dotted(value.func) in DICT_FACTORIES

    def dotted(self, node: ast.expr) -> str:
        """`a.b.c` with import aliases resolved (`from time import perf_counter as pc`)."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else ""
        return ""

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for deco in node.decorator_list:
            name = self.dotted(deco.func if isinstance(deco, ast.Call) else deco)
            if name in CACHE_DECORATORS or name.removeprefix("functools.") in CACHE_DECORATORS:
                self.flag(deco, f"cache: @{name} on {node.name} remembers results across calls")
        for default in [*node.args.defaults, *(d for d in node.args.kw_defaults if d)]:
            if self._is_dict(default):
                self.flag(default, f"cache: dict default argument of {node.name} persists")
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        name = self.dotted(node.func)
        if name in CLOCK_CALLS:
            self.flag(node, f"clock: {name}() read{self._where()}")
        elif name in FRAME_CALLS:
            self.flag(node, f"frames: {name}() inspects the call stack{self._where()}")
        elif (self.function and isinstance(node.func, ast.Attribute)
              and node.func.attr in {"setdefault", "update", "__setitem__"}
              and self._module_dict(node.func.value)):  # fmt: skip
            self._module_dict_flag(node, node.func.value)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in FRAME_ATTRIBUTES:
            self.flag(node, f"frames: .{node.attr} reads a frame{self._where()}")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self.function and isinstance(node.ctx, ast.Store) and self._module_dict(node.value):
            self._module_dict_flag(node, node.value)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for operand in [node.left, *node.comparators]:
            for const in _constants(operand):
                self._literal_flag(const)
        self.generic_visit(node)

    def visit_MatchValue(self, node: ast.MatchValue) -> None:
        for const in _constants(node.value):
            self._literal_flag(const)
        self.generic_visit(node)

    def _module_dict(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.module_dicts

    def _module_dict_flag(self, at: ast.expr, target: ast.expr) -> None:
        name = target.id if isinstance(target, ast.Name) else "?"
        self.flag(at, f"cache: module-level dict {name} is filled in {self.function}")

    def _literal_flag(self, const: ast.Constant) -> None:
        if _interesting(const.value) and const.value in self.literals:
            self.flag(const, _special_case(const.value, self._where()))

    def flag(self, node: ast.expr | ast.stmt, message: str) -> None:
        self.found.append((node.lineno, message))

    def _where(self) -> str:
        return f" in {self.function}" if self.function else ""


def _special_case(value: object, where: str) -> str:
    return f"special case: compares with {value!r} (a literal of the workload){where}"


def _constants(node: ast.expr) -> list[ast.Constant]:
    if isinstance(node, ast.Constant):
        return [node]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [e for e in node.elts if isinstance(e, ast.Constant)]
    return []


def _import_aliases(tree: ast.Module) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update({a.asname: a.name for a in node.names if a.asname})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            aliases.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
    return aliases


# --- diffs -------------------------------------------------------------------------------
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def _is_diff(text: str) -> bool:
    return bool(re.search(r"^@@ -\d+", text, re.MULTILINE)) and "\n+++ " in "\n" + text


def _diff_flags(diff: str, literals: set[object]) -> list[str]:
    flags: list[str] = []
    for path, hunk in _hunks(diff):
        flags += [f"{path}:{line}: {message}" for line, message in _hunk_flags(hunk, literals)]
    return flags


def _hunks(diff: str) -> list[tuple[str, list[tuple[int, str, bool]]]]:
    """(path, [(new line number, text, added?)]) per hunk of the new side."""
    out: list[tuple[str, list[tuple[int, str, bool]]]] = []
    path, number = "?", 0
    for raw in diff.splitlines():
        if raw.startswith("+++ "):
            path = raw[4:].strip().removeprefix("b/")
        elif match := _HUNK.match(raw):
            number = int(match.group(1))
            out.append((path, []))
        elif out and raw.startswith(("+", " ")) and not raw.startswith("+++"):
            out[-1][1].append((number, raw[1:], raw.startswith("+")))
            number += 1
    return out


def _hunk_flags(hunk: list[tuple[int, str, bool]], literals: set[object]) -> list[tuple[int, str]]:
    added = {number for number, _, plus in hunk if plus}
    if not added:
        return []
    first = hunk[0][0]
    try:
        tree = ast.parse(textwrap.dedent("\n".join(text for _, text, _ in hunk)))
    except (SyntaxError, ValueError):  # a hunk is often a fragment: fall back to line patterns
        return _line_flags([(n, text) for n, text, plus in hunk if plus], literals)
    finder = _Finder(tree, literals)
    finder.visit(tree)
    shifted = [(first + line - 1, message) for line, message in finder.found]
    return sorted((line, message) for line, message in shifted if line in added)


_LINE_PATTERNS = [
    (re.compile(r"@\s*(?:functools\.)?(lru_cache|cache|cached_property)\b"), "cache: @{0} remembers results across calls"),
    (re.compile(r"\b(time\.(?:time|perf_counter|monotonic|process_time)(?:_ns)?)\s*\("), "clock: {0}() read"),
    (re.compile(r"\b(sys\._getframe|inspect\.(?:stack|currentframe|getouterframes))\b"), "frames: {0}() inspects the call stack"),
    (re.compile(r"\.(f_back|f_locals|f_globals)\b"), "frames: .{0} reads a frame"),
    (re.compile(r"^([A-Za-z_]\w*)\s*(?::[^=]*)?=\s*(?:\{\}|dict\(\)|(?:collections\.)?defaultdict\()"), "cache: module-level dict {0} added"),
]  # fmt: skip
_COMPARISON = re.compile(r"==|!=|\bin\b|\bis\b|^\s*case\b")
_LITERAL = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|(?<![\w.])-?\d[\d_]*(?:\.\d+)?(?![\w.])")


def _line_flags(lines: list[tuple[int, str]], literals: set[object]) -> list[tuple[int, str]]:
    found = []
    for number, text in lines:
        for pattern, message in _LINE_PATTERNS:
            if match := pattern.search(text):
                found.append((number, message.format(match.group(1))))
        loop_only = text.lstrip().startswith("for ") and not re.search(r"==|!=", text)
        if _COMPARISON.search(text) and not loop_only:  # `for x in ...` is no comparison
            for token in _LITERAL.findall(text):
                value = _literal(token)
                if _interesting(value) and value in literals:
                    found.append((number, _special_case(value, "")))
    return found
