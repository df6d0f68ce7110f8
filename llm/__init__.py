"""The model layer: providers behind one interface, the agents' request formats, usage and spans.

Django-free and importing nothing else of ours (see docs/architecture.md).
"""
