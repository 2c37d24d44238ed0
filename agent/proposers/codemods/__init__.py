"""The libcst codemods of the rules proposer, by rule name; each module documents its rule
and the conditions under which it fires."""

from __future__ import annotations

from agent.proposers.codemods.base import Codemod
from agent.proposers.codemods.bound_method import BoundMethod
from agent.proposers.codemods.literal_set import LiteralSet
from agent.proposers.codemods.membership_set import MembershipSet
from agent.proposers.codemods.regex_hoist import RegexHoist
from agent.proposers.codemods.seen_set import SeenSet
from agent.proposers.codemods.sorted_min_max import SortedMinMax
from agent.proposers.codemods.str_join import StrJoin

# Algorithmic wins first; the bound-method hoist is the smallest gain.
CODEMODS: dict[str, Codemod] = {
    codemod.name: codemod
    for codemod in (
        MembershipSet(),
        LiteralSet(),
        SeenSet(),
        RegexHoist(),
        StrJoin(),
        SortedMinMax(),
        BoundMethod(),
    )
}

__all__ = ["CODEMODS", "Codemod"]
