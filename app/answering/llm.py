"""Generative answers through any OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server,
DeepSeek, Qwen, OpenAI), with llama-index's OpenAI-like client. Prompts come from prompts/."""

import re
from collections.abc import Iterator

from app.settings import Settings

from .citations import normalise, number_sources
from .prompts import load_prompt

MAX_HISTORY_TURNS = 4
_LABEL = re.compile(r"^(?:改写后的问题|独立问题|问题|standalone question|question)\s*[:：]\s*", re.I)


class LLMError(Exception):
    """The endpoint failed, timed out or answered nothing."""


class LLMClient:
    """One configured endpoint; the client is built lazily, on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._llm = None

    @property
    def name(self) -> str:
        return self.settings.llm_model

    def _client(self):
        if self._llm is None:
            from llama_index.llms.openai_like import OpenAILike

            key = self.settings.llm_api_key.get_secret_value() if self.settings.llm_api_key else "none"
            self._llm = OpenAILike(
                model=self.settings.llm_model, api_base=self.settings.llm_base_url, api_key=key,
                timeout=self.settings.llm_timeout, max_retries=0, is_chat_model=True,
                temperature=0.1, context_window=self.settings.llm_context_window,
            )
        return self._llm

    def _messages(self, system: str, user: str):
        from llama_index.core.llms import ChatMessage, MessageRole

        return [ChatMessage(role=MessageRole.SYSTEM, content=system),
                ChatMessage(role=MessageRole.USER, content=user)]

    def stream_answer(self, question: str, language: str,
                      sources: list[tuple[str, str]]) -> Iterator[str]:
        """Pieces of the answer as the model writes them. Raises LLMError."""
        system, user = load_prompt(self.settings.prompts_dir, "answer", language,
                                   sources=number_sources(sources), question=question)
        try:
            for chunk in self._client().stream_chat(self._messages(system, user)):
                if chunk.delta:
                    yield chunk.delta
        except Exception as exc:  # the client raises many kinds (timeouts, HTTP, parsing)
            raise LLMError(_reason(exc)) from exc

    def condense(self, question: str, history: list[tuple[str, str]], language: str) -> str:
        """A follow-up rewritten as a standalone question. Raises LLMError."""
        lines = [f"Q: {q}\nA: {a}" for q, a in history[-MAX_HISTORY_TURNS:]]
        system, user = load_prompt(self.settings.prompts_dir, "condense", language,
                                   history="\n".join(lines), question=question)
        try:
            reply = self._client().chat(self._messages(system, user)).message.content or ""
        except Exception as exc:
            raise LLMError(_reason(exc)) from exc
        reply = normalise(reply).strip()
        reply = _LABEL.sub("", reply.splitlines()[0]).strip() if reply else ""
        if not reply:
            raise LLMError("empty reply")
        return reply


def _reason(exc: Exception) -> str:
    name = type(exc).__name__
    if "timeout" in name.lower() or "timed out" in str(exc).lower():
        return "timeout"
    return f"{name}: {str(exc)[:120]}"
