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
    answer_threshold: float | None = Field(
        None, description="Extractive answers: the calibrated probability that the best candidate "
        "answers must reach this to be given (unset: the threshold chosen in training, stored in "
        "the model file).",
    )
    llm_min_evidence: float | None = Field(
        None, description="LLM answers: the calibrated probability that the best passage holds the "
        "evidence must reach this for the model to be asked (unset: chosen in training).",
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

    county_name: str = Field("兴县", description="The county's name, shown in the chat (Chinese).")
    county_name_en: str = Field("Xing County", description="The county's name in English.")
    contact_zh: str = Field(
        "如需进一步了解，请联系县投资促进服务中心。", description="Who to contact when the documents "
        "hold no answer (Chinese)."
    )
    contact_en: str = Field(
        "For more, please contact the county investment promotion service centre.",
        description="Who to contact when the documents hold no answer (English).",
    )
    example_questions: list[str] = Field(
        default_factory=list, description="Example questions (JSON list); default: from document titles."
    )
    staff_users: dict[str, str] = Field(
        default_factory=dict, description='Staff logins as JSON {"user": "<hash>"}; make a hash with '
        "`county-rag hash-password`. No staff workspace without one.",
    )
    staff_session_minutes: float = Field(
        480.0, gt=0, description="A staff login lasts this long (a server-side token in an HttpOnly "
        "cookie); then staff log in again.",
    )
    login_max_failures: int = Field(
        5, ge=1, description="Wrong passwords for one user name before it is locked for a while."
    )
    login_max_failures_per_address: int = Field(
        20, ge=1, description="Wrong passwords from one client address before it is locked for a while."
    )
    login_lockout_minutes: float = Field(
        15.0, gt=0, description="How long a locked user name or address must wait; failures older "
        "than this are forgotten.",
    )
    trusted_proxies: str = Field(
        "127.0.0.1", description="Addresses of reverse proxies whose X-Forwarded-For names the client "
        "(comma-separated, or *); others are taken at their own address.",
    )
    uploads_dir: Path | None = Field(None, description="Folder for uploaded files (default <store>/uploads).")
    max_upload_files: int = Field(20, ge=1, description="Files accepted in one upload.")
    upload_cache_mb: float = Field(
        2048.0, gt=0, description="Disk the upload cache (Gradio's temporary folder) may use; uploads "
        "that would exceed it are refused.",
    )
    approved_match: float = Field(
        0.8, description="How closely (bigram Jaccard) a question must match an approved one."
    )
    host: str = Field("127.0.0.1", description="Where `county-rag serve` listens.")
    port: int = Field(7860, description="Port of `county-rag serve`.")

    database_url: SecretStr | None = Field(
        None, description="App database (approved answers, conversation log, feedback, API keys) "
        "as a SQLAlchemy URL, e.g. postgresql+psycopg://user:pass@host/db; unset = SQLite "
        "<store>/app.db.",
    )
    log_retention_days: int = Field(
        90, ge=1, description="Logged questions and their feedback older than this are deleted "
        "(on start and hourly).",
    )
    answer_concurrency: int = Field(
        32, ge=1, description="Chat answers worked on at once, by each surface (the web chat, the "
        "HTTP API); further questions wait their turn.",
    )
    api_max_request_kb: int = Field(64, ge=1, description="Largest HTTP API request body, in KB.")
    max_question_chars: int = Field(1000, ge=1, description="Longest question the API accepts.")
    api_origins: list[str] = Field(
        default_factory=list, description='Web origins allowed to call the API from a browser '
        '(the pages embedding the widget), JSON list, e.g. ["https://invest.example.gov.cn"].',
    )
