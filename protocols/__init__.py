"""Wire protocols beside the chat stream: one package each, an adapter over the run engine.

A protocol maps its URLs and bodies to `runs.engine` (admit, read events, cancel, find) and
renders the run's events in its own format; it uses the shared HTTP edge (`edge/`) for every
check before the body and for the stream's copying. Protocols import neither each other nor
`chat`'s modules (tests/site/test_architecture.py); see docs/architecture.md.
"""
