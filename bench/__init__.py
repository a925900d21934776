"""Benchmarks. Each one is a script: `python -m bench.<name> --help`; results in BENCHMARKS.md."""
