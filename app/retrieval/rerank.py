"""Optional cross-encoder reranking (e.g. BAAI/bge-reranker-v2-m3), loaded like the embedder:
a local folder or cached model at once, the hub only if it answers within seconds; otherwise
one line says so and answers go on without reranking."""

from collections.abc import Callable

from app.settings import Settings
from ingest.embedder import locate

from .retriever import Passage


class Reranker:
    def __init__(self, model, name: str):
        self.model = model
        self.name = name

    def rerank(self, question: str, passages: list[Passage]) -> list[Passage]:
        """The passages, most relevant first by the cross-encoder's judgement."""
        if len(passages) < 2:
            return passages
        scores = self.model.predict([(question, p.text) for p in passages], show_progress_bar=False)
        order = sorted(range(len(passages)), key=lambda i: -float(scores[i]))
        return [passages[i] for i in order]


def load_reranker(settings: Settings, notify: Callable[[str], None]) -> Reranker | None:
    name = settings.reranker_model
    if not name:
        return None
    try:
        choice = locate(name, settings.embed_probe_timeout)
        from sentence_transformers import CrossEncoder

        model = CrossEncoder(choice.load_from, device="cpu", local_files_only=choice.local_only)
    except Exception as exc:  # unavailable or unloadable: answer without reranking
        notify(f"reranker {name} unavailable ({exc}); answering without reranking")
        return None
    return Reranker(model, name)
