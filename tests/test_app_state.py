"""The app database on SQLite and on a real PostgreSQL server: approved answers (and the move
from approved.json), the conversation log written by real chat turns, feedback, retention and
staff API keys."""

import json
import logging
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from app.answering.assistant import Assistant
from app.answering.turn import respond
from app.settings import Settings
from app.staff.api_keys import ApiKeys
from app.staff.approved import ApprovedLibrary, migrate_json
from app.staff.conversations import ConversationLog, anonymous_session
from app.staff.db import Database, DatabaseUnavailable, utcnow
from app.staff.state import open_state
from app.staff.tables import ApiKeyRow, TurnRow

from .ui_server import COUNTY_FIGURE, INTERNAL_PHRASE, free_port

ANSWERABLE = "青禾县每年能生产多少金属镁？"
FOLLOW_UP = "镁合金呢？"
UNANSWERABLE = "青禾县的民用机场是哪年开始通航的？"


@pytest.fixture(scope="module")
def assistant(county_store: Path) -> Assistant:
    return Assistant.open(Settings(_env_file=None, store=county_store, embed_model="bundled"))


def citation(n: int, chunk_id: str, text: str) -> dict:
    return {"n": n, "chunk_id": chunk_id, "source": "a.txt", "page": None, "text": text,
            "score": 1.0, "title": "标题", "highlights": []}


# --- approved answers ----------------------------------------------------------------------

def test_approved_library_keeps_its_semantics_in_the_database(database: Database):
    library = ApprovedLibrary(database)
    first = library.add(" 青禾县有哪些招商优惠？ ", "用地优惠[1]，税收返还[2]。",
                        [citation(1, "c1", "用地"), citation(2, "c2", "税收")], "alice")
    library.add("青禾县的园区在哪里？", "园区位于县城东部。", [citation(1, "c3", "园区")], "bob")
    # a re-approval of the same question replaces it and moves to the end
    again = library.add("青禾县有哪些招商优惠？", "用地优惠[2]。",
                        [citation(1, "c1", "用地"), citation(2, "c2", "税收")], "carol")

    entries = ApprovedLibrary(database).entries()  # a second server sees the same library
    assert [e.question for e in entries] == ["青禾县的园区在哪里？", "青禾县有哪些招商优惠？"]
    assert entries[1].id == again.id != first.id and entries[1].approved_by == "carol"
    assert [c["chunk_id"] for c in entries[1].citations] == ["c2"]  # only what the text cites
    assert entries[0].citations[0]["text"] == "园区"  # no marker: every source kept

    assert library.match("青禾县有什么招商优惠？", 0.5).id == again.id
    assert library.match("青禾县的气候怎么样？", 0.5) is None
    library.delete(again.id)
    assert [e.question for e in library.entries()] == ["青禾县的园区在哪里？"]


def write_legacy(path: Path, n: int) -> list[dict]:
    records = [{"id": f"e{i}", "question": f"问题{i}？", "answer": f"答案{i}[1]。",
                "citations": [citation(1, f"c{i}", f"段落{i}")], "approved_by": "alice",
                "approved_at": f"2024-05-0{i + 1}T08:00:00+00:00", "language": "zh"}
               for i in range(n)]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return records


def test_legacy_file_is_moved_into_the_database_once(database: Database, tmp_path: Path):
    legacy = tmp_path / "approved.json"
    records = write_legacy(legacy, 3)
    assert migrate_json(database, legacy) == 3
    assert not legacy.exists() and (tmp_path / "approved.json.migrated").exists()
    entries = ApprovedLibrary(database).entries()
    assert [(e.id, e.question, e.approved_at) for e in entries] == [
        (r["id"], r["question"], r["approved_at"]) for r in records]
    assert entries[0].citations == records[0]["citations"]
    assert migrate_json(database, legacy) == 0  # nothing left to do

    # a run cut short after writing some entries but before the rename is finished, no duplicates
    write_legacy(legacy, 4)
    assert migrate_json(database, legacy) == 1
    assert len(ApprovedLibrary(database).entries()) == 4


def test_unreadable_legacy_file_is_left_in_place_with_a_warning(database: Database, tmp_path: Path,
                                                                  caplog):
    legacy = tmp_path / "approved.json"
    legacy.write_text("[{\"question\": ", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert migrate_json(database, legacy) == 0
    assert legacy.exists() and str(legacy) in caplog.text
    assert ApprovedLibrary(database).entries() == []


def test_open_state_migrates_the_store_s_file(tmp_path: Path):
    store = tmp_path / "store"
    store.mkdir()
    write_legacy(store / "approved.json", 2)
    state = open_state(Settings(_env_file=None, store=store))
    assert [e.id for e in state.library.entries()] == ["e0", "e1"]
    assert (store / "app.db").exists() and (store / "approved.json.migrated").exists()
    state.close()


# --- conversation log and feedback ---------------------------------------------------------

def test_each_turn_is_logged_with_its_rewrite_answer_and_citations(database: Database,
                                                                   assistant: Assistant):
    conversations = ConversationLog(database, retention_days=30)
    first = conversations.turn("api", anonymous_session("browser-tab-1"))
    *_, answer = respond(assistant, None, ANSWERABLE, log=first)
    assert answer.answered and "金属镁8万吨" in answer.text
    follow = conversations.turn("api", anonymous_session("browser-tab-1"))
    *_, second = respond(assistant, None, FOLLOW_UP, history=[(ANSWERABLE, answer.text)], log=follow)
    refused = conversations.turn("web")
    *_, nothing = respond(assistant, None, UNANSWERABLE, log=refused)
    assert not nothing.answered

    logged = {t.id: t for t in conversations.recent()}
    assert list(logged) == [refused.id, follow.id, first.id]  # newest first
    one = logged[first.id]
    assert (one.question, one.answer, one.answered, one.mode, one.role, one.surface) == (
        ANSWERABLE, answer.text, True, "extractive", "investor", "api")
    assert one.cited == [c.chunk_id for c in answer.citations] and one.cited
    assert 0 < one.seconds < 30 and one.standalone is None
    assert one.session == anonymous_session("browser-tab-1") != "browser-tab-1"
    two = logged[follow.id]
    assert two.question == FOLLOW_UP and two.standalone == second.standalone_question
    assert "镁合金" in two.standalone and two.session == one.session
    assert logged[refused.id].answered is False and logged[refused.id].cited == []
    assert logged[refused.id].session is None


def test_feedback_is_kept_by_answer_and_filters_the_log(database: Database, assistant: Assistant):
    conversations = ConversationLog(database, retention_days=30)
    good, bad, refused = (conversations.turn("api") for _ in range(3))
    for turn, question in ((good, ANSWERABLE), (bad, ANSWERABLE), (refused, UNANSWERABLE)):
        list(respond(assistant, None, question, log=turn))

    assert conversations.rate(good.id, "up")
    assert conversations.rate(bad.id, "up")
    assert conversations.rate(bad.id, "down", "  数字和我看到的公告不一致  ")  # replaces the first
    assert not conversations.rate("no-such-answer", "down")
    with pytest.raises(ValueError, match="rating"):
        conversations.rate(good.id, "meh")

    by_id = {t.id: t for t in conversations.recent()}
    assert (by_id[good.id].rating, by_id[good.id].comment) == ("up", None)
    assert (by_id[bad.id].rating, by_id[bad.id].comment) == ("down", "数字和我看到的公告不一致")
    assert [t.id for t in conversations.recent(thumbs_down=True)] == [bad.id]
    assert [t.id for t in conversations.recent(refused=True)] == [refused.id]
    assert {t.id for t in conversations.recent(refused=True, thumbs_down=True)} == {bad.id, refused.id}
    assert conversations.recent(since=utcnow() + timedelta(minutes=1)) == []


def test_retention_purges_old_turns_and_their_feedback(database: Database, assistant: Assistant):
    conversations = ConversationLog(database, retention_days=7)
    old, recent = conversations.turn("api"), conversations.turn("api")
    for turn in (old, recent):
        list(respond(assistant, None, ANSWERABLE, log=turn))
        conversations.rate(turn.id, "down", "不对")
    with database.session() as session:
        session.execute(update(TurnRow).where(TurnRow.id == old.id).values(at=utcnow() - timedelta(days=8)))

    assert conversations.purge() == 1
    assert [t.id for t in conversations.recent(thumbs_down=True)] == [recent.id]
    assert not conversations.rate(old.id, "up")
    # on start: open_state purges what expired while the server was down
    with database.session() as session:
        session.execute(update(TurnRow).values(at=utcnow() - timedelta(days=30)))
    assert ConversationLog(database, retention_days=7).purge() == 1


def test_logging_to_an_unreachable_database_does_not_stop_the_answer(assistant: Assistant, caplog):
    unreachable = Database(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none?connect_timeout=2")
    turn = ConversationLog(unreachable, retention_days=7).turn("api")
    with caplog.at_level(logging.ERROR):
        *_, answer = respond(assistant, None, ANSWERABLE, log=turn)
    assert COUNTY_FIGURE[:10] in answer.text
    assert "could not log the answer" in caplog.text and "cannot open the app database" in caplog.text


def test_many_threads_log_at_once(database: Database, assistant: Assistant):
    conversations = ConversationLog(database, retention_days=7)
    answer = assistant.ask(ANSWERABLE)
    turns = [conversations.turn("api", anonymous_session(str(i))) for i in range(40)]
    threads = [threading.Thread(target=lambda t=t: t.record(answer, "investor", 0.1)) for t in turns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {t.id for t in conversations.recent()} == {t.id for t in turns}


# --- staff API keys ------------------------------------------------------------------------

def test_api_keys_are_stored_hashed_and_can_be_revoked(database: Database):
    keys = ApiKeys(database)
    key = keys.create("hotline-desk")
    with database.session() as session:
        stored = session.get(ApiKeyRow, key.split("_")[1])
    assert stored.name == "hotline-desk" and key.split("_", 2)[2] not in stored.hash
    assert stored.hash.startswith("scrypt$")

    other_server = ApiKeys(database)
    assert other_server.holder(key) == "hotline-desk"
    assert other_server.holder(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert other_server.holder("crk_000000000000_" + "x" * 43) is None
    assert other_server.holder("not a key") is None
    assert [name for name, _ in keys.names()] == ["hotline-desk"]

    replaced = keys.create("hotline-desk")  # a new key for the same name replaces the old one
    assert ApiKeys(database).holder(key) is None and ApiKeys(database).holder(replaced) == "hotline-desk"
    assert keys.revoke("hotline-desk") and not keys.revoke("hotline-desk")
    assert keys.holder(replaced) is None and keys.names() == []


def test_bad_database_urls_fail_with_the_reason():
    with pytest.raises(DatabaseUnavailable, match="not a database URL"):
        Database("no-scheme-here")
    closed = Database(f"postgresql+psycopg://nobody:secret-pw@127.0.0.1:{free_port()}/x?connect_timeout=2")
    with pytest.raises(DatabaseUnavailable, match="cannot open the app database") as failure:
        ApprovedLibrary(closed).entries()
    assert "secret-pw" not in str(failure.value)


def test_internal_text_is_logged_only_as_staff_saw_it(database: Database, assistant: Assistant):
    """An investor's question about an internal document is refused and logged as refused; the
    log never holds internal text for an investor turn."""
    conversations = ConversationLog(database, retention_days=7)
    investor, staff = conversations.turn("api"), conversations.turn("api")
    question = "荞麦深加工项目的意向投资方是谁？"
    list(respond(assistant, None, question, role="investor", log=investor))
    list(respond(assistant, None, question, role="staff", log=staff))
    by_id = {t.id: t for t in conversations.recent()}
    assert INTERNAL_PHRASE[:8] not in by_id[investor.id].answer
    assert INTERNAL_PHRASE[:8] in by_id[staff.id].answer and by_id[staff.id].role == "staff"

