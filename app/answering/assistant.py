"""Answering a question: standalone rewrite, retrieval, the learned reading of the passages,
then an extractive or LLM answer whose every [n] points to a passage it was given.

One calibrated probability decides whether to answer from the documents: for an extractive
answer, that the best candidate answers the question (`answer_threshold`); for an LLM answer,
that the best passage holds the evidence (`llm_min_evidence`): the model may still say it
found nothing, and its answer is checked against the passages it cites. The CLI, the UI and the
HTTP API all answer through this class (by way of `turn.respond`).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from app.language.followup import carry_over
from app.language.matching import grams
from app.language.numbers import unsupported
from app.language.query import Query, analyse, language_of
from app.retrieval.rerank import Reranker, load_reranker
from app.retrieval.retriever import Passage, Retriever
from app.settings import Settings
from ingest.chunking import split_sentences
from ingest.embedder import load_embedder
from ingest.settings import BUNDLED_MODEL
from ingest.store import IndexStore

from .answer import Answer, Citation
from .citations import cited, drop_invalid, normalise, says_not_found
from .extractive import chosen, compose
from .features import Asked
from .llm import LLMClient, LLMError
from .messages import say
from .reading import Reading, rank, read
from .scorer import Models, load_models

RETRIEVED_PER_K = 4  # passages retrieved per passage kept, for the passage model to re-order
RERANK_DEPTH = 20
HIGHLIGHT_MIN = 0.3

History = list[tuple[str, str]]  # (standalone question, answer text), oldest first

WARM_UP = ("这里的项目总投资有多少亿元？", "Which companies signed projects in Huaitang, and when?")


@dataclass
class Evidence:
    """What an answer would rest on: the passages kept (best first) and their reading."""

    question: str
    standalone: str
    query: Query
    reading: Reading

    @property
    def passages(self) -> list[Passage]:
        return self.reading.ranked.passages

    @property
    def scores(self) -> list[float]:
        """Probability that each kept passage holds the evidence."""
        return self.reading.ranked.probabilities


class Assistant:
    """Answers questions over one index; loads models once, reads index changes as they come."""

    def __init__(self, settings: Settings, retriever: Retriever, llm: LLMClient | None = None,
                 reranker: Reranker | None = None, models: Models | None = None):
        self.settings = settings
        self.retriever = retriever
        self.llm = llm
        self.reranker = reranker
        self._models = models

    @property
    def models(self) -> Models:
        """The learned scorers (the shipped model file unless others were given)."""
        if self._models is None:
            self._models = load_models()
        return self._models

    @classmethod
    def open(cls, settings: Settings, notify: Callable[[str], None] = lambda _: None) -> "Assistant":
        store = IndexStore(settings, create=False)
        embedder = load_embedder(settings, notify)
        store.check_model(embedder.model_id, embedder.dim, writing=False)
        llm = LLMClient(settings) if settings.llm_base_url else None
        return cls(settings, Retriever(settings, store, embedder), llm, load_reranker(settings, notify))

    @property
    def mode(self) -> str:
        return f"llm:{self.llm.name}" if self.llm else "extractive"

    @property
    def keyword_led(self) -> bool:
        """True when retrieval leans on keywords because the embedder is the English fallback."""
        return self.retriever.embedder.model_id == BUNDLED_MODEL

    def threshold(self, name: str) -> float:
        """`answer_threshold` or `llm_min_evidence`: the setting, else the trained choice."""
        value = getattr(self.settings, name)
        return float(value if value is not None else self.models.trained[name])

    def analyse(self, text: str) -> Query:
        """A question's analysis against this index (its word frequencies)."""
        return analyse(text, self.retriever.lexical)

    def idf(self, query: Query) -> dict[str, float]:
        """IDF of the question's keywords and of every alternative of its terms."""
        return self.retriever.lexical.idf(list(query.tokens) + [t for g in query.terms for t in g])

    def warm(self) -> None:
        """Read a question in each language once (no answer, no LLM call), so that what loads on
        first use (number parsing, the dictionaries, the index's names by their pinyin, which an
        English question naming a place looks up, the model's first pass) is loaded before the
        first real question, whose time it would otherwise add to."""
        for question in WARM_UP:
            self.evidence(question)

    def ask(self, question: str, role: str = "investor", history: History = (),
            top_k: int | None = None) -> Answer:
        *_, answer = self.stream(question, role, history, top_k)
        return answer

    def stream(self, question: str, role: str = "investor", history: History = (),
               top_k: int | None = None) -> Iterator[str | Answer]:
        """Pieces of answer text as they are ready, then the final Answer (always last)."""
        evidence = self.evidence(question, role, history, top_k)
        language = evidence.query.language
        notices: list[str] = []
        if self.llm and evidence.reading.ranked.evidence >= self.threshold("llm_min_evidence"):
            try:
                yield from self._llm_answer(evidence, notices)
                return
            except LLMError as exc:
                notices.append(say("llm_failed", language, reason=str(exc)))
        if evidence.reading.probability < self.threshold("answer_threshold"):
            yield self._answer(evidence, say("not_found", language), False, [], notices=notices)
            return
        trained = self.models.trained
        text, citations = compose(chosen(evidence.reading, trained["also"], trained["most_passages"]),
                                  evidence.passages, evidence.scores)
        yield text
        yield self._answer(evidence, text, True, citations, notices=notices, mode="extractive")

    def evidence(self, question: str, role: str = "investor", history: History = (),
                 top_k: int | None = None) -> Evidence:
        """Retrieve and read: the passages an answer would rest on, scored."""
        k = top_k or self.settings.top_k
        standalone = self._standalone(question, list(history), language_of(question))
        self.retriever.refresh()
        query = self.analyse(standalone)
        asked = Asked.of(query, self.idf(query))
        passages = self.retriever.search(query, role, k).passages[:k * RETRIEVED_PER_K]
        if self.reranker:
            passages = self.reranker.rerank(standalone, passages[:RERANK_DEPTH]) + passages[RERANK_DEPTH:]
        lexical = self.retriever.lexical
        ranked = rank(self.models, asked, passages,
                      lambda passage, word: lexical.document_holds(passage.id, word),
                      reorder=self.reranker is None)
        reading = read(self.models, asked, ranked, k)
        return Evidence(question, standalone, query, reading)

    def _standalone(self, question: str, history: History, language: str) -> str:
        if not history:
            return question
        if self.llm:
            try:
                return self.llm.condense(question, history, language)
            except LLMError:
                pass
        return carry_over(question, history[-1][0])

    def _llm_answer(self, evidence: Evidence, notices: list[str]) -> Iterator[str | Answer]:
        passages, scores, language = evidence.passages, evidence.scores, evidence.query.language
        sources = [(p.meta.get("title", ""), p.text) for p in passages[:evidence.reading.k]]
        pieces = []
        for piece in self.llm.stream_answer(evidence.standalone, language, sources):
            pieces.append(piece)
            yield piece
        raw = normalise("".join(pieces)).strip()
        if says_not_found(raw):
            yield self._answer(evidence, say("not_found", language), False, [], mode=self.mode)
            return
        text, dropped = drop_invalid(raw, set(range(1, len(sources) + 1)))
        numbers = cited(text)
        if not numbers:
            raise LLMError("the answer cited no source")
        flags = [f"removed citation [{n}]: no such source" for n in dropped]
        missing = unsupported(text, [passages[n - 1].text for n in numbers])
        if missing:
            flags.append("unsupported numbers: " + ", ".join(missing))
            notices.append(say("unsupported_numbers", language, numbers="、".join(missing)))
        answer_grams = grams(text)
        citations = [Citation.of(n, passages[n - 1], scores[n - 1],
                                 _similar_sentences(answer_grams, passages[n - 1].text))
                     for n in numbers]
        yield self._answer(evidence, text, True, citations, notices=notices, flags=flags, mode=self.mode)

    def _answer(self, evidence: Evidence, text: str, answered: bool, citations: list[Citation],
                notices: list[str] = (), flags: list[str] = (), mode: str | None = None) -> Answer:
        k = evidence.reading.k
        return Answer(
            question=evidence.question, text=text, answered=answered, citations=citations,
            retrieved=evidence.passages[:k], scores=evidence.scores[:k], mode=mode or self.mode,
            language=evidence.query.language,
            standalone_question=evidence.standalone if evidence.standalone != evidence.question else None,
            notices=list(notices), flags=list(flags),
        )


def _similar_sentences(answer_grams: set[str], passage: str) -> list[str]:
    """Sentences of a passage that share much of their wording with the answer."""
    out = []
    for a, b in split_sentences(passage):
        sentence = grams(passage[a:b])
        if sentence and len(sentence & answer_grams) / len(sentence) >= HIGHLIGHT_MIN:
            out.append(passage[a:b])
    return out
