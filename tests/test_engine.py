"""The learned answering engine in parts: candidates, features, the shipped model file."""

import json

import numpy as np
import pytest

from app.answering.candidates import MAX_RUN, runs, sentence_spans
from app.answering.features import CANDIDATE_FEATURES, PASSAGE_FEATURES, SCORES, Asked, normal, relative, view
from app.answering.scorer import MODEL_FILE, load_models
from app.language.query import analyse
from app.retrieval.retriever import Passage
from ingest.store import Record

from .test_answer_parts import Vocabulary


def test_candidates_are_runs_of_whole_sentences_that_never_hold_the_title_line():
    text = "青禾县招商引资情况介绍\n青禾县每年可生产金属镁8万吨。今年前九个月，到位资金26亿元！新落户企业7家。"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["青禾县招商引资情况介绍", "青禾县每年可生产金属镁8万吨。",
                                            "今年前九个月，到位资金26亿元！", "新落户企业7家。"]
    found = runs(0, spans, skip=frozenset({0}))
    assert all(c.first >= 1 and c.size <= MAX_RUN for c in found)
    assert {(c.first, c.last) for c in found} == {(1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (3, 3)}


def test_features_read_coverage_figures_and_names_without_tokenizing_passages():
    query = analyse("2025年青禾县金属镁产能是多少万吨？")
    asked = Asked.of(query, {t: 1.0 for g in query.terms for t in g})
    right = normal("2025年青禾县金属镁产能达到8万吨。")
    near_miss = normal("2024年青禾县金属镁企业新增3家，产值增长12%。")
    assert asked.coverage(asked.hits(right)) == 1.0 > asked.coverage(asked.hits(near_miss))
    assert asked.fits(right) and asked.thing_before_figure(right) and not asked.thing_before_figure(near_miss)
    assert asked.around_figures(right)[0] > asked.around_figures(near_miss)[0]
    assert asked.other_years(frozenset({"2024"})) and not asked.other_years(frozenset({"2025"}))
    assert asked.names_share(right) == 1.0 and asked.names_share(normal("临县新增企业3家")) < 1.0


def test_features_say_what_kind_of_figure_or_name_a_text_gives():
    query = analyse("青禾县镁产业产值去年增长了多少？")
    asked = Asked.of(query, {t: 1.0 for g in query.terms for t in g})
    *_, change = asked.around_figures(normal("青禾县镁产业产值增长12%。"))
    assert change and not asked.around_figures(normal("青禾县镁产业产值达到40亿元。"))[-1]
    query = analyse("青禾县的镁合金检测中心建在哪个城市？")
    asked = Asked.of(query, {t: 1.0 for g in query.terms for t in g})
    assert asked.endings == ("市",) and asked.gives_name(normal("检测中心落户太原市。"))
    assert not asked.gives_name(normal("检测中心是全省首个服务城市的平台。"))
    assert Asked.of(analyse("镁产业产值多少？"), {}).endings == ()
    assert Asked.of(analyse("青禾县明年镁产量的目标是多少？"), {}).plan
    assert not Asked.of(analyse("青禾县去年镁产量是多少？"), {}).plan


def test_features_know_whole_words_and_which_province_a_document_is_about():
    query = analyse("湖南的农产品加工转化率是多少？")
    asked = Asked.of(query, {t: 1.0 for g in query.terms for t in g})
    whole = {g[0] for g, w in zip(asked.groups, asked.whole) if w}
    assert {"农产品", "转化率", "加工"} <= whole and not {"产品", "转化"} & whole  # parts of longer words
    assert asked.coverage(asked.hits(normal("产品加工转化效率提高")), asked.whole) < 0.5
    assert asked.provinces == {"湖南"}
    assert asked.conflicts(normal("2026年湖北省政府工作报告")) and not asked.conflicts(normal("湖南省政府工作报告"))
    assert not asked.conflicts(normal("关于支持农产品加工的通知"))  # a title that names no province
    # a report titled only 政府工作报告 is about the province its file is named after
    report = Passage(Record("r1", "全省农产品加工转化率达到70%。", {
        "title": "政府工作报告", "source": "2026_湖北省_政府工作报告.txt"}), 1.0)
    assert view(report, 0, asked, 1.0).conflict
    assert not view(Passage(Record("r2", report.text, {**report.meta, "source": "湖南省_政府工作报告.txt"}), 1.0),
                    0, asked, 1.0).conflict
    english = analyse("What share of Hunan's farm produce is processed?", Vocabulary())
    assert Asked.of(english, {}).provinces == {"湖南"}  # through its translation


def test_relative_features_compare_a_candidate_with_its_rivals():
    rows = np.zeros((3, len(CANDIDATE_FEATURES)))
    own = CANDIDATE_FEATURES.index("cov_own")
    rows[:, own] = [0.2, 0.9, 0.5]
    out = relative(rows)
    assert list(out[:, CANDIDATE_FEATURES.index("cov_own_rel")]) == [-0.7, 0.0, -0.4]
    assert (rows[:, CANDIDATE_FEATURES.index("cov_own_rel")] == 0).all()  # the input is left as it is


def test_the_shipped_model_matches_the_features_and_says_how_it_was_chosen():
    models = load_models()
    assert models.passage.features == PASSAGE_FEATURES
    assert models.candidate.features == CANDIDATE_FEATURES
    assert set(models.answerable.features) - set(SCORES) <= set(CANDIDATE_FEATURES)
    trained = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["trained"]
    assert 0 < trained["answer_threshold"] < 1 and 0 < trained["llm_min_evidence"] < 1
    assert trained["most_passages"] >= 1 and trained["also"] >= 0


def test_a_model_file_trained_on_other_features_is_refused_naming_them(tmp_path):
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["candidate"]["features"][0] = "a_feature_no_longer_computed"
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=r"model\.json: its candidate model .*\+a_feature_no_longer_computed, "
                                         rf"-{CANDIDATE_FEATURES[0]}\); rebuild"):
        load_models(path)
