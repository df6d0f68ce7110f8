"""The Django project: settings, URLs, the ASGI application and the server's entry point."""

import os

# NumPy's BLAS would spread each product of a query with a user's memory vectors
# (memory/vectors.py) over a thread per core, spinning them for microseconds of work: on a
# server that runs many requests at once, one thread each is faster and costs less CPU.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
