"""The knowledge-gap report: questions that went unanswered or whose answer was judged wrong,
grouped by topic, with counts and examples ("12 questions about 电价 / 用电价格 had no answer"),
so that staff know which document or approved answer is missing.

Two questions are about the same topic when they share rare words and phrases: jieba words and
character bigrams, weighted by IDF over every question logged in the period (the county's name,
in most questions, counts for little). Where the embedding model can read both questions, the
similarity of their vectors is blended in (in proportion to how much of them it reads, as in
retrieval). Groups are formed by average-linkage clustering.
"""

import math
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from app.language.matching import grams
from app.language.query import content_tokens, is_stopword, names_in
from app.retrieval.retriever import reading_weight
from ingest.embedder import Embedder
from ingest.lexical import quiet_jieba

from .conversations import ConversationLog, LoggedTurn
from .db import utcnow

SAME_TOPIC = 0.12  # average similarity within a group, at least (set on hand-written examples)
TOPIC_WORDS = 3
EXAMPLES = 3
MAX_QUESTIONS = 2000  # the most recent problem questions grouped; older ones are left out
BACKGROUND = 5000  # logged questions (the most recent) the word weights are counted over


@dataclass
class Gap:
    """Questions about one topic that the documents did not answer well."""

    topic: list[str]  # its most telling words
    unanswered: int
    judged_wrong: int
    examples: list[str]  # distinct questions, most recent first
    last_asked: datetime
    turn_ids: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.turn_ids)

    def summary(self) -> str:
        """One line: "12 questions about 电价 / 用电价格 had no answer"."""
        noun = "question" if self.count == 1 else "questions"
        about = f"{self.count} {noun} about {' / '.join(self.topic)}"
        if not self.judged_wrong:
            return f"{about} had no answer"
        if not self.unanswered:
            return f"{about} got an answer judged wrong"
        return f"{about}: {self.unanswered} had no answer, {self.judged_wrong} got an answer judged wrong"

    def to_json(self) -> dict:
        return {"topic": self.topic, "summary": self.summary(), "count": self.count,
                "unanswered": self.unanswered, "judged_wrong": self.judged_wrong,
                "examples": self.examples, "last_asked": self.last_asked.isoformat(timespec="seconds"),
                "turn_ids": self.turn_ids}


def gap_report(conversations: ConversationLog, since_days: float | None = None,
               embedder: Callable[[], Embedder] | None = None) -> list[Gap]:
    """The gaps of the last `since_days` days (all logged, when None), largest first.
    `embedder` gives the embedding model; it is called only when there are questions to group."""
    since = utcnow() - timedelta(days=since_days) if since_days is not None else None
    problems = conversations.recent(since, refused=True, thumbs_down=True, limit=MAX_QUESTIONS)
    if not problems:
        return []
    texts = [_text(t) for t in problems]
    words = [_words(text) for text in texts]
    background = [_words(_text(t))[1] for t in conversations.recent(since, limit=BACKGROUND)]
    idf = _idf([set(features) for features in background + [w[1] for w in words]])
    similarity = _keyword_similarity([w[1] for w in words], idf)
    if embedder is not None:
        similarity = _blend(similarity, texts, embedder())
    return sorted((_gap([problems[i] for i in members], [words[i][0] for i in members], idf)
                   for members in _groups(similarity)),
                  key=lambda gap: (-gap.count, -gap.last_asked.timestamp()))


def _text(turn: LoggedTurn) -> str:
    """What was really asked: the standalone rewrite of a follow-up, else the question."""
    return turn.standalone or turn.question


def _words(text: str) -> tuple[list[str], list[str]]:
    """(the question's content words, its features: those words and the character bigrams of
    its phrases across word boundaries, 用电价格 → …电价…, as in 电价; names (石门县) are one
    word each and left out of the phrases, or 石门县电价 and 石门县电镀 would share 县电)."""
    names = names_in(text)
    parts = [w for w in content_tokens(text) if not any(w in name for name in names)]
    words = list(dict.fromkeys(names + parts))  # a name is one word, even where jieba splits it
    plain = unicodedata.normalize("NFKC", text).lower()
    for name in names:
        plain = plain.replace(name.lower(), " ")
    phrases = "".join(" " if is_stopword(w) else w for w in quiet_jieba().cut(plain))
    return words, words + sorted(grams(phrases) - set(words))


def _idf(documents: list[set[str]]) -> dict[str, float]:
    counts = Counter(feature for features in documents for feature in features)
    n = len(documents)
    return {feature: math.log((n + 1) / (df + 1)) + 1.0 for feature, df in counts.items()}


def _keyword_similarity(features: list[list[str]], idf: dict[str, float]) -> np.ndarray:
    """Cosine similarity of the questions' IDF-weighted features."""
    vocabulary = {f: i for i, f in enumerate(sorted({f for fs in features for f in fs}))}
    vectors = np.zeros((len(features), max(len(vocabulary), 1)))
    for row, fs in enumerate(features):
        for f in set(fs):
            vectors[row, vocabulary[f]] = idf.get(f, 1.0)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms > 0, norms, 1.0)
    return np.clip(vectors @ vectors.T, 0.0, 1.0)


def _blend(similarity: np.ndarray, texts: list[str], embedder: Embedder) -> np.ndarray:
    """The model's similarity blended in for pairs it can read, in proportion to how well."""
    weights = np.array([reading_weight(embedder.unknown_rate(text)) for text in texts])
    if not weights.any():
        return similarity
    vectors = embedder.embed_documents(texts)
    pair = np.minimum.outer(weights, weights)
    return (1 - pair) * similarity + pair * np.clip(vectors @ vectors.T, 0.0, 1.0)


def _groups(similarity: np.ndarray) -> list[list[int]]:
    """Average-linkage clusters whose members are, on average, at least SAME_TOPIC alike."""
    n = len(similarity)
    if n == 1:
        return [[0]]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distance = 1.0 - similarity
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - SAME_TOPIC, criterion="distance")
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    return list(groups.values())


def _gap(turns: list[LoggedTurn], words: list[list[str]], idf: dict[str, float]) -> Gap:
    """A group's topic words (those that weigh most across its questions), counts and examples."""
    weight: Counter = Counter()
    for question_words in words:
        for word in question_words:
            weight[word] += idf.get(word, 1.0)
    topic: list[str] = []
    for word, _ in weight.most_common():
        if len(topic) == TOPIC_WORDS or weight[word] < weight.most_common(1)[0][1] / 2:
            break
        if len(word) > 1 and not any(word in chosen or chosen in word for chosen in topic):
            topic.append(word)
    examples = list(dict.fromkeys(t.question for t in turns))[:EXAMPLES]
    return Gap(topic, sum(not t.answered for t in turns),
               sum(t.answered and t.rating == "down" for t in turns), examples,
               max(t.at for t in turns), [t.id for t in turns])
