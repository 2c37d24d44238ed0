"""Workload: the demo project's own benchmark (bench.py in the project) on a smaller log, so
one run takes well under a second. Prints the same checksums as the project's bench."""

import hashlib
import random

import bench as demo  # the project's bench.py: its log generator and seed
from shoplog import render_customer_table, render_summary, summarize_log

demo.N_PEOPLE = 2000
demo.N_LINES = 12_000

report = summarize_log(demo.make_log(random.Random(demo.SEED)))
summary = render_summary(report)
table = render_customer_table(report)
print("\n".join(summary.splitlines()[:9]))
print(f"summary sha256  {hashlib.sha256(summary.encode()).hexdigest()}")
print(f"customers sha256  {hashlib.sha256(table.encode()).hexdigest()}")
