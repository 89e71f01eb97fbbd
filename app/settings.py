"""The one settings object of the application, read by the entry points and passed down."""

from pydantic import Field

from ingest.settings import IndexSettings


class Settings(IndexSettings):
    """Index settings plus what answering and the UI need. Env prefix: COUNTY_RAG_."""

    top_k: int = Field(5, description="Passages retrieved per question.")
    doc_weight: float = Field(
        0.5, description="Weight of the whole document's keyword match in a passage's score."
    )
