"""The knowledge-gap report over questions really answered (and refused) on a real index and
logged in the app database; `county-rag report gaps` and `county-rag api-key` as users run them."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from app.answering.assistant import Assistant
from app.answering.turn import respond
from app.settings import Settings
from app.staff.api_keys import ApiKeys
from app.staff.conversations import ConversationLog
from app.staff.db import Database, utcnow
from app.staff.gaps import gap_report
from app.staff.state import open_state
from app.staff.tables import TurnRow

from .test_ingest_cli import run_cli

ELECTRICITY = ["青禾县工业用电价格是多少？", "青禾县电价多少钱一度？", "青禾县的大工业电价有优惠吗？",
               "青禾县企业用电价格怎么样？"]
AIRPORT = ["青禾县离最近的机场有多远？", "青禾县的机场哪一年通航？"]
HEATING = "青禾县的冬季供暖费怎么收？"
ENGLISH = ["What is the electricity price for factories?",
           "How much does industrial power cost in the county?"]
ANSWERED = "青禾县每年能生产多少金属镁？"


@pytest.fixture(scope="module")
def assistant(county_store: Path) -> Assistant:
    return Assistant.open(Settings(_env_file=None, store=county_store, embed_model="bundled"))


def ask(conversations: ConversationLog, assistant: Assistant, question: str,
        rating: str | None = None, comment: str | None = None) -> str:
    """Ask as an investor through the API's path; rate the answer if asked to. The turn's id."""
    turn = conversations.turn("api")
    list(respond(assistant, None, question, log=turn))
    if rating:
        assert conversations.rate(turn.id, rating, comment)
    return turn.id


@pytest.fixture
def conversations(database: Database, assistant: Assistant) -> ConversationLog:
    log = ConversationLog(database, retention_days=90)
    for question in ELECTRICITY + AIRPORT + [HEATING]:
        ask(log, assistant, question)
    ask(log, assistant, "青禾县有机场吗？", "down", "答非所问")  # answered, but judged wrong
    ask(log, assistant, ANSWERED, "up")
    ask(log, assistant, "青禾县的球墨铸管项目由哪家企业投资？")
    return log


def test_gaps_group_unanswered_and_thumbs_down_questions_by_topic(conversations: ConversationLog):
    gaps = gap_report(conversations, since_days=7)
    first = gaps[0]
    assert (first.count, first.unanswered, first.judged_wrong) == (4, 4, 0)
    assert {"用电", "电价"} & set(first.topic) and len(first.examples) == 3
    assert set(first.examples) < set(ELECTRICITY) and first.examples[0] == ELECTRICITY[-1]
    assert first.summary() == f"4 questions about {' / '.join(first.topic)} had no answer"

    airport = gaps[1]
    assert (airport.count, airport.unanswered, airport.judged_wrong) == (3, 2, 1)
    assert "机场" in airport.topic
    assert airport.summary().endswith("2 had no answer, 1 got an answer judged wrong")
    assert [g.examples for g in gaps[2:]] == [[HEATING]]
    asked = {q for g in gaps for q in g.examples}
    assert ANSWERED not in asked and "青禾县的球墨铸管项目由哪家企业投资？" not in asked
    assert gaps[0].to_json()["summary"] == first.summary()


def test_gaps_of_a_period_leave_older_questions_out(conversations: ConversationLog, database: Database,
                                                    assistant: Assistant):
    with database.session() as session:  # the electricity questions were asked ten days ago
        session.execute(update(TurnRow).where(TurnRow.question.in_(ELECTRICITY))
                        .values(at=utcnow() - timedelta(days=10)))
    assert [g.count for g in gap_report(conversations, since_days=7)] == [3, 1]
    assert gap_report(conversations)[0].count == 4  # the whole log


def test_the_model_groups_questions_it_can_read(database: Database, assistant: Assistant):
    """The bundled model reads English: two ways of asking the same thing, no word in common."""
    log = ConversationLog(database, retention_days=90)
    for question in ENGLISH + [HEATING]:
        ask(log, assistant, question)
    apart = gap_report(log)
    assert [g.count for g in apart] == [1, 1, 1]
    together = gap_report(log, embedder=lambda: assistant.retriever.embedder)
    assert [sorted(g.examples) for g in together] == [sorted(ENGLISH), [HEATING]]


def test_report_gaps_command(county_store: Path, assistant: Assistant, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    env = {"COUNTY_RAG_DATABASE_URL": url}
    state = open_state(Settings(_env_file=None, store=county_store, database_url=url))
    for question in ELECTRICITY[:2] + [HEATING]:
        ask(state.conversations, assistant, question)
    state.close()

    shown = run_cli("report", "gaps", "--since", "7", "--store", str(county_store), env=env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "3 questions in the last 7 days had no answer or one judged wrong, in 2 topics:"
    assert lines[1].startswith("2 questions about ") and lines[1].endswith(" had no answer")
    assert lines[2:4] == [f"    {ELECTRICITY[1]}", f"    {ELECTRICITY[0]}"]
    as_json = run_cli("report", "gaps", "--json", "--store", str(county_store), env=env)
    report = json.loads(as_json.stdout)
    assert [g["count"] for g in report["gaps"]] == [2, 1] and report["since_days"] is None

    empty = run_cli("report", "gaps", "--since", "7", "--store", str(county_store),
                    env={"COUNTY_RAG_DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"})
    assert empty.stdout.strip() == "no unanswered or thumbs-down questions in the last 7 days"
    down = run_cli("report", "gaps", "--store", str(county_store),
                   env={"COUNTY_RAG_DATABASE_URL": "postgresql+psycopg://x@127.0.0.1:1/none"})
    assert down.returncode == 1 and "cannot open the app database" in down.stderr


def test_api_key_commands(tmp_path: Path):
    store = ["--store", str(tmp_path)]
    made = run_cli("api-key", "create", "hotline-desk", *store)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    state = open_state(Settings(_env_file=None, store=tmp_path))
    assert state.api_keys.holder(key) == "hotline-desk"
    listed = run_cli("api-key", "list", *store).stdout
    assert listed.startswith("hotline-desk\t") and key not in listed
    assert run_cli("api-key", "revoke", "hotline-desk", *store).returncode == 0
    assert ApiKeys(state.database).holder(key) is None  # a server checking it afresh
    missing = run_cli("api-key", "revoke", "hotline-desk", *store)
    assert missing.returncode == 1 and "no API key named 'hotline-desk'" in missing.stderr
    assert run_cli("api-key", "create", "  ", *store).returncode == 2
