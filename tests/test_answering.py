"""The extractive path end to end on a real index: answers, citations, refusal, roles, CLI."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.answering.answer import Citation
from app.answering.assistant import Assistant
from app.answering.citations import cited
from app.retrieval.retriever import Passage
from app.settings import Settings
from ingest.sync import sync

COUNTY = """青禾县招商引资情况介绍

一、产业基础
青禾县的支柱产业是煤化工和镁冶炼，目前每年可生产焦炭120万吨、甲醇30万吨、金属镁8万吨、碳素15万吨。今年前九个月，全县新签约项目6个，到位资金26亿元，新落户企业7家。

二、重点项目
4月16日，青禾县同河北恒泰铸造有限公司签订合同，由该公司投资建设年产5万吨球墨铸管项目。6月3日，县考察团到太原理工大学洽谈共建镁合金检测中心。

三、营商环境
园区新建了职工公寓和共享实验室，开设的企业服务驿站为入驻企业提供政策咨询、证照代办、法律援助和人才招聘服务。

四、应急保障
3月2日，县里决定在城北开建一座应急物资储备库。储备库将于3月20日前完工投入使用。
"""
POLICY = """关于支持中小企业渡过难关的通知

对受疫情影响的中小企业，减免三个月房租。小微企业贷款利率下调0.5个百分点。企业可通过12345热线咨询政策。
"""
NEIGHBOUR = """石门县招商引资情况介绍

石门县每年可生产甲醇20万吨。今年以来，石门县新落户企业9家。
"""
INTERNAL = """内部资料：重点客商跟踪表

荞麦深加工项目的意向投资方为晋北丰收食品公司，预计投资额8亿元，尚在保密洽谈阶段。
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("answering")
    public, internal = root / "public", root / "internal"
    public.mkdir()
    internal.mkdir()
    (public / "county.txt").write_text(COUNTY, encoding="utf-8")
    (public / "policy.txt").write_text(POLICY, encoding="utf-8")
    (public / "neighbour.txt").write_text(NEIGHBOUR, encoding="utf-8")
    (internal / "clients.txt").write_text(INTERNAL, encoding="utf-8")
    settings = Settings(_env_file=None, store=root / "store", embed_model="bundled")
    sync(settings, [public])
    sync(settings, [internal], visibility="internal")
    return settings


@pytest.fixture(scope="module")
def assistant(index: Settings) -> Assistant:
    return Assistant.open(index)


def test_the_sentence_naming_the_subject_comes_with_the_answer(assistant: Assistant):
    answer = assistant.ask("应急物资储备库将于哪天完工投入使用？")
    assert answer.answered and "3月20日前" in answer.text
    assert "城北" in answer.text


def stored_texts(assistant: Assistant) -> set[str]:
    return {r.text for r in assistant.retriever.store.records()}


@pytest.mark.parametrize("question, key", [
    ("青禾县每年能生产多少金属镁？", "8万吨"),
    ("今年前九个月青禾县新落户了多少家企业？", "7家"),
    ("球墨铸管项目是青禾县跟哪家企业签的？", "河北恒泰铸造有限公司"),
    ("企业服务驿站能为企业办哪些事？", "政策咨询、证照代办、法律援助"),
])
def test_answers_quote_the_documents_with_citations(assistant: Assistant, question: str, key: str):
    answer = assistant.ask(question)
    assert answer.answered and answer.mode == "extractive"
    assert key in answer.text
    numbers = cited(answer.text)
    assert numbers and set(numbers) == {c.n for c in answer.citations}
    texts = stored_texts(assistant)
    for citation in answer.citations:
        assert citation.text in texts  # verbatim stored passage
        assert citation.highlights and all(h in citation.text for h in citation.highlights)
    # the answer's sentences are verbatim from the cited passages
    for piece in answer.text.replace("]", "[").split("[")[::2]:
        if piece.strip():
            assert any(piece in c.text for c in answer.citations)


def test_figures_and_units_are_never_altered(assistant: Assistant):
    answer = assistant.ask("青禾县今年到位资金多少亿元？")
    assert answer.answered and "26亿元" in answer.text


@pytest.mark.parametrize("question, key, other", [
    ("青禾县每年可以生产多少万吨甲醇？", "甲醇30万吨", "甲醇20万吨"),
    ("石门县今年落户了多少家企业？", "9家", "7家"),
])
def test_answers_come_from_documents_about_the_place_asked(assistant: Assistant, question: str,
                                                          key: str, other: str):
    answer = assistant.ask(question)
    assert answer.answered and key in answer.text and other not in answer.text
    sources = {c.source for c in answer.citations}
    assert len(sources) == 1 and {p.meta["source"] for p in answer.retrieved} > sources


def test_unanswerable_questions_are_refused_in_the_question_language(assistant: Assistant):
    zh = assistant.ask("青禾县的常住人口有多少？")
    assert not zh.answered and not zh.citations and "没有找到" in zh.text
    assert not assistant.ask("河北恒泰铸造有限公司的法定代表人是谁？").answered
    en = assistant.ask("What is the average winter temperature in Qinghe County?")
    assert not en.answered and not en.citations and "do not answer" in en.text


def test_english_questions_find_chinese_passages_through_the_dictionary(assistant: Assistant):
    answer = assistant.ask("Which company will build the casting project in Qinghe County?")  # casting → 铸造
    assert answer.answered and "河北恒泰铸造有限公司" in answer.text and answer.language == "en"
    refused = assistant.ask("How many hospitals does Qinghe County have?")
    assert not refused.answered and refused.text.startswith("Sorry")


def test_internal_documents_are_for_staff_only(assistant: Assistant):
    question = "荞麦深加工项目的意向投资方是谁？"
    investor = assistant.ask(question, role="investor")
    assert not investor.answered
    assert all("clients.txt" != p.meta["source"] for p in investor.retrieved)
    staff = assistant.ask(question, role="staff")
    assert staff.answered and "晋北丰收食品公司" in staff.text
    assert staff.citations[0].source == "clients.txt"


def test_follow_up_carries_the_subject_over(assistant: Assistant):
    first = assistant.ask("球墨铸管项目是青禾县跟哪家企业签的？")
    follow = assistant.ask("这个项目的年产能是多少？", history=[(first.question, first.text)])
    assert follow.standalone_question and "铸管项目" in follow.standalone_question
    assert follow.answered and "5万吨" in follow.text


def test_retrieved_lists_at_least_top_k_best_first(assistant: Assistant):
    answer = assistant.ask("青禾县的产业规模", top_k=3)
    data = answer.to_json()
    assert len(data["retrieved"]) == 3
    scores = [p["score"] for p in data["retrieved"]]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1.0


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "COUNTY_RAG_EMBED_MODEL": "bundled"})


def test_ask_json_and_batch_follow_the_contract(index: Settings, tmp_path: Path):
    single = run_cli("ask", "青禾县每年能生产多少金属镁？", "--json", "--store", str(index.store))
    assert single.returncode == 0, single.stderr
    data = json.loads(single.stdout)
    assert {"question", "answer", "answered", "citations", "retrieved"} <= data.keys()
    assert data["answered"] and "8万吨" in data["answer"]
    assert {"n", "chunk_id", "source", "page", "text", "score"} <= data["citations"][0].keys()

    batch = tmp_path / "q.jsonl"
    questions = ["青禾县每年能生产多少金属镁？", "青禾县的常住人口有多少？", "荞麦深加工项目的意向投资方是谁？"]
    batch.write_text("\n".join(json.dumps({"question": q, "id": i}) for i, q in enumerate(questions)),
                     encoding="utf-8")
    done = run_cli("ask", "--batch", str(batch), "--store", str(index.store), "--top-k", "2")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["question"] for line in lines] == questions
    assert [line["answered"] for line in lines] == [True, False, False]
    assert all(len(line["retrieved"]) >= 2 for line in lines)
    staff = run_cli("ask", questions[2], "--json", "--role", "staff", "--store", str(index.store))
    assert json.loads(staff.stdout)["answered"]


def test_ask_usage_errors_exit_2(index: Settings, tmp_path: Path):
    assert run_cli("ask", "问题", "--role", "boss", "--store", str(index.store)).returncode == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "好"}\nnot json\n', encoding="utf-8")
    done = run_cli("ask", "--batch", str(bad), "--store", str(index.store))
    assert done.returncode == 2 and "bad.jsonl:2" in done.stderr
    missing = run_cli("ask", "问题", "--store", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "county-rag ingest" in missing.stderr


def test_plain_text_mode_shows_answer_and_sources(index: Settings):
    done = run_cli("ask", "青禾县每年能生产多少金属镁？", "--store", str(index.store))
    assert done.returncode == 0
    assert "8万吨" in done.stdout and "[1]" in done.stdout and "county.txt" in done.stdout


def test_dense_side_votes_only_when_the_model_reads_the_text(assistant: Assistant):
    from app.language.query import analyse
    from ingest.store import Record

    retriever = assistant.retriever
    chinese = [Record("a", "青禾县每年可生产金属镁8万吨、甲醇30万吨。", {})]
    english = [Record("b", "The county has a magnesium smelter and a pipe foundry.", {})]
    assert retriever.dense_weight(analyse("青禾县每年能生产多少金属镁？"), chinese) == 0.0
    assert retriever.dense_weight(analyse("How large is the magnesium industry?"), english) == 1.0
    assert retriever.dense_weight(analyse("How large is the magnesium industry?"), chinese) == 0.0


def test_eval_reports_retrieval_answers_refusals_and_latency(index: Settings, tmp_path: Path):
    questions = tmp_path / "mine.jsonl"
    rows = [
        {"id": "a", "question": "青禾县今年到位资金多少亿元？", "lang": "zh", "answerable": True,
         "must": [["26亿元"]], "evidence": "到位资金26亿元"},
        {"id": "b", "question": "What is the average winter temperature in Qinghe County?", "lang": "en",
         "answerable": False, "must": [], "evidence": ""},
    ]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    done = run_cli("eval", str(questions), "--store", str(index.store), "--json", "--failures")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {"overall", "lang_zh", "lang_en", "failures"} <= report.keys()
    overall = report["overall"]
    assert overall["questions"] == 2 and overall["answerable"] == 1 and overall["unanswerable"] == 1
    assert overall["evidence_hit_at_5"] == 1.0 and overall["citations_verbatim"] == 1.0
    assert overall["latency_p95_ms"] >= overall["latency_p50_ms"] > 0
    assert report["lang_en"]["unanswerable_refused"] in (0.0, 1.0)
    table = run_cli("eval", str(questions), "--store", str(index.store), "--failures")
    assert table.returncode == 0 and "evidence in the top 5 passages" in table.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    refused = run_cli("eval", str(bad), "--store", str(index.store))
    assert refused.returncode == 2 and "bad.jsonl:1" in refused.stderr


def test_a_question_about_a_table_cell_is_answered_with_its_row(tmp_path):
    from . import fixture_docs as F

    docs = tmp_path / "docs"
    docs.mkdir()
    F.write_table_pdf(docs / "bulletin.pdf")
    F.write_project_xlsx(docs / "projects.xlsx")
    settings = Settings(_env_file=None, store=tmp_path / "store", embed_model="bundled")
    sync(settings, [docs])
    assistant = Assistant.open(settings)
    answer = assistant.ask("镁合金型材产量是多少吨？")
    assert answer.answered
    assert f"{F.TABLE_CAPTION} | 产品名称: 镁合金型材 | 单位: 吨 | 产量: 126430" in answer.text
    first = answer.citations[0]
    assert (first.kind, first.page, first.source) == ("table", 1, "bulletin.pdf")
    answer = assistant.ask("清漳河文旅康养基地总投资多少亿元？")
    assert answer.answered and "总投资（亿元）: 12 | 建设地点: 东坪镇" in answer.text
    assert answer.citations[0].kind == "table" and answer.citations[0].to_json()["kind"] == "table"


def test_a_row_is_cited_with_its_own_page_when_its_table_runs_over_a_page_end(tmp_path):
    """The project table starts on page 2 and its last row is on page 3: a citation gives the
    pages of the rows it quotes, not the page where its passage starts."""
    from . import fixture_docs as F

    docs = tmp_path / "docs"
    docs.mkdir()
    F.write_spanning_tables_pdf(docs / "projects.pdf")
    settings = Settings(_env_file=None, store=tmp_path / "store", embed_model="bundled")
    sync(settings, [docs])
    assistant = Assistant.open(settings)
    table = next(r for r in assistant.retriever.store.records() if F.SPANNING_CAPTIONS[1] in r.text)
    assert (table.meta["page"], table.meta["page_end"]) == (2, 3)
    rows = table.text.split("\n")
    for row, page in zip(rows, (2, 2, 3)):
        citation = Citation.of(1, Passage(table, 1.0), 1.0, [row])
        assert (citation.page, citation.page_end, citation.pages) == (page, None, str(page))
    whole = Citation.of(1, Passage(table, 1.0), 1.0, [])  # no highlight: the passage's pages
    assert (whole.page, whole.page_end, whole.pages) == (2, 3, "2–3")
    answer = assistant.ask(f"{F.SPANNING_PROJECTS[2][1]}投资额多少亿元？")
    assert answer.answered and rows[2] in answer.text
    quoted = answer.citations[0]
    assert quoted.page == (2 if rows[0] in answer.text else 3) and quoted.page_end in (None, 3)
    assert quoted.to_json()["page_end"] == quoted.page_end


def test_overlapping_chunks_are_quoted_once(tmp_path):
    """Neighbouring chunks share sentences; an answer never quotes the same sentence twice."""
    lines = [f"青禾县第{n}号标准厂房占地{n * 3}亩，由县城投公司建设，已有{n}家企业入驻。" for n in range(1, 30)]
    lines[14] = "青禾县镁合金压铸产业园二期总投资12亿元，规划建设压铸生产线40条。"
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "park.txt").write_text("青禾县园区建设\n\n" + "".join(lines), encoding="utf-8")
    settings = Settings(_env_file=None, store=tmp_path / "store", embed_model="bundled",
                        chunk_tokens=120, chunk_overlap_tokens=60)
    sync(settings, [folder])
    assistant = Assistant.open(settings)
    chunks = [r.text for r in assistant.retriever.store.records()]
    assert sum(lines[14] in text for text in chunks) >= 2  # the sentence is in two chunks
    answer = assistant.ask("镁合金压铸产业园二期总投资多少？")
    assert answer.answered and "12亿元" in answer.text
    assert answer.text.count("压铸产业园二期总投资12亿元") == 1
