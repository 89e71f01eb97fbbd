"""Staff-side services on a real index: uploads, deletion, visibility, approved answers, export."""

import io
from pathlib import Path

import docx
import pytest

from app.answering.assistant import Assistant
from app.answering.turn import respond
from app.settings import Settings
from app.staff import workspace
from app.staff.approved import ApprovedLibrary
from app.staff.auth import check_login, hash_password
from app.staff.db import Database, sqlite_url
from app.staff.export import to_docx, to_markdown

DOC = "青禾县荞麦产业介绍\n\n青禾县荞麦种植面积达到3万亩，建成荞麦深加工生产线2条。"
OTHER = "青禾县红色文旅资源\n\n清漳河抗战纪念馆是青禾县重要的红色旅游景点。"


@pytest.fixture
def staff(tmp_path: Path) -> Settings:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "chickpea.txt").write_text(DOC, encoding="utf-8")
    (incoming / "tourism.txt").write_text(OTHER, encoding="utf-8")
    (incoming / "empty.txt").write_text("", encoding="utf-8")
    settings = Settings(_env_file=None, store=tmp_path / "store", embed_model="bundled")
    report = workspace.upload(settings, sorted(incoming.iterdir()), "public")
    assert sorted(report.added) == ["chickpea.txt", "tourism.txt"]
    assert [Path(p).name for p, _ in report.failed] == ["empty.txt"]
    return settings


def test_upload_list_visibility_and_delete(staff: Settings):
    docs = {d.source: d for d in workspace.documents(staff)}
    assert set(docs) == {"chickpea.txt", "tourism.txt"}
    assert all(d.complete and d.n_chunks >= 1 and d.visibility == "public" for d in docs.values())

    assistant = Assistant.open(staff)
    question = "青禾县荞麦种植面积是多少？"
    assert assistant.ask(question).answered
    workspace.set_visibility(staff, docs["chickpea.txt"].doc_id, "internal")
    assert not assistant.ask(question, role="investor").answered  # picked up without a restart
    assert "3万亩" in assistant.ask(question, role="staff").text

    workspace.delete(staff, docs["chickpea.txt"])
    assert {d.source for d in workspace.documents(staff)} == {"tourism.txt"}
    assert not (workspace.uploads_dir(staff) / "chickpea.txt").exists()
    assert not assistant.ask(question, role="staff").answered


def test_approved_answers_take_precedence_and_export(staff: Settings, tmp_path: Path):
    assistant = Assistant.open(staff)
    library = ApprovedLibrary(Database(sqlite_url(tmp_path)))
    draft = assistant.ask("青禾县荞麦种植面积是多少？", role="staff")
    edited = "青禾县荞麦种植面积达到3万亩[1]，并建成两条深加工生产线[1]。"
    library.add(draft.question, edited, [c.to_json() for c in draft.citations], "alice")

    *_, answer = respond(assistant, library, "青禾县荞麦的种植面积是多少？")
    assert answer.mode == "approved" and answer.text == edited
    assert answer.citations and "3万亩" in answer.citations[0].text
    *_, other = respond(assistant, library, "清漳河抗战纪念馆在哪个县？")
    assert other.mode == "extractive"

    markdown = to_markdown(library.entries())
    assert edited in markdown and "alice" in markdown and "3万亩" in markdown
    document = docx.Document(io.BytesIO(to_docx(library.entries())))
    body = "\n".join(p.text for p in document.paragraphs)
    assert edited in body and "chickpea.txt" in body and "3万亩" in body


def test_an_exported_answer_gives_the_pages_its_citations_quote():
    from app.staff.approved import ApprovedAnswer

    cited = [{"n": 1, "source": "bulletin.pdf", "title": "统计公报", "page": 18, "page_end": 19, "text": "表9 …"},
             {"n": 2, "source": "bulletin.pdf", "title": "统计公报", "page": 20, "page_end": None, "text": "…"}]
    entry = ApprovedAnswer("a1", "存款余额是多少？", "…[1][2]", cited, "alice", "2026-12-01T00:00:00Z")
    markdown = to_markdown([entry])
    assert "[1] 统计公报 (bulletin.pdf, 第18–19页)" in markdown and "[2] 统计公报 (bulletin.pdf, 第20页)" in markdown
    assert "(bulletin.pdf, p. 18–19)" in to_markdown([entry], "en")


def test_passwords_are_hashed_and_checked():
    stored = hash_password("春风十里")
    assert "春风十里" not in stored
    users = {"alice": stored}
    assert check_login(users, "alice", "春风十里")
    assert not check_login(users, "alice", "wrong")
    assert not check_login(users, "bob", "春风十里")
    assert not check_login({}, "alice", "")
