"""Workload: detect the encoding of three seeded texts in single-byte code pages. Prints
each detected encoding and a hash of the decoded text."""

import hashlib
import random

from charset_normalizer import from_bytes

rng = random.Random(7)
WORDS = [
    "Grüße",
    "naïve",
    "café",
    "résumé",
    "Zürich",
    "Straße",
    "über",
    "déjà",
    "façade",
    "année",
    "hello",
    "world",
    "the",
    "and",
    "Öl",
    "Ärger",
]
TEXTS = [" ".join(rng.choice(WORDS) for _ in range(5000)) for _ in range(3)]

for text, encoding in zip(TEXTS, ["cp1252", "latin_1", "cp1252"], strict=True):
    best = from_bytes(text.encode(encoding)).best()
    assert best is not None
    print(best.encoding, hashlib.sha256(str(best).encode()).hexdigest()[:12])
