"""The staff workspace's questions tab: recent questions from the conversation log (filterable by
refused, thumbs-down and period) and the knowledge-gap report (`app.staff.gaps`, the same as
`county-rag report gaps`). Each logged question has a button that opens the pitch tab with it
and drafts an answer (wired by app/web/staff.py: `QuestionsTab.drafts`).

Questions, answers and comments are untrusted: all of it is escaped (`esc`); the button carries
only the logged turn's id, and the server looks the question up by it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import gradio as gr

from app.staff.conversations import ConversationLog, LoggedTurn
from app.staff.db import utcnow
from app.staff.gaps import Gap, gap_report
from ingest.embedder import Embedder
from ingest.errors import CountyRagError

from .render import esc, message_html, paragraphs
from .text import language, t

SHOWN = 200  # logged questions listed at most
ANSWER_PREVIEW = 80  # characters of an answer shown before "more"
PERIODS = (1, 7, 30, 0)  # days; 0 = all
# One listener for the whole table: a click on a row's button sends that row's turn id.
DRAFT_JS = """element.addEventListener('click', (event) => {
  const button = event.target.closest('button.cr-draft-from');
  if (button) trigger('click', {turn: button.dataset.turn});
});"""


def _local(at: datetime) -> str:
    """A logged time in the server's time zone (the log keeps UTC)."""
    return at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def _mode(mode: str, lang: str) -> str:
    if mode == "approved":
        return t(lang, "mode_approved")
    if mode.startswith("llm:"):
        return t(lang, "mode_llm", model=mode[4:])
    return t(lang, "mode_extractive")


def logged_html(turns: list[LoggedTurn], lang: str) -> str:
    """Logged questions as an escaped table, newest first, each with its draft button."""
    if not turns:
        return f'<p class="cr-muted">{esc(t(lang, "no_questions"))}</p>'
    head = "".join(f"<th>{esc(t(lang, key))}</th>" for key in
                   ("col_time", "col_question", "col_answer", "col_mode", "col_answered", "col_feedback"))
    head += "<th></th>"
    rows = []
    for turn in turns:
        rewrite = (f'<div class="cr-rewrite cr-muted">{esc(t(lang, "rewritten", text=turn.standalone))}</div>'
                   if turn.standalone and turn.standalone != turn.question else "")
        answer = turn.answer.strip()
        preview = esc(answer[:ANSWER_PREVIEW] + ("…" if len(answer) > ANSWER_PREVIEW else ""))
        full = (f'<details><summary>{preview}</summary><div>{paragraphs(answer)}</div></details>'
                if len(answer) > ANSWER_PREVIEW else preview)
        rating = esc(t(lang, f"rating_{turn.rating}")) if turn.rating else ""
        comment = f'<div class="cr-comment">{esc(turn.comment)}</div>' if turn.comment else ""
        state = "cr-refused" if not turn.answered else ("cr-judged-wrong" if turn.rating == "down" else "")
        rows.append(
            f'<tr class="cr-logged {state}" data-turn="{esc(turn.id)}">'
            f'<td class="cr-logged-time">{esc(_local(turn.at))}</td>'
            f'<td class="cr-logged-question"><div>{esc(turn.question)}</div>{rewrite}</td>'
            f'<td class="cr-logged-answer">{full}</td>'
            f'<td class="cr-logged-mode">{esc(_mode(turn.mode, lang))}</td>'
            f'<td class="cr-logged-answered">{esc(t(lang, "yes" if turn.answered else "no"))}</td>'
            f'<td class="cr-logged-feedback">{rating}{comment}</td>'
            f'<td><button class="cr-draft-from" data-turn="{esc(turn.id)}">{esc(t(lang, "draft_from"))}'
            f'</button></td></tr>'
        )
    return f'<table class="cr-questions"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def gap_summary(gap: Gap, lang: str) -> str:
    """One line in the page's language: 3 个关于“电价 / 用电价格”的问题没有答案."""
    about = t(lang, "gap_about", count=gap.count, topic=" / ".join(gap.topic))
    if not gap.judged_wrong:
        return t(lang, "gap_unanswered", about=about)
    if not gap.unanswered:
        return t(lang, "gap_judged_wrong", about=about)
    return t(lang, "gap_both", about=about, unanswered=gap.unanswered, wrong=gap.judged_wrong)


def gaps_html(gaps: list[Gap], lang: str) -> str:
    """The knowledge-gap report, largest gap first, each with its example questions, escaped."""
    if not gaps:
        return f'<p class="cr-muted">{esc(t(lang, "no_gaps"))}</p>'
    items = []
    for gap in gaps:
        examples = "".join(f"<li>{esc(example)}</li>" for example in gap.examples)
        last = _local(gap.last_asked)
        items.append(f'<div class="cr-gap"><div class="cr-gap-summary">{esc(gap_summary(gap, lang))}</div>'
                     f'<ul class="cr-gap-examples">{examples}</ul>'
                     f'<div class="cr-muted">{esc(t(lang, "gap_last", when=last))}</div></div>')
    return f'<div class="cr-gaps">{"".join(items)}</div>'


@dataclass
class QuestionsTab:
    """The tab's components; `drafts` is the table, whose click events carry a turn id."""

    views: list  # [gaps, table]: the outputs of `show`
    drafts: gr.HTML
    inputs: list  # [period, refused, thumbs_down]
    show: Callable  # (period, refused, thumbs_down, language code) -> the views' values
    question_of: Callable[[str], str | None]  # turn id -> the question to draft, or None


def questions_tab(conversations: ConversationLog, embedder: Callable[[], Embedder], texts,
                  lang: gr.Radio) -> QuestionsTab:
    """The tab's content, in the current Blocks (inside a gr.Tab); `lang` is the page's language."""
    with gr.Row(elem_classes=["cr-actions"]):
        period = texts.add(gr.Dropdown([(t("zh", f"period_{d}"), d) for d in PERIODS], value=7,
                                       label=t("zh", "period"), elem_id="cr-q-period", scale=0, min_width=160),
                           label="period", choices=lambda lg: [(t(lg, f"period_{d}"), d) for d in PERIODS])
        refused = texts.add(gr.Checkbox(False, label=t("zh", "only_refused"), elem_id="cr-q-refused",
                                        scale=0, min_width=160), label="only_refused")
        thumbs_down = texts.add(gr.Checkbox(False, label=t("zh", "only_thumbs_down"), elem_id="cr-q-down",
                                            scale=0, min_width=160), label="only_thumbs_down")
        refresh = texts.add(gr.Button(t("zh", "refresh"), size="sm", scale=0, elem_id="cr-q-refresh"),
                            value="refresh")
    texts.add(gr.HTML(f"<h3>{esc(t('zh', 'gaps_title'))}</h3>"),
              value=lambda lg: f"<h3>{esc(t(lg, 'gaps_title'))}</h3>")
    gaps = gr.HTML("", elem_id="cr-gaps")
    texts.add(gr.HTML(f"<h3>{esc(t('zh', 'questions_title'))}</h3>"),
              value=lambda lg: f"<h3>{esc(t(lg, 'questions_title'))}</h3>")
    table = gr.HTML("", elem_id="cr-questions", js_on_load=DRAFT_JS)

    def show(days: int | None, only_refused: bool, only_down: bool, code: str) -> list[str]:
        lang_code = language(code)
        since = utcnow() - timedelta(days=days) if days else None
        try:
            turns = conversations.recent(since, refused=only_refused, thumbs_down=only_down, limit=SHOWN)
            found = gap_report(conversations, days or None, embedder)
        except CountyRagError as exc:
            failed = message_html(str(exc), "error")
            return [failed, failed]
        return [gaps_html(found, lang_code), logged_html(turns, lang_code)]

    def question_of(turn_id: str) -> str | None:
        turn = conversations.logged(turn_id)
        return (turn.standalone or turn.question) if turn else None

    tab = QuestionsTab([gaps, table], table, [period, refused, thumbs_down], show, question_of)
    for trigger in (refresh.click, period.input, refused.input, thumbs_down.input):
        trigger(show, inputs=[*tab.inputs, lang], outputs=tab.views, api_visibility="private")
    return tab
