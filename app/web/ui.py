"""The investor chat (public), and what the staff workspace (app/web/staff.py) shares with it.

The UI is a thin surface: answers come from `app.answering.turn.respond`, which logs each turn
(with an anonymous id of the browser's session, nothing else about the person); thumbs up/down
and a comment under an answer go to the same log (`app.staff.conversations`). Per-browser state
(chat turns) lives in gr.State; untrusted text is escaped by `app.web.render`. Questions are
answered side by side, up to COUNTY_RAG_ANSWER_CONCURRENCY at once (the queue's limit, set by
app/server.py). The staff workspace is a page of its own behind a login (app/server.py).
"""

import logging
from collections.abc import Callable

import gradio as gr

from app.answering.answer import Answer, Citation
from app.answering.assistant import Assistant
from app.answering.messages import say
from app.answering.turn import respond
from app.settings import Settings
from app.staff import workspace
from app.staff.approved import ApprovedLibrary
from app.staff.conversations import RATINGS, ConversationLog, anonymous_session
from ingest.errors import CountyRagError

from .render import (
    Context,
    Turn,
    chat_messages,
    header_html,
    message_html,
    staff_disabled_html,
    staff_link_html,
)
from .style import language_js, title_js
from .text import language, t

log = logging.getLogger(__name__)

CONTEXT_CHARS = 300  # characters of the document shown on each side of a cited passage
EXAMPLES = 3
SURFACE = "web"
LIKES = ("Like", "Dislike")  # the Chatbot's thumbs, as it names them; RATINGS in that order


class Texts:
    """Components whose interface strings follow the language switch."""

    def __init__(self) -> None:
        self.items: list[tuple[gr.components.Component | gr.blocks.Block, dict]] = []

    def add(self, component, **props: str | Callable[[str], object]):
        """props: attribute -> text key (in app.ui_text) or a function of the language."""
        self.items.append((component, props))
        return component

    @property
    def components(self) -> list:
        return [c for c, _ in self.items]

    def updates(self, lang: str) -> list:
        return [gr.update(**{attr: (v(lang) if callable(v) else t(lang, v)) for attr, v in props.items()})
                for _, props in self.items]


def surrounding(assistant: Assistant, citation: Citation, public_only: bool) -> Context | None:
    """The document text around a cited passage; None when the passage is no longer in its
    document's live version (or, for investors, when that document is not public)."""
    store = assistant.retriever.store
    try:
        records = store.records([citation.chunk_id]) if citation.chunk_id else []
        if not records:
            return None
        text, chunks = store.document_text(records[0].meta["doc_id"])
        live = {c.id: c.meta["visibility"] for c in chunks}
        if citation.chunk_id not in live or (public_only and live[citation.chunk_id] != "public"):
            return None
    except Exception:  # noqa: BLE001 - the card still shows the passage itself
        log.exception("surrounding text of %s", citation.chunk_id)
        return None
    at = text.find(citation.text)
    if at < 0:
        return None
    end = at + len(citation.text)
    before = text[max(0, at - CONTEXT_CHARS):at]
    after = text[end:end + CONTEXT_CHARS]
    return Context(("…" if at > CONTEXT_CHARS else "") + before,
                   after + ("…" if end + CONTEXT_CHARS < len(text) else ""))


def contexts_for(assistant: Assistant, answer: Answer, public_only: bool) -> dict[int, Context]:
    found = {c.n: surrounding(assistant, c, public_only) for c in answer.citations}
    return {n: c for n, c in found.items() if c is not None}


def example_questions(settings: Settings, lang: str) -> list[str]:
    """settings.example_questions, else questions about the public documents' titles."""
    if settings.example_questions:
        return list(settings.example_questions)[:EXAMPLES]
    try:
        docs = workspace.documents(settings)
    except CountyRagError:
        return []
    titles: list[str] = []
    for doc in docs:
        title = (doc.title or "").strip()
        if doc.visibility == "public" and doc.complete and title and title not in titles:
            titles.append(title)
    return [t(lang, "example_from_title", title=title[:60]) for title in titles[:EXAMPLES]]


def county(settings: Settings, lang: str) -> str:
    return settings.county_name if lang == "zh" else settings.county_name_en


def page_top(texts: Texts, header: Callable[[str], str]) -> gr.Radio:
    """The header and the language switch of a page, in the current Blocks."""
    with gr.Row(elem_id="cr-top"):
        texts.add(gr.HTML(header("zh"), elem_id="cr-header"), value=header)
        return gr.Radio([("中文", "zh"), ("English", "en")], value="zh", label="语言 / Language",
                        elem_id="cr-lang", scale=0, min_width=180)


def build_app(settings: Settings, assistant: Assistant, library: ApprovedLibrary | None,
              conversations: ConversationLog | None = None) -> gr.Blocks:
    """The investor chat (app.server mounts it at /, beside the staff workspace); turns and
    feedback go to `conversations` when given."""
    contact = {"zh": settings.contact_zh, "en": settings.contact_en}
    texts = Texts()

    def banner(lang: str) -> str:
        notice = say("keyword_led", lang) if assistant.keyword_led else ""
        return header_html(county(settings, lang), lang, notice)

    def render(turns: list[Turn], lang: str):
        """The Chatbot's messages, with the thumbs each answer was given."""
        ratings = [LIKES[RATINGS.index(x.rating)] if x.rating else None for x in turns]
        return gr.update(value=chat_messages(turns, lang, contact), feedback_value=ratings)

    # delete_cache: files uploaded through the page or offered for download are dropped from
    # gradio's cache after a day (uploads are kept in the uploads folder by app.workspace)
    with gr.Blocks(title=t("zh", "page_title", county=settings.county_name),
                   analytics_enabled=False, delete_cache=(3600, 86400)) as app:
        turns = gr.State([])
        lang = page_top(texts, banner)
        with gr.Tabs(elem_id="cr-tabs"):
            with gr.Tab(t("zh", "tab_chat"), id="chat", elem_id="cr-tab-chat") as chat_tab:
                texts.add(chat_tab, label="tab_chat")
                chatbot = texts.add(gr.Chatbot(
                    [], label=t("zh", "chat_label"), show_label=False, elem_id="cr-chat",
                    render_markdown=False, sanitize_html=True, allow_tags=False,
                    latex_delimiters=[], buttons=[], height=560, layout="bubble", autoscroll=True,
                    feedback_options=LIKES if conversations else None,
                ), label="chat_label")
                with gr.Row(visible=False, elem_id="cr-feedback") as feedback_row:
                    comment = texts.add(gr.Textbox(
                        label=t("zh", "feedback_comment"), placeholder=t("zh", "feedback_placeholder"),
                        lines=1, max_lines=4, scale=8, elem_id="cr-feedback-comment", max_length=1000,
                    ), label="feedback_comment", placeholder="feedback_placeholder")
                    send_comment = texts.add(gr.Button(t("zh", "feedback_send"), scale=1, min_width=90,
                                                       elem_id="cr-feedback-send"), value="feedback_send")
                feedback_note = gr.HTML("", elem_id="cr-feedback-note")
                with gr.Row(elem_id="cr-ask"):
                    question = texts.add(gr.Textbox(
                        label=t("zh", "question_label"), show_label=False, elem_id="cr-question",
                        placeholder=t("zh", "question_placeholder", county=settings.county_name),
                        lines=1, max_lines=4, scale=8, autofocus=True,
                    ), label="question_label",
                        placeholder=lambda lg: t(lg, "question_placeholder", county=county(settings, lg)))
                    send = texts.add(gr.Button(t("zh", "send"), variant="primary", scale=1,
                                               min_width=90, elem_id="cr-send"), value="send")
                with gr.Row(elem_id="cr-examples", equal_height=True):
                    texts.add(gr.HTML(f'<span class="cr-examples-label">{t("zh", "examples")}</span>',
                                      scale=0, min_width=60, elem_id="cr-examples-label"),
                              value=lambda lg: f'<span class="cr-examples-label">{t(lg, "examples")}</span>')
                    examples = [gr.Button(visible=False, size="sm", variant="secondary", scale=0,
                                          elem_classes=["cr-example"]) for _ in range(EXAMPLES)]
            with gr.Tab(t("zh", "tab_staff"), id="staff", elem_id="cr-tab-staff") as staff_tab:
                texts.add(staff_tab, label="tab_staff")
                if settings.staff_users:
                    texts.add(gr.HTML(staff_link_html("zh"), elem_id="cr-staff-link"), value=staff_link_html)
                else:
                    texts.add(gr.HTML(staff_disabled_html("zh"), elem_id="cr-staff-disabled"),
                              value=staff_disabled_html)

        def example_updates(lang_code: str) -> list:
            found = example_questions(settings, lang_code)
            return [gr.update(value=found[i], visible=True) if i < len(found) else gr.update(visible=False)
                    for i in range(EXAMPLES)]

        def on_load(code: str):
            lang_code = language(code)
            return [lang_code, *texts.updates(lang_code), *example_updates(lang_code)]

        def on_language(code: str, state: list[Turn]):
            lang_code = language(code)
            return [*texts.updates(lang_code), *example_updates(lang_code), render(state, lang_code)]

        refresh = [*texts.components, *examples, chatbot]
        titles = {code: t(code, "page_title", county=county(settings, code)) for code in ("zh", "en")}
        app.load(on_load, inputs=[lang], outputs=[lang, *texts.components, *examples],
                 js=language_js(titles), api_visibility="private")
        lang.input(on_language, inputs=[lang, turns], outputs=refresh, api_visibility="private")
        lang.input(None, inputs=[lang], js=title_js(titles))

        def ask(text: str, state: list[Turn], code: str, request: gr.Request):
            lang_code = language(code)
            text = (text or "").strip()
            if not text:
                yield gr.update(), gr.update(), state
                return
            record = (conversations.turn(SURFACE, anonymous_session(request.session_hash))
                      if conversations else None)
            state = [*state, Turn(text, id=record.id if record else None)]
            turn = state[-1]
            yield "", render(state, lang_code), state
            history = [(x.answer.standalone_question or x.answer.question, x.answer.text)
                       for x in state[:-1] if x.answer is not None]
            try:
                for piece in respond(assistant, library, text, "investor", history, log=record):
                    if isinstance(piece, Answer):
                        turn.answer = piece  # its text replaces what was streamed
                        turn.contexts = contexts_for(assistant, piece, public_only=True)
                    else:
                        turn.pending += piece
                    yield gr.update(), render(state, lang_code), state
            except CountyRagError as exc:
                turn.error = str(exc)
                yield gr.update(), render(state, lang_code), state
            except Exception:  # noqa: BLE001 - shown politely, logged in full
                log.exception("answering %r", text)
                turn.error = "internal error"
                yield gr.update(), render(state, lang_code), state

        ask_options = dict(outputs=[question, chatbot, turns], show_progress="minimal")
        question.submit(ask, inputs=[question, turns, lang], api_name="ask", **ask_options)
        send.click(ask, inputs=[question, turns, lang], api_visibility="private", **ask_options)
        for button in examples:
            button.click(ask, inputs=[button, turns, lang], api_visibility="private", **ask_options)
        chatbot.clear(lambda: [], outputs=[turns], api_visibility="private")  # its bin icon

        rated = gr.State(None)  # the answer (turn) whose thumbs were last clicked

        def on_thumbs(state: list[Turn], code: str, liked: gr.LikeData):
            """A thumb stores the rating at once; the comment box that opens may add to it."""
            lang_code = language(code)
            index = liked.index if isinstance(liked.index, int) else liked.index[0]
            turn = state[index // 2] if 0 <= index // 2 < len(state) else None
            if turn is None or turn.id is None or turn.answer is None:
                return state, None, gr.update(visible=False), ""
            # liked: True (thumb up), False (down), "" (clicked again: withdrawn)
            turn.rating = {True: "up", False: "down"}.get(liked.liked) if isinstance(liked.liked, bool) else None
            try:
                if turn.rating is None:
                    conversations.unrate(turn.id)
                else:
                    conversations.rate(turn.id, turn.rating)
            except CountyRagError as exc:  # the database is away: say so, the chat goes on
                log.error("feedback on %s not stored: %s", turn.id, exc)
                turn.rating = None
                return state, None, gr.update(visible=False), message_html(t(lang_code, "feedback_failed"), "warn")
            if turn.rating is None:
                return state, None, gr.update(visible=False), ""
            return state, turn.id, gr.update(visible=True), message_html(t(lang_code, "feedback_thanks"), "ok")

        def on_comment(text: str, state: list[Turn], turn_id: str | None, code: str):
            lang_code = language(code)
            turn = next((x for x in state if x.id == turn_id and x.rating), None)
            if turn is None or not (text or "").strip():
                return gr.update(), gr.update(), gr.update()
            try:
                conversations.rate(turn.id, turn.rating, text.strip())
            except CountyRagError as exc:
                log.error("feedback comment on %s not stored: %s", turn.id, exc)
                return gr.update(), gr.update(), message_html(t(lang_code, "feedback_failed"), "warn")
            return "", gr.update(visible=False), message_html(t(lang_code, "feedback_comment_thanks"), "ok")

        if conversations:
            chatbot.like(on_thumbs, inputs=[turns, lang], outputs=[turns, rated, feedback_row, feedback_note],
                         api_visibility="private")
            for trigger in (send_comment.click, comment.submit):
                trigger(on_comment, inputs=[comment, turns, rated, lang],
                        outputs=[comment, feedback_row, feedback_note], api_visibility="private")
    return app
