"""Answering a question: standalone rewrite, hybrid retrieval, evidence gate, then an extractive
or LLM answer whose every [n] points to a passage it was given. The CLI and the UI both use this."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

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
from .evidence import missing_names, supported
from .extractive import Extract, extract
from .llm import LLMClient, LLMError
from .messages import say

RERANK_DEPTH = 20
HIGHLIGHT_MIN = 0.3

History = list[tuple[str, str]]  # (standalone question, answer text), oldest first


@dataclass
class _Context:
    question: str
    standalone: str
    query: Query
    passages: list[Passage]
    scores: list[float]
    readable: list[int]  # the passages to answer from (those about the question's names), best first
    documents: dict[str, str] = field(default_factory=dict)  # doc_id → title and text, read once

    @property
    def sources(self) -> list[Passage]:
        return [self.passages[i] for i in self.readable]

    @property
    def source_scores(self) -> list[float]:
        return [self.scores[i] for i in self.readable]


@dataclass
class Evidence:
    """A question's retrieval and extractive pick; `passage` and `document` are those of the
    best sentence, which the evidence gate judges."""

    context: _Context
    found: Extract | None
    passage: str = ""
    document: str = ""

    def supported(self, min_support: float) -> bool:
        """The evidence gate (app/evidence.py) at this threshold."""
        return supported(self.found, self.context.query, self.passage, self.document, min_support)


class Assistant:
    """Answers questions over one index; loads models once, reads index changes as they come."""

    def __init__(self, settings: Settings, retriever: Retriever, llm: LLMClient | None = None,
                 reranker: Reranker | None = None):
        self.settings = settings
        self.retriever = retriever
        self.llm = llm
        self.reranker = reranker

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

    def ask(self, question: str, role: str = "investor", history: History = (),
            top_k: int | None = None) -> Answer:
        *_, answer = self.stream(question, role, history, top_k)
        return answer

    def stream(self, question: str, role: str = "investor", history: History = (),
               top_k: int | None = None) -> Iterator[str | Answer]:
        """Pieces of answer text as they are ready, then the final Answer (always last)."""
        evidence = self.evidence(question, role, history, top_k)
        context, found, query = evidence.context, evidence.found, evidence.context.query
        if not evidence.supported(self.settings.min_support):
            yield self._answer(context, say("not_found", query.language), False, [])
            return
        notices: list[str] = []
        if self.llm:
            try:
                yield from self._llm_answer(context, notices)
                return
            except LLMError as exc:
                notices.append(say("llm_failed", query.language, reason=str(exc)))
        text, citations = _compose(found, context.sources, context.source_scores)
        yield text
        yield self._answer(context, text, True, citations, notices=notices, mode="extractive")

    def evidence(self, question: str, role: str = "investor", history: History = (),
                 top_k: int | None = None) -> "Evidence":
        """What an answer would rest on, before the evidence gate: the passages retrieved and
        the sentences the extractive answerer picks from them."""
        context = self._retrieve(question, role, list(history), top_k or self.settings.top_k)
        found = extract(context.query, context.sources, self._idf(context.query))
        if found is None:
            return Evidence(context, None)
        passage = context.sources[found.sentences[0].passage]
        return Evidence(context, found, passage.text, self._document(context, passage))

    def _retrieve(self, question: str, role: str, history: History, k: int) -> _Context:
        language = language_of(question)
        standalone = self._standalone(question, history, language)
        self.retriever.refresh()
        query = analyse(standalone, self.retriever.lexical.frequency)
        passages = self.retriever.search(query, role, k).passages
        if self.reranker:
            passages = self.reranker.rerank(standalone, passages[:RERANK_DEPTH]) + passages[RERANK_DEPTH:]
        top = passages[:k]
        best = max((p.score for p in top), default=1.0) or 1.0
        context = _Context(question, standalone, query, top, [p.score / best for p in top],
                           list(range(len(top))))
        context.readable = self._about_names(context)
        return context

    def _about_names(self, context: _Context) -> list[int]:
        """The passages whose documents name every place, organisation and year of the question:
        a question about 广西 is answered from 广西 documents only, when there are any (from all
        passages otherwise)."""
        names = context.query.names
        if not names:
            return context.readable
        named = [i for i, p in enumerate(context.passages)
                 if not missing_names(names, self._document(context, p))]
        return named or context.readable

    def _document(self, context: _Context, passage: Passage) -> str:
        """A passage's document (title and text), read from the store once per question."""
        doc_id = passage.meta["doc_id"]
        if doc_id not in context.documents:
            text, _ = self.retriever.store.document_text(doc_id)
            context.documents[doc_id] = f"{passage.meta.get('title', '')}\n{text}"
        return context.documents[doc_id]

    def _idf(self, query: Query) -> dict[str, float]:
        """IDF of the question's keywords and of every alternative of its terms."""
        return self.retriever.lexical.idf(list(query.tokens) + [t for g in query.terms for t in g])

    def _standalone(self, question: str, history: History, language: str) -> str:
        if not history:
            return question
        if self.llm:
            try:
                return self.llm.condense(question, history, language)
            except LLMError:
                pass
        return carry_over(question, history[-1][0])

    def _llm_answer(self, context: _Context, notices: list[str]) -> Iterator[str | Answer]:
        sources = [(p.meta.get("title", ""), p.text) for p in context.sources]
        pieces = []
        for piece in self.llm.stream_answer(context.standalone, context.query.language, sources):
            pieces.append(piece)
            yield piece
        raw = normalise("".join(pieces)).strip()
        if says_not_found(raw):
            yield self._answer(context, say("not_found", context.query.language), False, [],
                               mode=self.mode)
            return
        text, dropped = drop_invalid(raw, set(range(1, len(sources) + 1)))
        numbers = cited(text)
        if not numbers:
            raise LLMError("the answer cited no source")
        flags = [f"removed citation [{n}]: no such source" for n in dropped]
        cited_texts = [context.sources[n - 1].text for n in numbers]
        missing = unsupported(text, cited_texts)
        if missing:
            flags.append("unsupported numbers: " + ", ".join(missing))
            notices.append(say("unsupported_numbers", context.query.language, numbers="、".join(missing)))
        answer_grams = grams(text)
        citations = [
            Citation.of(n, context.sources[n - 1], context.source_scores[n - 1],
                        _similar_sentences(answer_grams, context.sources[n - 1].text))
            for n in numbers
        ]
        yield self._answer(context, text, True, citations, notices=notices, flags=flags, mode=self.mode)

    def _answer(self, context: _Context, text: str, answered: bool, citations: list[Citation],
                notices: list[str] = (), flags: list[str] = (), mode: str | None = None) -> Answer:
        return Answer(
            question=context.question, text=text, answered=answered, citations=citations,
            retrieved=context.passages, scores=context.scores, mode=mode or self.mode,
            language=context.query.language,
            standalone_question=context.standalone if context.standalone != context.question else None,
            notices=list(notices), flags=list(flags),
        )


def _compose(found: Extract, passages: list[Passage], scores: list[float]) -> tuple[str, list[Citation]]:
    """Answer text from the chosen sentences, verbatim, each run from a passage ending in its [n]."""
    order: list[int] = []
    runs: list[tuple[int, int, int]] = []  # passage, start, end
    for sentence in sorted(found.sentences, key=lambda s: (s.passage, s.start)):
        if sentence.passage not in order:
            order.append(sentence.passage)
        if runs and runs[-1][0] == sentence.passage and _adjacent(passages, runs[-1], sentence.start):
            runs[-1] = (runs[-1][0], runs[-1][1], sentence.end)
        else:
            runs.append((sentence.passage, sentence.start, sentence.end))
    numbers = {p: n for n, p in enumerate(order, 1)}
    text = "".join(f"{passages[p].text[a:b]}[{numbers[p]}]" for p, a, b in runs)
    citations = [
        Citation.of(numbers[p], passages[p], scores[p],
                    [s.text for s in found.sentences if s.passage == p])
        for p in order
    ]
    return text, citations


def _adjacent(passages: list[Passage], run: tuple[int, int, int], start: int) -> bool:
    passage, _, end = run
    return not passages[passage].text[end:start].strip()


def _similar_sentences(answer_grams: set[str], passage: str) -> list[str]:
    """Sentences of a passage that share much of their wording with the answer."""
    out = []
    for a, b in split_sentences(passage):
        sentence = grams(passage[a:b])
        if sentence and len(sentence & answer_grams) / len(sentence) >= HIGHLIGHT_MIN:
            out.append(passage[a:b])
    return out
