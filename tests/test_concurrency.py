"""Answering from several threads at once, as the server does (one Assistant for every request)."""

from concurrent.futures import ThreadPoolExecutor

from ingest.embedder import Embedder

LONG = "the county industrial park hosts aluminium smelters and coal power plants " * 60


def test_counting_and_embedding_at_once_give_the_same_results_as_alone(bundled_embedder: Embedder):
    """A query embedding (which truncates to the model's window) and a token count (which must
    not) share one tokenizer: side by side they once gave truncated counts and crashed the model
    with untruncated input."""
    alone_count = bundled_embedder.count([LONG])[0]
    alone_vector = bundled_embedder.embed_query(LONG)
    assert alone_count > bundled_embedder.max_tokens  # long enough to be cut by the model

    def work(i: int) -> list:
        if i % 2:
            return [bundled_embedder.count([LONG])[0] for _ in range(100)]
        return [float(bundled_embedder.embed_query(LONG) @ alone_vector) for _ in range(40)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    counts = [n for i, r in enumerate(results) if i % 2 for n in r]
    similarities = [s for i, r in enumerate(results) if not i % 2 for s in r]
    assert set(counts) == {alone_count}
    assert min(similarities) > 0.999
