"""Benchmarks: `gate/` is what `make bench` runs, `studies/` one-off measurements.

`common/` holds their shared parts. Run each as a module: `python -m bench.gate.stream_bench`.
"""
