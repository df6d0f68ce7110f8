"""The deterministic built-in model: no network, it reads the packed context honestly."""
