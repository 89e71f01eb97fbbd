"""The staff workspace: documents, pitch answers, approved answers, the questions investors asked
(with the knowledge-gap report); a page of its own at /staff.

app/server.py lets no request reach this page or its events without a valid staff session (a
server-side token in an HttpOnly cookie, app/web/login.py). Every handler takes the user from
that session, through `as_staff`, never from the browser: hidden components and browser state
are no protection, since any event can be called directly.
"""

import hashlib
import inspect
import logging
import os
import queue
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from app.answering.answer import Answer
from app.answering.assistant import Assistant
from app.answering.provenance import Disclosure, disclosure
from app.settings import Settings
from app.staff import workspace
from app.staff.approved import kept_citations
from app.staff.export import to_docx, to_markdown
from app.staff.state import AppState
from ingest.errors import CountyRagError
from ingest.sync import SyncEvents

from .questions import questions_tab
from .render import (
    answer_html,
    docs_table,
    draft_check_html,
    esc,
    library_html,
    message_html,
    staff_header_html,
)
from .style import language_js, title_js
from .text import LANGUAGES, language, reason_text, t
from .ui import Texts, contexts_for, county, page_top
from .uploads import discard, upload_cache

log = logging.getLogger(__name__)

# Every few seconds the page asks whether its session still holds, and goes to the login when not.
SESSION_JS = """() => {
  const base = window.location.pathname.replace(/\\/+$/, '') + '/';
  const check = () => fetch(base + 'session', {credentials: 'same-origin', cache: 'no-store'})
    .then(r => { if (r.status === 401) window.location.href = base + 'login?expired=1'; })
    .catch(() => {});
  setInterval(check, 5000);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) check(); });
}"""
LOGOUT_JS = """() => {
  const base = window.location.pathname.replace(/\\/+$/, '') + '/';
  fetch(base + 'logout', {method: 'POST', credentials: 'same-origin'})
    .finally(() => { window.location.href = base + 'login?out=1'; });
}"""


def as_staff(fn: Callable) -> Callable:
    """`fn` with its `name` argument set to the user of the request's staff session (Gradio
    passes the request first); the event's inputs are the other arguments, in order."""
    at = list(inspect.signature(fn).parameters).index("name")

    def arguments(request: gr.Request, values: tuple) -> list:
        return [*values[:at], request.username, *values[at:]]

    if inspect.isgeneratorfunction(fn):
        def streamed(request: gr.Request, *values):
            yield from fn(*arguments(request, values))
        return streamed

    def called(request: gr.Request, *values):
        return fn(*arguments(request, values))
    return called


class _QueueEvents(SyncEvents):
    """Sync progress, handed from the indexing thread to the UI generator."""

    def __init__(self) -> None:
        self.events: queue.Queue = queue.Queue()

    def notice(self, message: str) -> None:
        self.events.put(("notice", message))

    def start(self, total: int) -> None:
        self.events.put(("start", total))

    def file_done(self, source: str, status: str, detail: str = "") -> None:
        self.events.put(("file", (source, status)))

    def file_progress(self, source: str, message: str) -> None:
        self.events.put(("progress", f"{source}: {message}"))


def upload_status_html(report, lang: str) -> str:
    """The outcome of an upload: counts, then a line per file written with its visibility now
    (`land_policy.txt: 已更新 · 内部`), and a line per file that failed with its reason."""
    summary = t(lang, "upload_summary", added=len(report.added), updated=len(report.updated),
                unchanged=len(report.unchanged), failed=len(report.failed))
    lines = [f"{source}: {t(lang, f'status_{status}')} · {t(lang, visibility)}"
             for source, status, visibility in report.written]
    failed = [f"{Path(path).name}: {reason_text(reason, lang)}" for path, reason in report.failed]
    html = message_html(summary, "info" if failed else "ok", lines)
    return html + (message_html(t(lang, "failed_files"), "warn", failed) if failed else "")


def _doc_label(doc, lang: str) -> str:
    visibility = t(lang, doc.visibility) if doc.visibility in ("public", "internal") else doc.visibility
    return f"{doc.title or doc.source} — {doc.source} ({visibility})"


def _export_file(root: Path, name: str, data: bytes) -> str:
    """Write an export under a folder named by its content: the same export is written once."""
    folder = root / hashlib.sha256(data).hexdigest()[:20]
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.{threading.get_ident()}.part"
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return str(path)


def build_staff_app(settings: Settings, assistant: Assistant, state: AppState) -> gr.Blocks:
    """The staff workspace page (app.server mounts it at /staff behind the login)."""
    texts = Texts()
    titles = {code: t(code, "staff_title", county=county(settings, code)) for code in LANGUAGES}
    with gr.Blocks(title=titles["zh"], analytics_enabled=False, delete_cache=(3600, 86400)) as page:
        lang = page_top(texts, lambda lg: staff_header_html(titles[lg], lg))
        build_staff(settings, assistant, state, texts, lang, page)
        lang.input(None, inputs=[lang], js=title_js(titles))
        page.load(lambda code: [language(code), *texts.updates(language(code))], inputs=[lang],
                  outputs=[lang, *texts.components], js=language_js(titles), api_visibility="private")
        lang.input(lambda code: texts.updates(language(code)), inputs=[lang], outputs=texts.components,
                   api_visibility="private")
    return page


def build_staff(settings: Settings, assistant: Assistant, state: AppState, texts: Texts, lang: gr.Radio,
                page: gr.Blocks) -> None:
    """The workspace inside the current Blocks context."""
    library = state.library
    draft = gr.State(None)
    # exports are served to the browser from here; the folder goes when the app does (or at exit)
    export_dir = tempfile.TemporaryDirectory(prefix="county-rag-export-")

    with gr.Column(elem_id="cr-workspace"):
        with gr.Row(equal_height=True):
            whoami = gr.HTML("", elem_id="cr-whoami")
            logout_btn = texts.add(gr.Button(t("zh", "logout"), size="sm", scale=0, min_width=110,
                                             elem_id="cr-logout"), value="logout")
        with gr.Tabs() as tabs:
            with gr.Tab(t("zh", "tab_docs"), id="docs", elem_id="cr-tab-docs") as docs_tab:
                texts.add(docs_tab, label="tab_docs")
                files_in = texts.add(gr.File(label=t("zh", "upload_label"), file_count="multiple",
                                             elem_id="cr-upload", height=140), label="upload_label")
                with gr.Row(elem_classes=["cr-actions"]):
                    visibility_in = texts.add(gr.Radio(
                        [(t("zh", "public"), "public"), (t("zh", "internal"), "internal")],
                        value=settings.default_visibility, label=t("zh", "visibility"),
                        elem_id="cr-upload-visibility", scale=0, min_width=220),
                        label="visibility",
                        choices=lambda lg: [(t(lg, "public"), "public"), (t(lg, "internal"), "internal")])
                    upload_btn = texts.add(gr.Button(t("zh", "upload"), variant="primary", scale=0,
                                                     min_width=180, elem_id="cr-upload-btn"), value="upload")
                upload_status = gr.HTML("", elem_id="cr-upload-status")
                texts.add(gr.HTML(f"<h3>{esc(t('zh', 'docs_title'))}</h3>"),
                          value=lambda lg: f"<h3>{esc(t(lg, 'docs_title'))}</h3>")
                docs_view = gr.HTML("", elem_id="cr-docs")
                doc_pick = texts.add(gr.Dropdown([], value=None, label=t("zh", "select_doc"),
                                                 elem_id="cr-doc-pick"), label="select_doc")
                with gr.Row(elem_classes=["cr-actions"]):
                    make_public = texts.add(gr.Button(t("zh", "make_public"), size="sm", scale=0,
                                                      elem_id="cr-make-public"), value="make_public")
                    make_internal = texts.add(gr.Button(t("zh", "make_internal"), size="sm", scale=0,
                                                        elem_id="cr-make-internal"), value="make_internal")
                    delete_btn = texts.add(gr.Button(t("zh", "delete"), size="sm", variant="stop", scale=0,
                                                     elem_id="cr-delete"), value="delete")
                    refresh_btn = texts.add(gr.Button(t("zh", "refresh"), size="sm", scale=0,
                                                      elem_id="cr-refresh"), value="refresh")
                with gr.Row(visible=False, elem_classes=["cr-actions"]) as confirm_row:
                    confirm_msg = gr.HTML("")
                    confirm_btn = texts.add(gr.Button(t("zh", "confirm_delete"), variant="stop", size="sm",
                                                      scale=0, elem_id="cr-confirm-delete"),
                                            value="confirm_delete")
                    cancel_btn = texts.add(gr.Button(t("zh", "cancel"), size="sm", scale=0), value="cancel")
                doc_msg = gr.HTML("", elem_id="cr-doc-msg")

            with gr.Tab(t("zh", "tab_pitch"), id="pitch", elem_id="cr-tab-pitch") as pitch_tab:
                texts.add(pitch_tab, label="tab_pitch")
                texts.add(gr.HTML(f'<p class="cr-muted">{esc(t("zh", "pitch_intro"))}</p>'),
                          value=lambda lg: f'<p class="cr-muted">{esc(t(lg, "pitch_intro"))}</p>')
                pitch_q = texts.add(gr.Textbox(label=t("zh", "pitch_question"), max_lines=3,
                                               elem_id="cr-pitch-q"), label="pitch_question")
                with gr.Row(elem_classes=["cr-actions"]):
                    draft_btn = texts.add(gr.Button(t("zh", "draft"), variant="primary", scale=0,
                                                    min_width=160, elem_id="cr-draft"), value="draft")
                pitch_answer = texts.add(gr.Textbox(label=t("zh", "draft_label"), lines=5, max_lines=20,
                                                    interactive=True, elem_id="cr-pitch-answer"),
                                         label="draft_label")
                draft_check = gr.HTML("", elem_id="cr-draft-check")
                pitch_view = gr.HTML("", elem_id="cr-pitch-view")
                with gr.Row(elem_classes=["cr-actions"]):
                    approve_btn = texts.add(gr.Button(t("zh", "approve"), variant="primary", scale=0,
                                                      min_width=160, elem_id="cr-approve"), value="approve")
                approve_msg = gr.HTML("", elem_id="cr-approve-msg")

            with gr.Tab(t("zh", "tab_library"), id="library", elem_id="cr-tab-library") as lib_tab:
                texts.add(lib_tab, label="tab_library")
                library_view = gr.HTML("", elem_id="cr-library")
                entry_pick = texts.add(gr.Dropdown([], value=None, label=t("zh", "select_entry"),
                                                   elem_id="cr-entry-pick"), label="select_entry")
                with gr.Row(elem_classes=["cr-actions"]):
                    one_md, one_docx, all_md, all_docx = (
                        texts.add(gr.DownloadButton(t("zh", f"export_{kind}"), interactive=False, size="sm",
                                                    scale=0, elem_id=f"cr-export-{kind.replace('_', '-')}"),
                                  label=f"export_{kind}")
                        for kind in ("one_md", "one_docx", "all_md", "all_docx"))
                with gr.Row(elem_classes=["cr-actions"]):
                    delete_entry_btn = texts.add(gr.Button(t("zh", "delete_entry"), variant="stop", size="sm",
                                                           scale=0, elem_id="cr-delete-entry"),
                                                 value="delete_entry")
                lib_msg = gr.HTML("", elem_id="cr-lib-msg")

            with gr.Tab(t("zh", "tab_questions"), id="questions", elem_id="cr-tab-questions") as questions_tab_:
                texts.add(questions_tab_, label="tab_questions")
                questions = questions_tab(state.conversations, lambda: assistant.retriever.embedder, texts, lang)

    # --- views -------------------------------------------------------------------------------

    def documents_views(lang_code: str) -> list:
        try:
            docs = workspace.documents(settings)
        except CountyRagError:
            docs = []
        choices = [(_doc_label(d, lang_code), d.doc_id) for d in docs]
        return [docs_table(docs, lang_code, workspace.pending(settings)),
                gr.update(choices=choices, value=None)]

    def export_files(entries: list, selected: str | None, lang_code: str) -> list:
        if not entries:
            return [gr.update(value=None, interactive=False) for _ in range(4)]
        out = []
        chosen = [e for e in entries if e.id == selected]
        for group, stem in ((chosen, f"approved-answer-{selected}"), (entries, "approved-answers")):
            if not group:
                out += [gr.update(value=None, interactive=False) for _ in range(2)]
                continue
            root = Path(export_dir.name)
            md = _export_file(root, f"{stem}.md", to_markdown(group, lang_code).encode("utf-8"))
            docx = _export_file(root, f"{stem}.docx", to_docx(group, lang_code))
            out += [gr.update(value=md, interactive=True), gr.update(value=docx, interactive=True)]
        return out

    def library_views(lang_code: str, selected: str | None = None) -> list:
        entries = library.entries() if library else []
        if selected not in {e.id for e in entries}:
            selected = None
        choices = [(f"{e.question} — {e.approved_by}", e.id) for e in entries]
        withheld = {e.id for e in entries
                    if not disclosure(assistant.retriever, e.answer, e.citations, "investor").allowed}
        return [library_html(entries, lang_code, withheld), gr.update(choices=choices, value=selected),
                *export_files(entries, selected, lang_code)]

    doc_outputs = [docs_view, doc_pick]
    lib_outputs = [library_view, entry_pick, one_md, one_docx, all_md, all_docx]

    def keep(outputs: list) -> list:
        return [gr.update() for _ in outputs]

    # --- session -----------------------------------------------------------------------------

    def show(name: str | None, code: str):
        lang_code = language(code)
        return [message_html(t(lang_code, "logged_in", user=name), "ok"),
                *documents_views(lang_code), *library_views(lang_code)]

    views = [whoami, *doc_outputs, *lib_outputs]
    page.load(as_staff(show), inputs=[lang], outputs=views, api_visibility="private")
    lang.input(as_staff(show), inputs=[lang], outputs=views, api_visibility="private")
    logout_btn.click(None, js=LOGOUT_JS)

    # --- documents ---------------------------------------------------------------------------

    def upload(paths: list[str] | None, visibility: str, name: str | None, code: str):
        lang_code = language(code)
        if not name:
            yield [message_html(t(lang_code, "not_logged_in"), "error"), *keep(doc_outputs), gr.update()]
            return
        if not paths:
            yield [message_html(t(lang_code, "no_files"), "warn"), *keep(doc_outputs), gr.update()]
            return
        events = _QueueEvents()
        outcome: dict = {}

        def run() -> None:  # not tied to the browser: an upload finishes if the page closes
            try:
                outcome["report"] = workspace.upload(settings, [Path(p) for p in paths],
                                                     visibility if visibility in ("public", "internal")
                                                     else settings.default_visibility, events)
            except CountyRagError as exc:
                outcome["error"] = str(exc)
            except Exception as exc:  # noqa: BLE001 - reported to the user, logged in full
                log.exception("upload")
                outcome["error"] = f"{type(exc).__name__}: {exc}"
            finally:
                discard(paths, upload_cache())  # copied to the uploads folder, or failed
                events.events.put(("end", None))

        threading.Thread(target=run, name="county-rag-upload").start()
        total, done, lines = len(paths), 0, []
        yield [message_html(t(lang_code, "indexing_start", n=total), "info"), *keep(doc_outputs), gr.update()]
        while True:
            kind, value = events.events.get()
            if kind == "end":
                break
            if kind == "start":
                total = value
            elif kind == "file":
                done += 1
                source, state = value
                known = state in ("added", "updated", "failed")
                lines.append(f"{source}: {t(lang_code, f'status_{state}') if known else state}")
            elif kind in ("notice", "progress"):
                lines.append(str(value))
            yield [message_html(t(lang_code, "indexing", done=done, total=total), "info", lines[-8:]),
                   *keep(doc_outputs), gr.update()]
        if "error" in outcome:
            status = message_html(outcome["error"], "error")
        else:
            status = upload_status_html(outcome["report"], lang_code)
        yield [status, *documents_views(lang_code), None]

    upload_btn.click(as_staff(upload), inputs=[files_in, visibility_in, lang],
                     outputs=[upload_status, *doc_outputs, files_in], api_visibility="private",
                     concurrency_id="index-writes", concurrency_limit=1, show_progress="minimal")

    def find_doc(doc_id: str | None):
        try:
            return next((d for d in workspace.documents(settings) if d.doc_id == doc_id), None)
        except CountyRagError:
            return None

    def change_visibility(visibility: str):
        def handler(doc_id: str | None, name: str | None, code: str):
            lang_code = language(code)
            if not name:
                return [message_html(t(lang_code, "not_logged_in"), "error"), *keep(doc_outputs)]
            doc = find_doc(doc_id)
            if doc is None:
                return [message_html(t(lang_code, "pick_doc"), "warn"), *keep(doc_outputs)]
            try:
                workspace.set_visibility(settings, doc.doc_id, visibility)
            except CountyRagError as exc:
                return [message_html(str(exc), "error"), *keep(doc_outputs)]
            msg = t(lang_code, "visibility_changed", title=doc.title or doc.source,
                    visibility=t(lang_code, visibility))
            return [message_html(msg, "ok"), *documents_views(lang_code)]
        return handler

    for button, visibility in ((make_public, "public"), (make_internal, "internal")):
        button.click(as_staff(change_visibility(visibility)), inputs=[doc_pick, lang],
                     outputs=[doc_msg, *doc_outputs], api_visibility="private",
                     concurrency_id="index-writes", concurrency_limit=1)

    def ask_delete(doc_id: str | None, name: str | None, code: str):
        lang_code = language(code)
        doc = find_doc(doc_id) if name else None
        if doc is None:
            return [gr.update(visible=False), "",
                    message_html(t(lang_code, "pick_doc" if name else "not_logged_in"), "warn")]
        prompt = t(lang_code, "confirm_delete_prompt", title=doc.title or doc.source)
        return [gr.update(visible=True), message_html(prompt, "warn"), ""]

    delete_btn.click(as_staff(ask_delete), inputs=[doc_pick, lang],
                     outputs=[confirm_row, confirm_msg, doc_msg],
                     api_visibility="private")
    cancel_btn.click(lambda: gr.update(visible=False), outputs=confirm_row, api_visibility="private")

    def delete(doc_id: str | None, name: str | None, code: str):
        lang_code = language(code)
        if not name:
            return [gr.update(visible=False), message_html(t(lang_code, "not_logged_in"), "error"),
                    *keep(doc_outputs)]
        doc = find_doc(doc_id)
        if doc is None:
            return [gr.update(visible=False), message_html(t(lang_code, "pick_doc"), "warn"),
                    *keep(doc_outputs)]
        try:
            workspace.delete(settings, doc)
        except CountyRagError as exc:
            return [gr.update(visible=False), message_html(str(exc), "error"), *keep(doc_outputs)]
        return [gr.update(visible=False),
                message_html(t(lang_code, "deleted", title=doc.title or doc.source), "ok"),
                *documents_views(lang_code)]

    confirm_btn.click(as_staff(delete), inputs=[doc_pick, lang], outputs=[confirm_row, doc_msg, *doc_outputs],
                      api_visibility="private", concurrency_id="index-writes", concurrency_limit=1)

    def refresh(name: str | None, code: str):
        return documents_views(language(code)) if name else keep(doc_outputs)

    refresh_btn.click(as_staff(refresh), inputs=[lang], outputs=doc_outputs, api_visibility="private")

    # --- pitch answers -----------------------------------------------------------------------

    def pitch_view_html(answer: Answer, lang_code: str) -> str:
        contexts = contexts_for(assistant, answer, public_only=False)
        contact = settings.contact_zh if answer.language == "zh" else settings.contact_en
        return answer_html(answer, lang_code, contexts, contact, staff=True)

    def investor_check(text: str, answer: Answer | None) -> Disclosure | None:
        """What investors would be shown of this text, judged as the chat will judge it."""
        if answer is None or not answer.answered or not (text or "").strip():
            return None
        citations = kept_citations(text, [c.to_json() for c in answer.citations])
        return disclosure(assistant.retriever, text, citations, "investor")

    def check_html(text: str, answer: Answer | None, lang_code: str) -> str:
        check = investor_check(text, answer)
        return draft_check_html(text, check, lang_code) if check else ""

    def recheck(text: str, answer: Answer | None, name: str | None, code: str) -> str:
        return check_html(text, answer, language(code)) if name else ""

    gr.on([pitch_answer.input, pitch_answer.blur], as_staff(recheck), inputs=[pitch_answer, draft, lang],
          outputs=draft_check, api_visibility="private", trigger_mode="always_last", show_progress="hidden")

    def draft_answer(question: str, name: str | None, code: str):
        lang_code = language(code)
        question = (question or "").strip()
        if not name:
            yield [gr.update(), message_html(t(lang_code, "not_logged_in"), "error"), None, "", ""]
            return
        if not question:
            yield [gr.update(), gr.update(), gr.update(), gr.update(), gr.update()]
            return
        shown = ""
        yield ["", f'<p class="cr-muted">{esc(t(lang_code, "thinking"))}</p>', None, "", ""]
        try:
            for piece in assistant.stream(question, role="staff"):
                if isinstance(piece, Answer):
                    yield [piece.text, pitch_view_html(piece, lang_code), piece, "",
                           check_html(piece.text, piece, lang_code)]
                else:
                    shown += piece
                    yield [shown, gr.update(), None, "", ""]
        except CountyRagError as exc:
            yield [gr.update(), message_html(str(exc), "error"), None, "", ""]
        except Exception:  # noqa: BLE001
            log.exception("drafting %r", question)
            yield [gr.update(), message_html(t(lang_code, "error", reason="internal error"), "error"), None,
                   "", ""]

    draft_outputs = [pitch_answer, pitch_view, draft, approve_msg, draft_check]
    for trigger in (draft_btn.click, pitch_q.submit):
        trigger(as_staff(draft_answer), inputs=[pitch_q, lang], outputs=draft_outputs,
                api_visibility="private", show_progress="minimal")

    # --- questions asked: one click from a logged question to its draft ------------------------

    for trigger in (questions_tab_.select, lang.input):
        trigger(questions.show, inputs=[*questions.inputs, lang], outputs=questions.views,
                api_visibility="private")

    def to_pitch(code: str, clicked: gr.EventData):
        """The pitch tab with the logged question (looked up by the turn id the click sent)."""
        turn_id = str(getattr(clicked, "turn", "") or "")
        question = questions.question_of(turn_id) if turn_id else None
        if question is None:
            raise gr.Error(t(language(code), "question_gone"))
        return question, gr.Tabs(selected="pitch")

    questions.drafts.click(to_pitch, inputs=[lang], outputs=[pitch_q, tabs], api_visibility="private").success(
        as_staff(draft_answer), inputs=[pitch_q, lang], outputs=draft_outputs, api_visibility="private",
        show_progress="minimal")

    def approve(text: str, answer: Answer | None, name: str | None, code: str):
        lang_code = language(code)
        if not name:
            return [message_html(t(lang_code, "not_logged_in"), "error"), gr.update(), *keep(lib_outputs)]
        if answer is None or library is None:
            return [message_html(t(lang_code, "no_draft"), "warn"), gr.update(), *keep(lib_outputs)]
        if not (text or "").strip():
            return [message_html(t(lang_code, "empty_answer"), "warn"), gr.update(), *keep(lib_outputs)]
        entry = library.add(answer.question, text, [c.to_json() for c in answer.citations], name,
                            answer.language)
        check = investor_check(entry.answer, answer)
        shown = check is None or check.allowed
        key = "approved_saved" if shown else "approved_saved_internal"
        saved = message_html(t(lang_code, key, user=name), "ok" if shown else "warn")
        return [saved,
                draft_check_html(entry.answer, check, lang_code) if check else "",
                *library_views(lang_code, entry.id)]

    approve_btn.click(as_staff(approve), inputs=[pitch_answer, draft, lang],
                      outputs=[approve_msg, draft_check, *lib_outputs], api_visibility="private")

    # --- approved answers --------------------------------------------------------------------

    def select_entry(entry_id: str | None, name: str | None, code: str):
        if not name:
            return keep(lib_outputs[2:])
        entries = library.entries() if library else []
        return export_files(entries, entry_id, language(code))

    entry_pick.input(as_staff(select_entry), inputs=[entry_pick, lang], outputs=lib_outputs[2:],
                     api_visibility="private")

    def delete_entry(entry_id: str | None, name: str | None, code: str):
        lang_code = language(code)
        if not name:
            return [message_html(t(lang_code, "not_logged_in"), "error"), *keep(lib_outputs)]
        if not entry_id or library is None:
            return [message_html(t(lang_code, "pick_doc"), "warn"), *keep(lib_outputs)]
        library.delete(entry_id)
        return [message_html(t(lang_code, "entry_deleted"), "ok"), *library_views(lang_code)]

    delete_entry_btn.click(as_staff(delete_entry), inputs=[entry_pick, lang], outputs=[lib_msg, *lib_outputs],
                           api_visibility="private")
