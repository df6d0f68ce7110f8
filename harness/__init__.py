"""Processes the tests and the benchmarks start on loopback: daphne servers and redis-server."""
