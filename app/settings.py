"""The one settings object of the application, read by the entry points and passed down."""

from pathlib import Path

from pydantic import Field, SecretStr

from ingest.settings import PROJECT_ROOT, IndexSettings


class Settings(IndexSettings):
    """Index settings plus what answering and the UI need. Env prefix: COUNTY_RAG_."""

    top_k: int = Field(5, description="Passages retrieved per question.")
    doc_weight: float = Field(
        1.0, description="Weight of the whole document's keyword match in a passage's score."
    )
    phrase_weight: float = Field(
        1.0, description="Weight of a sentence holding the question's phrases (bigram match)."
    )
    min_support: float = Field(
        0.6, description="Evidence gate: share of the question's key words (IDF-weighted) the best "
        "passage must hold for an answer to be given.",
    )
    reranker_model: str | None = Field(
        None, description="Optional cross-encoder (hub name or folder), e.g. BAAI/bge-reranker-v2-m3."
    )
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (Ollama); "
        "unset = extractive answers.",
    )
    llm_model: str = Field("qwen2.5:7b-instruct", description="Model name at the endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key, if the endpoint needs one.")
    llm_timeout: float = Field(60.0, description="Seconds before an LLM call is abandoned.")
    llm_context_window: int = Field(8192, description="The model's context window, in tokens.")
    prompts_dir: Path = Field(PROJECT_ROOT / "prompts", description="Folder of prompt templates.")
