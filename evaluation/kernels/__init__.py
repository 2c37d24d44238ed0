"""Checking and timing GPU kernel candidates (KernelBench convention: a `ModelNew` per problem).

Parent-side modules (checker, static_checks, records, summary) import only the standard library, so
a bare GPU machine can report what is missing before anything heavy loads. Candidates always run in
a child process (check_child, time_child) with a clean environment. See docs/kernels.md.
"""
