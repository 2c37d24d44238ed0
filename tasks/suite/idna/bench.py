"""Workload: encode a long Arabic label made of zero-width non-joiners between two BEH letters.

Every joiner's context check scans towards both ends of the label, so the run time grows with
the square of its length. The label is rejected either way; only the verdict is printed."""

import idna

N = 1800
LABEL = "\u0628" + "\u200c" * N + "\u0628"

try:
    idna.encode(LABEL)
    print("accepted")
except idna.IDNAError:
    print("rejected")
