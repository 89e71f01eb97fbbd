"""Pure pieces of answering, tested alone: numbers, citation markers, follow-ups, query analysis."""

from app.answering.citations import cited, drop_invalid, normalise, says_not_found
from app.answering.evidence import measured_thing, missing_names
from app.answering.extractive import Extract, extract
from app.language.followup import carry_over
from app.language.numbers import has_number, numbers, unsupported
from app.language.query import Expectation, analyse, names_in, search_words
from app.retrieval.retriever import Passage
from ingest.store import Record


def test_numbers_compare_by_value_across_units_and_scripts():
    assert {v for _, v in numbers("引资17亿元")} == {1.7e9}
    assert {v for _, v in numbers("引资十七亿元")} == {1.7e9}
    assert {v for _, v in numbers("1.7 billion yuan")} == {1.7e9}
    assert unsupported("The county attracted 1.7 billion yuan [1].", ["引资17亿元"]) == []
    assert unsupported("产能80万吨[1]", ["50万吨电解铝"]) == ["80万"]
    assert unsupported("统一部署，进一步落实[1]", ["统一部署"]) == []


def test_figure_kind_checks():
    assert has_number("新引进企业4家", "家") and not has_number("北京航空航天大学", "所")
    assert has_number("引资17亿元") and not has_number("6月8日，县里召开推进会议")  # a date is no amount
    assert analyse("兴县有几所大学？").expects.unit == "所"
    assert analyse("什么时候开工？").expects.kind == "date"


def test_figures_are_approximate_or_exact_but_not_designations():
    assert has_number("共受理咨询590余件", "件") and has_number("调集两万多名医护人员", "名")
    assert has_number("项目名称: 康养基地 | 总投资（亿元）: 12 | 建设地点: 碛口镇", "亿元")  # a table row
    assert has_number("产品名称: 铝材 | 单位: 吨 | 产量: 382156", "吨")
    assert not has_number("项目名称: 康养基地 | 建设地点（亿元）", "亿元")
    assert not has_number("扩产医用N95口罩") and not has_number("H7N9流感") and has_number("占比100%")
    assert not has_number("由省上统一调度，扫描二维码登记") and has_number("分为三种类型")  # 三 counts here
    assert has_number("贴息比例为５０％", "%")


def test_the_unit_counted_is_a_unit_not_the_start_of_a_noun():
    assert analyse("投资多少万元？").expects.unit == "元"  # 17亿元 answers it too
    assert analyse("接待游客多少人次？").expects.unit == "人次"
    assert analyse("定制班车有多少类型？").expects == analyse("有多少人员返岗？").expects == Expectation("number")


def test_the_measured_thing_is_the_noun_counted_else_the_word_before():
    assert "景区" in measured_thing("兴县有几个5A级景区？")
    assert "案件" in measured_thing("公安机关处理了多少起违法犯罪案件？")
    assert "面积" in measured_thing("开发区的规划面积有多大？")
    assert "招商" in measured_thing("兴县计划招商引资多少亿元？")  # 亿元 is the unit, not the thing
    assert "贴息" in measured_thing("中央财政给予的贴息比率是多少？")  # 比率: how, not what
    assert "代表" in measured_thing("该公司的法定代表人是谁？")
    assert "租金" in measured_thing("标准化厂房的租金每平方米多少钱？")  # 钱 and 每平方米: how, not what
    assert measured_thing("返程高峰期，通过热线举报，掌握了多少数据？") == {"掌握"}  # its own clause
    assert measured_thing("兴县有哪些企业？") == set()
    assert "贷款" in measured_thing("全市计划新增多少额度的小微企业贷款？")  # 额度: how; 贷款: what
    assert measured_thing("免税政策的执行期限是多久？") == {"执行"}  # 期限, like 时间, says how
    assert measured_thing("这项贷款最多贷多少？") == set()  # 最多 qualifies the figure; 贷 is no thing


def test_names_are_places_organisations_people_and_years():
    assert names_in("2024年临县引进了几家企业？") == ["临县", "2024"]
    assert "印发" not in names_in("内江市印发科学指导意见的内容是什么？")


def test_a_name_counts_only_where_a_word_of_the_document_begins():
    income = names_in("兴县的人均可支配收入是多少？")
    assert missing_names(income, "坚持振兴县域经济，居民收入稳步增长。") == ["兴县"]
    assert missing_names(income, "位于兴县经开区的项目已开工。") == []
    assert missing_names(names_in("虞山街道西泾岸社区提出哪些要求？"), "虞山街道西泾岸社区开展大巡查。") == []


def test_a_province_may_be_named_by_its_short_name_where_it_is_one():
    market = names_in("上海市对菜场商超有何管理要求？")
    assert "上海市" not in missing_names(market, "外来返沪经营人员严格居家隔离。")
    assert "天津市" in missing_names(names_in("天津市发放了哪些补贴？"), "按规定发放津贴。")  # 津贴


def test_question_words_do_not_drive_keywords():
    tokens = analyse("兴县铝土矿的规模是多少？").tokens
    assert "多少" not in tokens and "的" not in tokens and "兴县" in tokens
    assert "which" not in analyse("Which company signed the project?").tokens


def test_keyword_search_uses_whole_words_and_parts_of_unseen_ones():
    words = search_words("北京市人民政府采取什么措施减免房租？", lambda word: 1)
    assert words == ["北京市人民政府", "采取", "措施", "减免", "房租"]  # not also 京市, 民政…
    unseen = search_words("北京市人民政府采取什么措施减免房租？", lambda word: word != "北京市人民政府")
    assert {"北京", "北京市", "人民", "政府"} <= set(unseen)
    assert analyse("兴县铝土矿的规模是多少？", lambda word: 1).keywords == ["兴县", "铝土矿", "规模"]


def _picked(question: str, title: str, *texts: str, idf: dict[str, float] | None = None) -> Extract:
    """The extractive pick from passages of one document, given best first."""
    meta = {"title": title, "heading": ""}
    passages = [Passage(Record(f"p{i}", text, meta), 1.0 - i / 10) for i, text in enumerate(texts)]
    query = analyse(question)
    return extract(query, passages, idf or {t: 1.0 for t in query.tokens})


def test_a_lead_at_a_passage_end_is_continued_where_the_overlapping_passage_goes_on():
    first = "一、全力以赴保供应。各部门要加强协作。\n1.强化市场监测。"
    second = "1.强化市场监测。\n每天跟踪蔬菜供求信息，及时掌握市场行情。\n2.强化生产自给。"
    texts = [s.text for s in _picked("怎样强化市场监测？", "保供稳价措施", first, second).sentences]
    assert texts.count("1.强化市场监测。") == 1
    assert "每天跟踪蔬菜供求信息，及时掌握市场行情。" in texts


def test_other_passages_add_only_sentences_that_hold_the_question_themselves():
    found = _picked("兴县电解铝的规模是多少？", "兴县招商引资情况介绍", "兴县已形成50万吨电解铝产业规模。",
                    "5月7日，考察团赴北京考察交流。", idf={"兴县": 3.0, "电解铝": 1.0, "规模": 1.0})
    assert [s.text for s in found.sentences] == ["兴县已形成50万吨电解铝产业规模。"]


def test_a_figure_from_another_passage_is_added_when_the_answer_has_none():
    lead = "省疫情防控领导小组开通热线电话，受理疫情防控工作问题线索及意见建议，及时督促处理。"
    numbers = "各市受理电话公布如下：长沙0731-88666312，衡阳0734-8799890。"
    found = _picked("受理疫情防控问题线索及意见建议的热线电话是多少？", "省里开通疫情防控热线", lead, numbers)
    assert found.fits and numbers in [s.text for s in found.sentences]


def test_a_notice_that_announces_its_content_is_followed_by_it_even_when_it_holds_a_year():
    lead = "为加强疫情防控工作，现将延长2020年春节假期的具体安排通知如下。"
    text = f"{lead}\n一、假期延至2月2日，2月3日起正常上班。\n二、各地要做好值班安排。"
    found = _picked("为加强疫情防控工作，春节假期延长到哪天？", "关于延长春节假期的通知", text)
    assert [s.text for s in found.sentences] == [lead, "一、假期延至2月2日，2月3日起正常上班。"]


def test_dictionary_translation_of_english_questions():
    from app.language.translate import chinese_terms

    used = {"兴县", "吸引", "7月", "氢", "催化剂", "过氧化氢"}.__contains__
    terms = chinese_terms("What did Xing County attract by the end of July?", used)
    assert terms == [("兴县",), ("吸引",), ("7月",)]  # months as written; "by the" is no word
    # a word's own gloss (hydrogen → 氢) before longer glosses that start with it (hydrogen peroxide)
    assert chinese_terms("hydrogen catalyst", used) == [("氢",), ("催化剂",)]


def test_citation_markers():
    text, dropped = drop_invalid("甲[1]乙[7]丙[2]", {1, 2, 3})
    assert text == "甲[1]乙丙[2]" and dropped == [7] and cited(text) == [1, 2]
    assert normalise("<think>[9]</think>甲【1】乙[2, 3]") == "甲[1]乙[2][3]"
    assert says_not_found("未找到") and says_not_found("NOT FOUND.") and not says_not_found("未找到的项目有3个[1]")


def test_follow_ups_carry_the_subject():
    assert carry_over("它的总投资是多少？", "泽丰达制氢项目的副经理是谁？").startswith("泽丰达制氢项目")
    assert carry_over("这个项目什么时候开工？", "兴县和哪家公司签约了锻造铝合金法兰项目？") == \
        "锻造铝合金法兰项目什么时候开工？"
    assert carry_over("那浙江呢？", "北京市2025年地区生产总值是多少？") == "浙江2025年地区生产总值是多少？"
    assert carry_over("What about Zhejiang?", "What was the GDP of Beijing in 2025?") == \
        "What was the GDP of Zhejiang in 2025?"
    assert carry_over("兴县有几所大学？", None) == "兴县有几所大学？"
