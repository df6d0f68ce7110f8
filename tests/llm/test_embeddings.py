"""The embedders: hashed words (lexical), e5-small (semantic, shipped in a wheel), OpenAI's API."""

from __future__ import annotations

import numpy as np
import pytest

from llm.embeddings import (
    E5Small,
    EmbeddingError,
    HashedWords,
    OpenAIEmbeddings,
    from_bytes,
    make_embedder,
    to_bytes,
)
from tests.support.fake_embeddings import FakeEmbeddings

DISTRACTORS = [
    "My sister lives in Oslo.",
    "My favourite colour is teal.",
    "I work at a bakery.",
    "I have two cats.",
]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The similarity of two unit vectors."""
    return float(a @ b)


def test_hashed_words_are_unit_vectors_the_same_in_every_process():
    first, again = HashedWords().embed(["My sister lives in Oslo."] * 2)
    assert first.dtype == np.float32 and first.shape == (256,)
    assert abs(float(np.linalg.norm(first)) - 1.0) < 1e-6
    assert np.array_equal(first, again)
    assert np.array_equal(from_bytes(to_bytes(first)), first)


def test_hashed_words_measure_shared_word_stems_and_nothing_else():
    embedder = HashedWords()
    question, statement, other = embedder.embed(
        ["Where does my sister live?", "My sister lives in Oslo.", "I prefer window seats."]
    )
    assert cosine(question, statement) >= embedder.floor
    assert cosine(question, other) == 0.0  # no shared stem: lexical, as documented


def test_a_text_without_content_words_is_the_zero_vector():
    (vector,) = HashedWords().embed(["What do you remember about me?"])
    assert not vector.any()


def test_the_local_model_finds_a_statement_that_shares_no_word_with_the_question():
    embedder = E5Small()
    passages = embedder.embed(["I prefer window seats.", *DISTRACTORS])
    (query,) = embedder.embed(["where do I like to sit on a plane"], query=True)
    scores = [cosine(query, passage) for passage in passages]
    assert scores.index(max(scores)) == 0
    assert scores[0] >= embedder.floor > max(scores[1:])


def test_an_openai_compatible_endpoint_embeds_in_one_request_in_input_order():
    vectors = {"a": [3.0, 4.0, 0.0, 0.0], "b": [0.0, 0.0, 0.0, 2.0]}
    with FakeEmbeddings(vectors) as fake:
        embedder = OpenAIEmbeddings("embed-small", base_url=fake.base_url, api_key="k")
        first, second = embedder.embed(["a", "b"])
    assert [(r["model"], r["input"]) for r in fake.requests] == [("embed-small", ["a", "b"])]
    assert np.allclose(first, [0.6, 0.8, 0.0, 0.0]) and np.allclose(second, [0, 0, 0, 1])
    assert embedder.name == "openai:embed-small"


@pytest.mark.parametrize("fake", [{"status": 503}, {"short": True}], ids=["down", "short"])
def test_a_failing_endpoint_is_an_embedding_error(fake):
    with FakeEmbeddings(**fake) as server:
        embedder = OpenAIEmbeddings("embed-small", base_url=server.base_url, api_key="k")
        with pytest.raises(EmbeddingError):
            embedder.embed(["a", "b"])


def test_an_unknown_embedder_is_refused_by_name():
    with pytest.raises(ValueError, match="hashed-words, e5-small, openai"):
        make_embedder("word2vec")
