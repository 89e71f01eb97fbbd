"""Pure pieces of answering, tested alone: numbers, citation markers, follow-ups, query analysis."""

import numpy as np

from app.answering.citations import cited, drop_invalid, normalise, says_not_found
from app.language.followup import carry_over
from app.language.measured import measured_thing
from app.language.numbers import has_number, numbers, unsupported
from app.language.places import by_short_name
from app.language.query import Expectation, analyse, names_in, search_words


def test_numbers_compare_by_value_across_units_and_scripts():
    assert {v for _, v in numbers("引资26亿元")} == {2.6e9}
    assert {v for _, v in numbers("引资二十六亿元")} == {2.6e9}
    assert {v for _, v in numbers("2.6 billion yuan")} == {2.6e9}
    assert unsupported("The county attracted 2.6 billion yuan [1].", ["引资26亿元"]) == []
    assert unsupported("产能12万吨[1]", ["8万吨金属镁"]) == ["12万"]
    assert unsupported("统一部署，进一步落实[1]", ["统一部署"]) == []


def test_figure_kind_checks():
    assert has_number("新落户企业7家", "家") and not has_number("太原理工大学", "所")
    assert has_number("引资26亿元") and not has_number("9月14日，县里召开项目调度会")  # a date is no amount
    assert analyse("青禾县境内有几所职业学校？").expects.unit == "所"
    assert analyse("什么时候开工？").expects.kind == "date"


def test_figures_are_approximate_or_exact_but_not_designations():
    assert has_number("共办理投诉120余件", "件") and has_number("抽调三千多名志愿者", "名")
    assert has_number("项目名称: 康养基地 | 总投资（亿元）: 12 | 建设地点: 东坪镇", "亿元")  # a table row
    assert has_number("产品名称: 镁合金型材 | 单位: 吨 | 产量: 126430", "吨")
    assert not has_number("项目名称: 康养基地 | 建设地点（亿元）", "亿元")
    assert not has_number("扩产医用N95口罩") and not has_number("H7N9流感") and has_number("占比100%")
    assert not has_number("由省上统一调度，扫描二维码登记") and has_number("分为三种类型")  # 三 counts here
    assert has_number("贴息比例为５０％", "%")


def test_the_unit_counted_is_a_unit_not_the_start_of_a_noun():
    assert analyse("投资多少万元？").expects.unit == "元"  # 26亿元 answers it too
    assert analyse("接待游客多少人次？").expects.unit == "人次"
    assert analyse("镁合金产品有多少类型？").expects == analyse("有多少工人复工？").expects == Expectation("number")


def test_an_amount_of_money_is_asked_in_yuan_a_change_or_a_count_is_not():
    assert analyse("职工公寓每月租金多少钱？").expects == Expectation("number", "元")
    assert analyse("How much did Qinghe invest in the park?").expects == Expectation("number", "元")
    assert analyse("镁产业产值增长了多少？").expects == Expectation("number")  # 12% answers it
    assert analyse("园区有几个投资项目？").expects == Expectation("number")
    assert has_number("利用外资3.5亿美元", "元") and not has_number("吸纳5人就业3个月以上", "元")


def test_an_english_what_question_about_a_quantity_asks_for_a_figure():
    """As 是多少 does: the quantity is the noun the question word asks about, not a noun after
    the phrase ends (of, for, can…)."""
    assert analyse("What was Qinghe's grain output last year?").expects == Expectation("number")
    assert analyse("What is the annual cap on the rent subsidy?").expects == Expectation("number", "元")
    assert analyse("What is the park's minimum monthly wage?").expects == Expectation("number", "元")
    assert analyse("What types of firms can get the subsidy?").expects == Expectation()
    assert analyse("What kinds of projects raise output?").expects == Expectation()
    assert analyse("What does the county offer new hotels?").expects == Expectation()


def test_the_measured_thing_is_the_noun_counted_else_the_word_before():
    assert "景区" in measured_thing("青禾县有几个5A级景区？")
    assert "火灾" in measured_thing("县消防大队今年扑救了多少起火灾？")
    assert "面积" in measured_thing("开发区的规划面积有多大？")
    assert "招商" in measured_thing("青禾县计划招商引资多少亿元？")  # 亿元 is the unit, not the thing
    assert "补助" in measured_thing("省里对技改项目给予的补助比率是多少？")  # 比率: how, not what
    assert "代表" in measured_thing("该公司的法定代表人是谁？")
    assert "租金" in measured_thing("职工公寓的租金每平方米多少钱？")  # 钱 and 每平方米: how, not what
    assert measured_thing("汛期过后，经过逐户排查，统计了多少数据？") == {"统计"}  # its own clause
    assert measured_thing("青禾县有哪些企业？") == set()
    assert "贷款" in measured_thing("全县准备发放多少额度的创业担保贷款？")  # 额度: how; 贷款: what
    assert measured_thing("免税政策的执行期限是多久？") == {"执行"}  # 期限, like 时间, says how
    assert measured_thing("这笔补贴最多补多少？") == set()  # 最多 qualifies the figure; 补 is no thing


def test_names_are_places_organisations_people_and_years():
    assert names_in("2024年临县引进了几家企业？") == ["临县", "2024"]
    assert "印发" not in names_in("石门县印发的镁产业扶持办法规定了什么？")


def test_a_province_may_be_named_by_its_short_name_where_it_is_one():
    assert by_short_name("上海市", "来沪务工人员可申请一次性补贴。")
    assert not by_short_name("天津市", "按规定发放津贴。")  # 津贴 is no place


def test_question_words_do_not_drive_keywords():
    tokens = analyse("柳林县煤矿的产能是多少？").tokens
    assert "多少" not in tokens and "的" not in tokens and "柳林县" in tokens
    assert "which" not in analyse("Which company signed the project?").tokens


class Vocabulary:
    """An index's words, for query analysis: `known` words occur, `sounds` maps pinyin to words."""

    def __init__(self, known=lambda word: True, sounds: dict[str, list[str]] | None = None):
        self.known, self.sounds = known, sounds or {}

    def frequency(self, word: str) -> int:
        return int(self.known(word))

    def by_pinyin(self, word: str) -> list[str]:
        return self.sounds.get(word, [])

    def cooccurrence(self, words: list[str]) -> np.ndarray:  # every known word in one passage
        held = np.array([self.frequency(w) for w in words], dtype=np.float64)
        return np.minimum.outer(held, held)


def test_keyword_search_uses_whole_words_and_parts_of_unseen_ones():
    words = search_words("北京市人民政府采取什么措施减免房租？", lambda word: 1)
    assert words == ["北京市人民政府", "采取", "措施", "减免", "房租"]  # not also 京市, 民政…
    unseen = search_words("山西省人民政府出台了哪些措施扶持小店？", lambda word: word != "山西省人民政府")
    assert {"山西", "山西省", "人民", "政府"} <= set(unseen)
    assert analyse("柳林县煤矿的产能是多少？", Vocabulary()).keywords == ["柳林县", "煤矿", "产能"]


def test_a_word_the_index_never_saw_loses_the_function_word_or_unit_jieba_glued_to_it():
    unseen = {"家规", "家首店", "能领", "家电", "库容"}
    vocabulary = Vocabulary(lambda word: word not in unseen)
    terms = analyse("园区现在有多少家规上企业？", vocabulary).terms
    assert ("规",) in terms and ("家规",) not in terms  # 家 counts the firms (规上企业)
    assert ("首店",) in analyse("县里引进的12家首店在哪里？", vocabulary).terms
    assert ("领",) in analyse("农户最多能领多少补贴？", vocabulary).terms
    # a unit not after a count is part of the word, and a word of its own stays whole: the
    # documents may not hold what is asked
    assert ("家电",) in analyse("青禾县家电下乡补贴怎么申请？", vocabulary).terms
    assert ("库容",) in analyse("石门水库的库容有多大？", vocabulary).terms
    assert ("家首店",) in analyse("县里引进的12家首店在哪里？", Vocabulary()).terms  # a word the index holds


def test_dictionary_translation_of_english_questions():
    from app.language.translate import chinese_terms

    used = Vocabulary({"临县", "青禾县", "吸引", "9月", "氢", "催化剂", "过氧化氢", "签约", "槐塘镇"}.__contains__,
                      {"qinghe": ["青禾县"], "huaitang": ["槐塘镇"]})
    terms = chinese_terms("What did Lin County attract by the end of September?", used)
    assert terms == [("临县",), ("吸引",), ("9月",)]  # months as written; "by the" is no word
    # a word's own gloss (hydrogen → 氢) before longer glosses that start with it (hydrogen peroxide)
    assert chinese_terms("catalyst", used) == [("催化剂",)]
    assert chinese_terms("signed", used) == [("签约",)]  # the domain glossary before the dictionary
    assert chinese_terms("Huaitang", used) == [("槐塘镇",)]  # a name in pinyin, by its sound
    assert chinese_terms("Qinghe", used) == [("青禾县",)]  # an invented county: by its sound alone
    people = Vocabulary({"赵明德", "5月", "签约"}.__contains__, {"zhaomingde": ["赵明德"]})
    # a name in two pinyin words; "May" before a day is the month; a word no dictionary knows says
    # nothing of a Chinese passage; an unknown name, or a known word the documents have no word
    # for (winter: 冬季 is in no document), is kept: the documents may not hold what is asked
    assert chinese_terms("What did Zhao Mingde sign on May 3?", people) == [("赵明德",), ("签约",), ("5月",)]
    assert chinese_terms("Who zorbled Quixtar in winter?", people) == [("quixtar",), ("winter",)]

    docs = Vocabulary({"新闻", "新增", "发布会", "槐塘镇", "镁合金", "压铸", "吨", "产能"}.__contains__, {})
    assert chinese_terms("news", docs) == [("新闻",)]  # its own entry, not that of "new"
    assert ("吨",) in chinese_terms("tonnes", docs)  # British plural: tonnes → tonne → ton
    # the domain glossary's sense of a word's stem before a dictionary entry of its inflected form
    # (countries: 西洋, "Western countries", in the dictionary; country: 国家 in the glossary)
    assert chinese_terms("countries", Vocabulary({"国家", "西洋"}.__contains__, {})) == [("国家",)]
    # Chinese the English question writes itself is kept as its words
    assert chinese_terms("What capacity does the 槐塘镇 magnesium alloy plant have?", docs)[0] == ("槐塘镇",)

    # function words, in any form (got → get, a stop word), say nothing of a passage; numbers,
    # ordinals and nouns of the library's stop-word list are still asked for; a glossary phrase
    # of function words (at most) is still a phrase
    plants = Vocabulary({"合金", "工厂", "上市", "第一", "不超过"}.__contains__, {})
    assert chinese_terms("Which alloy plant got listed first?", plants) == [
        ("合金",), ("工厂",), ("上市",), ("第一",)]
    assert ("不超过",) in chinese_terms("at most", plants)


def test_the_english_warm_up_question_looks_a_name_up_by_its_pinyin():
    """The index's names by their pinyin take a while to build: warming up builds them, whatever
    words the documents use, so that the first English question naming a place does not wait."""
    from app.answering.assistant import WARM_UP
    from app.language.translate import chinese_terms

    looked_up = []

    class Recording(Vocabulary):
        def by_pinyin(self, word: str) -> list[str]:
            looked_up.append(word)
            return []

    chinese_terms(WARM_UP[1], Recording())  # every dictionary sense is used: no pinyin needed for them
    assert looked_up


def test_a_question_is_english_when_most_of_it_is():
    from app.language.query import language_of

    assert language_of("How many users does the Xiangban (湘办) app have?") == "en"
    assert language_of("槐塘镇的GDP是多少？") == "zh" and language_of("Huaitang GDP") == "en"


def test_index_words_are_found_by_their_pinyin():
    from ingest.lexical import build_lexical
    from ingest.store import Record

    meta = {"doc_id": "d", "title": "", "heading": "", "char_start": 0, "char_end": 30}
    index = build_lexical([Record("a", "青禾县在槐塘镇建设镁合金项目。", meta)])
    assert index.by_pinyin("Huaitang") == ["槐塘镇"]  # the place's kind (镇) may be left out
    assert index.by_pinyin("Qinghe") == ["青禾"] and index.by_pinyin("the") == []


def test_an_english_words_second_sense_is_the_one_its_neighbours_use():
    """receive: 获得 (its first sense) and 获批 in the glossary; beside tourists, the documents
    say 接待, which wins the second place though 获批 is in more passages."""
    from app.language.translate import chinese_terms
    from ingest.lexical import build_lexical
    from ingest.store import Record

    texts = ["青禾县国庆假期接待游客12万人次。", "槐塘镇接待游客3万人次，旅游收入增长8%。",
             "镁合金项目获批立项。", "园区获批省级开发区。", "两家企业获批专精特新称号。",
             "青禾县获得省级表彰。"]
    index = build_lexical([Record(f"c{i}", text, {"doc_id": f"d{i}", "title": "", "heading": "",
                                                  "char_start": 0, "char_end": len(text)})
                           for i, text in enumerate(texts)])
    assert index.frequency("获批") > index.frequency("接待")
    assert index.cooccurrence(["接待", "游客", "获批"]).tolist() == [[2, 2, 0], [2, 2, 0], [0, 0, 3]]
    assert ("获得", "接待") in chinese_terms("How many tourists did Qinghe receive?", index)
    assert ("获得", "获批") in chinese_terms("Did the alloy project receive approval?", index)


def test_a_documents_own_footnote_markers_never_read_as_citations():
    from app.answering.candidates import Candidate
    from app.answering.citations import number_sources
    from app.answering.extractive import compose
    from app.retrieval.retriever import Passage
    from ingest.store import Record

    text = "全年粮食产量86.5万吨[1]，比上年增长2.1%[2]。"
    passage = Passage(Record("c1", text, {"source": "公报.pdf", "title": "统计公报"}), 1.0)
    answer, citations = compose([Candidate(0, 0, 0, 0, len(text))], [passage], [0.9])
    assert answer == "全年粮食产量86.5万吨［1］，比上年增长2.1%［2］。[1]" and cited(answer) == [1]
    assert citations[0].text == text  # the card shows the passage as it is
    assert number_sources([("统计公报", text)]) == "[1] 《统计公报》 全年粮食产量86.5万吨［1］，比上年增长2.1%［2］。"


def test_citation_markers():
    text, dropped = drop_invalid("甲[1]乙[7]丙[2]", {1, 2, 3})
    assert text == "甲[1]乙丙[2]" and dropped == [7] and cited(text) == [1, 2]
    assert normalise("<think>[9]</think>甲【1】乙[2, 3]") == "甲[1]乙[2][3]"
    assert says_not_found("未找到") and says_not_found("NOT FOUND.") and not says_not_found("未找到的项目有3个[1]")


def test_follow_ups_carry_the_subject():
    assert carry_over("它的总投资是多少？", "红星渠灌溉项目的负责人是谁？").startswith("红星渠灌溉项目")
    assert carry_over("这个项目什么时候开工？", "县里和哪家企业签约了光伏支架制造项目？") == \
        "光伏支架制造项目什么时候开工？"
    assert carry_over("那浙江呢？", "北京市2025年地区生产总值是多少？") == "浙江2025年地区生产总值是多少？"
    assert carry_over("What about Zhejiang?", "What was the GDP of Beijing in 2025?") == \
        "What was the GDP of Zhejiang in 2025?"
    assert carry_over("青禾县有几家三甲医院？", None) == "青禾县有几家三甲医院？"
