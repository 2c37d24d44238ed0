"""Speed-relevant ruff autofixes, confined to one function's lines, one result per rule code.

ruff runs on a temporary copy of the file (never the workspace). A first run lists the
diagnostics with fixes; then, for each rule code that fires inside the span, a `--fix` run
with only that code, whose diff we keep only inside the span (plus the module's imports
when the fix adds or extends one, e.g. for itertools.pairwise). One result per code lets
each be measured and credited on its own.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from agent.proposers.replacements import apply_hunks, line_hunks


@dataclass(frozen=True)
class SpeedRule:
    why: str  # why the fix makes code faster, for the edit's rationale
    unsafe_ok: bool  # ruff calls most of these fixes unsafe only because comments may go


# Rules whose fixes save work at run time (checked with `ruff rule CODE` on ruff 0.17:
# all have fixes and are stable). Left out on purpose: FURB192 sorted()[0] (our
# sorted-min-max codemod handles it with stricter conditions), PLC0208 (iterating a set
# literal as a tuple changes the order), FURB171 (`x in (y,)` -> `x == y` loses the
# identity check, e.g. for NaN), FURB187 (in-place reverse is visible through aliases),
# UP028 (`yield from` forwards send/throw), UP031 (% formatting is faster than .format),
# PERF203/PERF402/C415 (no fix), and style-only rules.
SPEED_RULES: dict[str, SpeedRule] = {
    "PERF101": SpeedRule("iterates the list itself instead of a copy made by list()", True),
    "PERF102": SpeedRule("iterates .keys()/.values() instead of building (key, value) pairs", True),
    "PERF401": SpeedRule("builds the list with a comprehension instead of append calls", True),
    "PERF403": SpeedRule("builds the dict with a comprehension instead of item assignments", True),
    "C400": SpeedRule("a list comprehension avoids a generator inside list()", True),
    "C401": SpeedRule("a set comprehension avoids a generator inside set()", True),
    "C402": SpeedRule("a dict comprehension avoids a generator inside dict()", True),
    "C403": SpeedRule("a set comprehension avoids building a throwaway list", True),
    "C404": SpeedRule("a dict comprehension avoids building a throwaway list", True),
    "C405": SpeedRule("a set literal avoids a throwaway list and a set() call", True),
    "C406": SpeedRule("a dict literal avoids a throwaway list and a dict() call", True),
    "C408": SpeedRule("a literal avoids a global lookup and a call of dict()/list()/tuple()", True),
    "C409": SpeedRule("a tuple literal avoids a throwaway list and a tuple() call", True),
    "C410": SpeedRule("a list literal avoids copying it with list()", True),
    "C411": SpeedRule("drops list() around a list comprehension, a needless copy", True),
    # Safe fixes only: the unsafe one turns reversed(sorted(x)) into sorted(reverse=True),
    # which orders equal items differently.
    "C413": SpeedRule("drops list() around sorted(), a needless copy", False),
    "C414": SpeedRule("drops an inner list()/tuple()/sorted() whose result is copied again", True),
    "C416": SpeedRule("list(x)/set(x) copy at C speed instead of an identity comprehension", True),
    "C417": SpeedRule("a comprehension avoids calling a lambda for every item via map()", True),
    "C419": SpeedRule("any()/all() over a generator stop early instead of building a list", True),
    "C420": SpeedRule("dict.fromkeys builds the dict in C instead of a comprehension", True),
    "SIM109": SpeedRule("one `in` test on a tuple instead of a chain of == tests", True),
    "SIM118": SpeedRule("`key in dict` avoids creating a keys view", True),
    "PIE810": SpeedRule("one startswith/endswith call with a tuple instead of several", True),
    "PLR1714": SpeedRule("one membership test instead of a chain of == tests", True),
    "PLR1733": SpeedRule("uses the value from .items() instead of indexing the dict again", True),
    "PLR1736": SpeedRule(
        "uses the value from enumerate() instead of indexing the list again", True
    ),
    "PLW3301": SpeedRule("one min()/max() call instead of nested calls", True),
    "FURB129": SpeedRule("iterates the file lazily instead of reading all lines into a list", True),
    "FURB132": SpeedRule("set.discard does the membership test and removal in one call", True),
    "FURB161": SpeedRule("int.bit_count() counts bits without formatting a binary string", True),
    "FURB168": SpeedRule("`x is None` instead of an isinstance call on type(None)", True),
    "FURB169": SpeedRule("`x is None` instead of calling type() and comparing", True),
    "RUF007": SpeedRule("itertools.pairwise avoids slicing a copy of the sequence", True),
    # Unsafe only in the exception raised for empty input (StopIteration, not IndexError).
    "RUF015": SpeedRule("next(iter(x)) reads the first item without copying everything", True),
    "RUF017": SpeedRule("in-place concatenation makes summing lists linear, not quadratic", True),
    "RUF019": SpeedRule("dict.get does one lookup instead of a membership test and an index", True),
    "RUF051": SpeedRule("dict.pop(key, None) does one lookup instead of a test and a del", True),
    "FLY002": SpeedRule("an f-string avoids building a list and calling str.join", True),
    "UP012": SpeedRule("a bytes literal avoids encoding a constant on every call", True),
    "UP018": SpeedRule("a literal avoids calling str()/int()/... on a constant", True),
    "UP032": SpeedRule("f-strings format faster than str.format calls", True),
}


@dataclass(frozen=True)
class RuffFix:
    """The file's text with one rule's fixes applied inside the span."""

    code: str
    name: str  # ruff's name for the rule, e.g. "in-dict-keys"
    why: str
    new_text: str
    added_imports: bool


class RuffError(RuntimeError):
    """ruff itself failed (not: found problems); the message has its stderr."""


class RuffFixer:
    def __init__(self, executable: Path, target_version: str | None = None) -> None:
        self.executable = executable
        self.target_version = target_version or f"py{sys.version_info[0]}{sys.version_info[1]}"

    @classmethod
    def find(cls) -> RuffFixer | None:
        """The ruff next to this interpreter (a virtualenv's), else the one on PATH."""
        beside = Path(sys.executable).parent / "ruff"
        if beside.exists():
            return cls(beside)
        found = shutil.which("ruff")
        return cls(Path(found)) if found else None

    @cached_property
    def rule_names(self) -> dict[str, str]:
        """Code -> name of the speed rules this ruff knows, has fixes for, and not in preview."""
        rules = json.loads(self._ruff("rule", "--all", "--output-format", "json"))
        return {
            r["code"]: r["name"]
            for r in rules
            if r.get("code") in SPEED_RULES
            and not r.get("preview")
            and "not available" not in str(r.get("fix", ""))
        }

    def fixes(self, source: str, filename: str, first_line: int, last_line: int) -> list[RuffFix]:
        """One RuffFix per speed rule with a fix inside lines first_line..last_line."""
        if not _parses(source):
            return []  # this Python cannot compile the file, so no edit of it could be checked
        with tempfile.TemporaryDirectory(prefix="perfsmith-ruff-") as tmp:
            path = Path(tmp) / Path(filename).name
            path.write_text(source, encoding="utf-8")
            codes = self._codes_in_span(path, first_line, last_line)
            results = []
            for code in sorted(codes):
                path.write_text(source, encoding="utf-8")
                self._check(path, code, "--fix", *self._unsafe(code))
                fixed = path.read_text(encoding="utf-8")
                if not _parses(fixed):
                    continue  # a broken fix; the proposer would reject it anyway
                result = _confine(source, fixed, first_line, last_line)
                if result is not None:
                    text, imports = result
                    rule = SPEED_RULES[code]
                    results.append(RuffFix(code, self.rule_names[code], rule.why, text, imports))
            return results

    def _codes_in_span(self, path: Path, first_line: int, last_line: int) -> set[str]:
        output = self._check(
            path, ",".join(self.rule_names), "--unsafe-fixes", "--output-format", "json"
        )
        codes = set()
        for diagnostic in json.loads(output):
            code, fix = diagnostic.get("code"), diagnostic.get("fix")
            if code not in self.rule_names or not fix:
                continue
            if fix.get("applicability") != "safe" and not SPEED_RULES[code].unsafe_ok:
                continue
            if first_line <= diagnostic["location"]["row"] <= last_line:
                codes.add(code)
        return codes

    def _unsafe(self, code: str) -> tuple[str, ...]:
        return ("--unsafe-fixes",) if SPEED_RULES[code].unsafe_ok else ()

    def _check(self, path: Path, select: str, *options: str) -> str:
        return self._ruff(
            "check", "--isolated", "--no-cache", "--exit-zero", "--quiet",
            "--target-version", self.target_version, "--select", select, *options, str(path),
        )  # fmt: skip

    def _ruff(self, *args: str) -> str:
        done = subprocess.run(
            [str(self.executable), *args], capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            raise RuffError(f"ruff {args[0]} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout


def _confine(old: str, fixed: str, first_line: int, last_line: int) -> tuple[str, bool] | None:
    """`old` with only the fixes inside the span, plus changes to the module's imports above
    it (a fix may add `import itertools` or extend `from itertools import ...`).
    None if nothing inside the span changed."""
    hunks = line_hunks(old, fixed)
    inside = [h for h in hunks if h.within(first_line, last_line)]
    if not inside:
        return None
    old_imports, new_imports = _import_lines(old), _import_lines(fixed)
    imports = [
        h
        for h in hunks
        if h.above(first_line)
        and _covered(old, range(h.old_start, h.old_end), old_imports)
        and _covered(fixed, range(h.new_start, h.new_end), new_imports)
    ]
    return apply_hunks(old, fixed, inside + imports), bool(imports)


def _import_lines(text: str) -> set[int]:
    """0-based numbers of the lines that top-level import statements span."""
    lines: set[int] = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            lines.update(range(node.lineno - 1, node.end_lineno or node.lineno))
    return lines


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):  # ValueError: null bytes
        return False
    return True


def _covered(text: str, numbers: range, allowed: set[int]) -> bool:
    """Every line in `numbers` is blank or part of an import statement."""
    lines = text.splitlines()
    return all(n in allowed or not lines[n].strip() for n in numbers)
