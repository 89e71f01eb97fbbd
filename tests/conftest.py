"""Shared fixtures: the bundled embedding model (loaded once), fixture documents on disk, the
app database on SQLite and on a real PostgreSQL server, and a real Chroma server."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.staff.db import Database, sqlite_url
from app.staff.tables import Base
from ingest.documents import Document
from ingest.embedder import Embedder, load_embedder
from ingest.loaders import parse_document, read_file
from ingest.settings import IndexSettings

from . import fixture_docs

MAX_BYTES = 50 * 2**20
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def bundled_embedder() -> Embedder:
    """The offline all-MiniLM-L6-v2 model shipped with the project; its tokenizer sizes chunks."""
    notices: list[str] = []
    embedder = load_embedder(IndexSettings(embed_model="bundled"), notices.append)
    assert not notices, notices  # asked for by name: no fallback notice
    return embedder


def load(path: Path, root: Path | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Read and parse a file the way sync does; `source` is relative to `root` (default: its folder)."""
    source = path.relative_to(root or path.parent).as_posix()
    return parse_document(read_file(path, max_bytes), source)


@pytest.fixture
def write_fixture(tmp_path: Path) -> Callable[..., Path]:
    """write_fixture("guide.pdf", fixture_docs.write_chinese_pdf, **options) -> path in tmp_path."""
    def write(name: str, writer: Callable[..., Path], **options) -> Path:
        return writer(tmp_path / name, **options)
    return write


@pytest.fixture(scope="session")
def docs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder holding every good fixture document, written once per session."""
    root = tmp_path_factory.mktemp("docs")
    fixture_docs.write_chinese_pdf(root / "青禾县投资指南.pdf")
    fixture_docs.write_docx(root / "营商环境报告.docx")
    fixture_docs.write_encoded_text(root / "概况-gbk.txt", "gbk")
    fixture_docs.write_encoded_text(root / "概况-bom.txt", "utf-8-sig")
    fixture_docs.write_encoded_text(root / "概况-utf16.txt", "utf-16")
    fixture_docs.write_html(root / "推进会.html")
    fixture_docs.write_markdown(root / "产业概览.md")
    fixture_docs.write_scraped_article(root / "统计公报.txt")
    return root


@pytest.fixture(scope="session")
def pdf_doc(docs_dir: Path) -> Document:
    return load(docs_dir / "青禾县投资指南.pdf")


@pytest.fixture(scope="session")
def docx_doc(docs_dir: Path) -> Document:
    return load(docs_dir / "营商环境报告.docx")


@pytest.fixture(scope="session")
def html_doc(docs_dir: Path) -> Document:
    return load(docs_dir / "推进会.html")


@pytest.fixture(scope="session")
def markdown_doc(docs_dir: Path) -> Document:
    return load(docs_dir / "产业概览.md")


@pytest.fixture(scope="session")
def article_doc(docs_dir: Path) -> Document:
    return load(docs_dir / "统计公报.txt")


POSTGRES_URL = "COUNTY_RAG_TEST_DATABASE_URL"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The PostgreSQL server named by COUNTY_RAG_TEST_DATABASE_URL (scripts/test.sh starts
    one), its tables dropped before and after."""
    url = os.environ.get(POSTGRES_URL)
    if not url:
        pytest.skip(f"{POSTGRES_URL} is unset: no PostgreSQL server to test against "
                    "(scripts/test.sh starts one)")
    _drop_tables(url)
    yield url
    _drop_tables(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty app database: SQLite in tmp_path, then PostgreSQL (`postgres_url`)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return request.getfixturevalue("postgres_url")


def _drop_tables(url: str) -> None:
    database = Database(url)
    Base.metadata.drop_all(database.engine)
    database.close()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.close()


@pytest.fixture(scope="session")
def county_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index (bundled model) of a public county document, a public one holding HTML and
    an internal one (tests/ui_server.py), built once per session; tests must not change it."""
    from .ui_server import build_index

    return build_index(tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per test module."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    """A real Chroma server (`chroma run`, from the venv) on 127.0.0.1; yields its port."""
    import chromadb

    from .ui_server import free_port

    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "chroma-server"), "--host",
                             "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            break
        except Exception:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("chroma run did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=30)
