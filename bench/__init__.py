"""Benchmarks: a programme's worth of data, the main paths timed against floors.

Run with ``make bench`` or ``python -m bench --help``. See BENCHMARKS.md for what each figure
means. Nothing here runs in production; ``tests/bench`` keeps it working.
"""
