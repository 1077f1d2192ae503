"""Helpers the benchmarks share (a folder, so `benchmarks/run.py` does not run them)."""
