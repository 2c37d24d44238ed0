"""Static (AST) checks that reject a kernel candidate before it runs.

They target the known ways kernel benchmarks get gamed: falling back to PyTorch inside try/except,
inheriting or calling the reference, calling the very op the task asks to replace, side streams and
threads that escape the timed region, patching timers or global precision flags, and silent dtype
downgrades. Dynamic checks (trials.py) back these up at run time; neither alone is enough.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from evaluation.kernels.records import Violation

_THREAD_MODULES = {
    "threading",
    "_thread",
    "concurrent",
    "multiprocessing",
    "asyncio",
    "subprocess",
    "signal",
}
_INTROSPECTION_MODULES = {
    "inspect",
    "gc",
    "ctypes",
    "importlib",
    "builtins",
    "unittest",
    "pickle",
    "marshal",
}
_DYNAMIC_BUILTINS = {"eval", "exec", "compile", "__import__", "globals", "locals", "vars"}
_SIDE_STREAM = {
    "torch.cuda.Stream", "torch.cuda.stream", "torch.cuda.set_stream", "torch.cuda.ExternalStream",
    "torch.cuda.StreamContext", "torch.cuda.Event", "torch.cuda.graph", "torch.cuda.CUDAGraph",
    "torch.cuda.make_graphed_callables", "torch.Stream", "torch.Event", "torch.cuda.graphs",
}  # fmt: skip
_STREAM_METHODS = {"wait_stream", "record_stream", "wait_event"}
_OS_PROCESS = {"fork", "system", "popen", "spawnv", "spawnl", "execv", "execl", "posix_spawn"}
_BASELINES = {"torch.compile", "torch.jit.script", "torch.jit.trace", "torch.cuda.jiterator"}
_GLOBAL_STATE = {
    "set_default_dtype",
    "set_float32_matmul_precision",
    "use_deterministic_algorithms",
}
_FLOAT8 = ("float8", "fp8")


def static_check(source: str, forbidden: Iterable[str], dtypes: Iterable[str]) -> list[Violation]:
    """All violations in a candidate's source, sorted by line (empty list = clean)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [Violation("syntax", exc.lineno or 0, f"does not parse: {exc.msg}")]
    visitor = _Visitor(_import_aliases(tree), set(forbidden), set(dtypes))
    visitor.visit(tree)
    found = visitor.found | set(_model_new_shape(tree, visitor.aliases))
    return sorted(found, key=lambda v: (v.line, v.rule, v.message))


def uses_cuda_source(source: str) -> bool:
    """Candidates that build CUDA C++ (load_inline / __global__) are compile-only without a GPU."""
    return "load_inline" in source or "__global__" in source


def _import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted module path, for every import anywhere in the file."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    root = a.name.split(".")[0]
                    aliases[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """`F.softmax` -> 'torch.nn.functional.softmax' when F is an imported alias, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([aliases[node.id], *reversed(parts)])
    return None


class _Visitor(ast.NodeVisitor):
    def __init__(self, aliases: dict[str, str], forbidden: set[str], dtypes: set[str]) -> None:
        self.aliases = aliases
        self.forbidden = forbidden
        self.dtypes = dtypes
        self.found: set[Violation] = set()
        self._in_triton = 0  # depth inside @triton.jit functions, where tl.* semantics apply

    def add(self, rule: str, node: ast.AST, message: str) -> None:
        self.found.add(Violation(rule, getattr(node, "lineno", 0), message))

    # -- structure -------------------------------------------------------------------------
    def visit_Try(self, node: ast.Try) -> None:
        if node.handlers:
            self.add(
                "try-except",
                node,
                "try/except can hide a fallback to PyTorch when the kernel fails",
            )
        self.generic_visit(node)

    visit_TryStar = visit_Try  # type: ignore[assignment]

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        is_triton = any(
            (_dotted(_callee(d), self.aliases) or "").startswith("triton.")
            for d in node.decorator_list
        )
        self._in_triton += is_triton
        self.generic_visit(node)
        self._in_triton -= is_triton

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    # -- imports ---------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self._check_module(a.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        self._check_module(module, node)
        if module.startswith("tasks.kernels.problems") or any(
            a.name == "Model" for a in node.names
        ):
            self.add("calls-reference", node, "imports the reference Model")
        for a in node.names:
            self._check_path(f"{module}.{a.name}", node)

    def _check_module(self, name: str, node: ast.AST) -> None:
        root = name.split(".")[0]
        if root in _THREAD_MODULES or name == "torch.multiprocessing":
            self.add(
                "threads",
                node,
                f"imports {name}: work must not escape the caller's thread or stream",
            )
        if root in _INTROSPECTION_MODULES:
            self.add(
                "introspection",
                node,
                f"imports {name}: no frame, memory or import-machinery access",
            )

    # -- names and calls -------------------------------------------------------------------
    def visit_Attribute(self, node: ast.Attribute) -> None:
        path = _dotted(node, self.aliases)
        if path is not None:
            self._check_path(path, node)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "Model":
            self.add("calls-reference", node, "refers to the reference Model")
        if node.id in self.aliases and "." in self.aliases[node.id]:
            self._check_path(self.aliases[node.id], node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in _DYNAMIC_BUILTINS:
            self.add(
                "introspection", node, f"calls {func.id}(): no dynamic code or namespace access"
            )
        if (
            isinstance(func, ast.Name)
            and func.id in {"setattr", "delattr", "getattr"}
            and node.args
            and _dotted(node.args[0], self.aliases) is not None
        ):
            self.add(
                "monkeypatch", node, f"{func.id}() on a module: no patching or hidden op lookups"
            )
        if isinstance(func, ast.Attribute) and _dotted(func, self.aliases) is None:
            self._check_method(func, node)
        if _is_super_forward(func):
            self.add(
                "calls-reference", node, "calls the parent's forward (the reference computation)"
            )
        self.generic_visit(node)

    def _check_method(self, func: ast.Attribute, node: ast.Call) -> None:
        """x.softmax(), self.linear(x), a.half(): calls on objects rather than modules."""
        name = func.attr
        if name in _STREAM_METHODS:
            self.add("side-stream", node, f".{name}() synchronizes across streams")
        if self._in_triton:
            return
        if name in self.forbidden:
            self.add(
                "forbidden-op", node, f"calls .{name}(), the operation this task asks to replace"
            )
        if name in _DTYPE_METHODS_DOWN and _DTYPE_METHODS_DOWN[name] not in self.dtypes:
            self.add("dtype-downgrade", node, f".{name}() silently lowers precision")

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.MatMult) and "matmul" in self.forbidden and not self._in_triton:
            self.add(
                "forbidden-op", node, "uses the @ operator (torch.matmul) this task asks to replace"
            )
        self.generic_visit(node)

    # -- assignments (monkeypatching, global flags) ----------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._check_target(target)
        self.generic_visit(node)

    def _check_target(self, target: ast.expr) -> None:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Attribute) and (path := _dotted(sub, self.aliases)) is not None:
                rule = "dtype-downgrade" if "allow_" in path else "monkeypatch"
                self.add(
                    rule,
                    sub,
                    f"assigns to {path}: patching timers, ops or global flags is not allowed",
                )
                return

    # -- one dotted path -------------------------------------------------------------------
    def _check_path(self, path: str, node: ast.AST) -> None:
        parts = path.split(".")
        root, leaf = parts[0], parts[-1]
        if root == "torch":
            self._check_torch_path(path, parts, node)
        if root == "os" and leaf in _OS_PROCESS:
            self.add("threads", node, f"uses {path}: no extra processes")
        if root == "sys" and leaf.startswith("_get"):
            self.add("introspection", node, f"uses {path}: no frame access")
        if any(f in leaf.lower() for f in _FLOAT8):
            self.add("dtype-downgrade", node, f"uses {path}: 8-bit floats lose precision")
        if leaf in {"float16", "half"} and "float16" not in self.dtypes:
            self.add("dtype-downgrade", node, f"uses {path} in a task without float16")
        if leaf == "bfloat16" and "bfloat16" not in self.dtypes:
            self.add("dtype-downgrade", node, f"uses {path} in a task without bfloat16")

    def _check_torch_path(self, path: str, parts: list[str], node: ast.AST) -> None:
        if parts[-1] in self.forbidden:
            self.add("forbidden-op", node, f"uses {path}, the operation this task asks to replace")
        if path in _SIDE_STREAM or any(path.startswith(p + ".") for p in _SIDE_STREAM):
            self.add(
                "side-stream",
                node,
                f"uses {path}: side streams, events and graphs escape the timer",
            )
        if path in _BASELINES:
            self.add(
                "baseline",
                node,
                f"uses {path}: the compiler is the baseline, not a candidate kernel",
            )
        if any(p.startswith("_") or p == "ops" for p in parts[1:]):
            self.add(
                "private-api", node, f"uses {path}: private/raw op APIs bypass the harness's checks"
            )
        if (
            parts[-1] in _GLOBAL_STATE
            or "allow_tf32" in parts
            or "allow_fp16_reduced_precision_reduction" in parts
        ):
            self.add(
                "dtype-downgrade",
                node,
                f"uses {path}: global precision state affects the reference too",
            )


# Tensor methods that cast down, and the task dtype that makes them legitimate.
_DTYPE_METHODS_DOWN = {"half": "float16", "bfloat16": "bfloat16"}


def _callee(decorator: ast.expr) -> ast.expr:
    return decorator.func if isinstance(decorator, ast.Call) else decorator


def _is_super_forward(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "forward"
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "super"
    )


def _model_new_shape(tree: ast.Module, aliases: dict[str, str]) -> list[Violation]:
    """ModelNew must exist, subclass nn.Module directly, and define its own forward."""
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ModelNew"]
    if not classes:
        return [Violation("no-modelnew", 0, "defines no top-level class ModelNew")]
    cls = classes[0]
    out = []
    bases = [_dotted(b, aliases) for b in cls.bases]
    if bases != ["torch.nn.Module"] and bases != ["torch.nn.modules.module.Module"]:
        names = ", ".join(ast.unparse(b) for b in cls.bases) or "nothing"
        out.append(
            Violation(
                "subclasses-reference",
                cls.lineno,
                f"ModelNew must subclass nn.Module directly, not {names}",
            )
        )
    if not any(isinstance(n, ast.FunctionDef) and n.name == "forward" for n in cls.body):
        out.append(Violation("no-forward", cls.lineno, "ModelNew defines no forward of its own"))
    return out
