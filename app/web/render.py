"""HTML of the Gradio app: answers with source cards, document and library lists.

Every piece of untrusted text (documents, titles, file names, questions, answers) goes through
`esc` (html.escape) before it is put into markup; nothing here passes text through unescaped.
"""

import html
import re
from dataclasses import dataclass, field

from app.answering.answer import Answer, Citation
from app.answering.provenance import Disclosure
from ingest.documents import TABLE
from ingest.tables import parse_row_line

from .text import reason_text, t

_MARKER = re.compile(r"\[(\d+)\]")


def esc(text: object) -> str:
    """Text made safe for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def paragraphs(text: str) -> str:
    """Escaped text with line breaks kept."""
    return esc(text.strip()).replace("\n", "<br>")


@dataclass
class Context:
    """Text around a cited passage in its document (for the expandable part of a card)."""

    before: str
    after: str


@dataclass
class Turn:
    """One exchange of the investor chat, kept in the session's state."""

    question: str
    pending: str = ""  # streamed text so far
    answer: Answer | None = None
    contexts: dict[int, Context] = field(default_factory=dict)  # by citation number
    error: str = ""
    id: str | None = None  # of the logged turn, which feedback names
    rating: str | None = None  # up | down


def marked_text(text: str, numbers: set[int]) -> str:
    """Answer text, escaped, with its [n] markers (those naming a citation) as superscripts."""
    escaped = paragraphs(text)

    def marker(match: re.Match) -> str:
        n = int(match.group(1))
        return f'<sup class="cr-ref">[{n}]</sup>' if n in numbers else match.group(0)

    return _MARKER.sub(marker, escaped)


def highlighted(passage: str, highlights: list[str]) -> str:
    """The passage, escaped, with each occurrence of a highlighted sentence in <mark>."""
    spans: list[tuple[int, int]] = []
    for sentence in highlights:
        sentence = sentence.strip()
        if not sentence:
            continue
        start = passage.find(sentence)
        while start >= 0:
            spans.append((start, start + len(sentence)))
            start = passage.find(sentence, start + len(sentence))
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, at = [], 0
    for a, b in merged:
        out.append(paragraphs_raw(passage[at:a]))
        out.append(f'<mark class="cr-hl">{paragraphs_raw(passage[a:b])}</mark>')
        at = b
    out.append(paragraphs_raw(passage[at:]))
    return "".join(out)


def paragraphs_raw(text: str) -> str:
    """Escaped text with line breaks kept, without trimming (for pieces of a passage)."""
    return esc(text).replace("\n", "<br>")


def table_html(rows: str, highlights: list[str]) -> str:
    """Table rows (one `caption | header: value` line each, ingest/tables.py) as small escaped
    HTML tables, one per run of rows with the same caption and columns; rows the answer used
    are marked."""
    groups: list[tuple[str, list[str], list[tuple[dict[str, str], bool]]]] = []
    for line in rows.splitlines():
        caption, pairs = parse_row_line(line)
        names = [name for name, _ in pairs]
        used = any(h.strip() and (h.strip() in line or line in h) for h in highlights)
        if not groups or groups[-1][0] != caption or groups[-1][1] != names:
            groups.append((caption, names, []))
        groups[-1][2].append((dict(pairs), used))
    out = []
    for caption, names, body in groups:
        head = "".join(f"<th>{esc(name)}</th>" for name in names)
        trs = "".join(
            ('<tr class="cr-hl">' if used else "<tr>")
            + "".join(f"<td>{esc(cells.get(name, ''))}</td>" for name in names) + "</tr>"
            for cells, used in body
        )
        cap = f"<caption>{esc(caption)}</caption>" if caption else ""
        out.append(f'<table class="cr-table">{cap}<thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>')
    return "".join(out)


def card(citation: Citation, lang: str, context: Context | None) -> str:
    title = citation.title or citation.source
    page = (f'<span class="cr-card-page">{esc(t(lang, "page", page=citation.pages))}</span>'
            if citation.pages else "")
    if citation.kind == TABLE:
        body = table_html(citation.text, citation.highlights)
    else:
        body = highlighted(citation.text, citation.highlights)
    if citation.ocr:
        body += '<div class="cr-card-ocr">' + esc(t(lang, "ocr_note")) + "</div>"
    if context is not None:
        around = (f'<div class="cr-context-text">{paragraphs_raw(context.before)}'
                  f'<span class="cr-context-passage">{paragraphs_raw(citation.text)}</span>'
                  f'{paragraphs_raw(context.after)}</div>')
    else:
        around = f'<div class="cr-context-text cr-muted">{esc(t(lang, "no_context"))}</div>'
    return (
        f'<div class="cr-card">'
        f'<div class="cr-card-head"><span class="cr-card-n">{citation.n}</span>'
        f'<span class="cr-card-title">{esc(title)}</span>{page}</div>'
        f'<div class="cr-card-source">{esc(citation.source)}</div>'
        f'<div class="cr-passage">{body}</div>'
        f'<details class="cr-context"><summary>{esc(t(lang, "show_context"))}</summary>{around}</details>'
        f'</div>'
    )


def mode_label(answer: Answer, lang: str) -> str:
    if answer.mode == "approved":
        return t(lang, "mode_approved")
    if answer.mode.startswith("llm:"):
        return t(lang, "mode_llm", model=answer.mode[4:])
    return t(lang, "mode_extractive")


def answer_html(answer: Answer, lang: str, contexts: dict[int, Context], contact: str,
                staff: bool = False) -> str:
    """An answer: text with [n] markers, notices, the contact line when nothing was found,
    the source cards, and which mode answered. For staff drafting (`staff`), the text is left
    out (it is in the editing box) and the answer's flags are shown."""
    # classes, not data- attributes: the Chatbot's sanitizer drops those
    kind = "answered" if answer.answered else "not-found"
    mode = answer.mode.split(":")[0]  # extractive | llm | approved
    parts = [f'<div class="cr-answer cr-{kind} cr-mode-{esc(mode)}">']
    if answer.mode == "approved":
        parts.append(f'<div class="cr-badge">{esc(t(lang, "approved_badge"))}</div>')
    if not staff or not answer.answered:
        parts.append(f'<div class="cr-text">{marked_text(answer.text, {c.n for c in answer.citations})}</div>')
    if not answer.answered and not staff:
        parts.append(f'<div class="cr-contact">{paragraphs(contact)}</div>')
    for notice in answer.notices:
        parts.append(f'<div class="cr-notice">{paragraphs(notice)}</div>')
    if staff:
        for flag in answer.flags:
            parts.append(f'<div class="cr-notice cr-flag">{paragraphs(flag)}</div>')
    if answer.citations:
        cards = "".join(card(c, lang, contexts.get(c.n)) for c in answer.citations)
        parts.append(f'<div class="cr-sources"><div class="cr-sources-label">'
                     f'{esc(t(lang, "sources"))}</div>{cards}</div>')
    parts.append(f'<div class="cr-meta"><span class="cr-mode">'
                 f'{esc(t(lang, "mode", mode=mode_label(answer, lang)))}</span></div>')
    parts.append("</div>")
    return "".join(parts)


def pending_html(text: str, lang: str) -> str:
    if not text:
        return f'<div class="cr-answer cr-pending"><span class="cr-muted">{esc(t(lang, "thinking"))}</span></div>'
    return f'<div class="cr-answer cr-pending"><div class="cr-text">{paragraphs(text)}</div></div>'


def error_html(reason: str, lang: str) -> str:
    return f'<div class="cr-answer cr-error">{esc(t(lang, "error", reason=reason))}</div>'


def question_html(question: str) -> str:
    return f'<div class="cr-question">{paragraphs(question)}</div>'


def chat_messages(turns: list[Turn], lang: str, contact: dict[str, str]) -> list[dict]:
    """The Chatbot's value: a user message and an assistant message per turn, as HTML."""
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": question_html(turn.question)})
        if turn.error:
            content = error_html(turn.error, lang)
        elif turn.answer is not None:
            content = answer_html(turn.answer, lang, turn.contexts,
                                  contact.get(turn.answer.language, contact["zh"]))
        else:
            content = pending_html(turn.pending, lang)
        messages.append({"role": "assistant", "content": content})
    return messages


def header_html(county: str, lang: str, notice: str = "") -> str:
    note = f'<div class="cr-banner">{esc(notice)}</div>' if notice else ""
    return (f'<div class="cr-header"><h1 class="cr-title">{esc(t(lang, "title", county=county))}</h1>'
            f'<p class="cr-welcome">{esc(t(lang, "welcome", county=county))}</p>{note}</div>')


def staff_header_html(title: str, lang: str) -> str:
    back = f'<a href="../" target="_self">{esc(t(lang, "back_to_chat"))}</a>'
    return (f'<div class="cr-header"><h1 class="cr-title">{esc(title)}</h1>'
            f'<p class="cr-welcome">{back}</p></div>')


def staff_link_html(lang: str) -> str:
    """The way from the investor chat to the staff login."""
    return f'<p class="cr-staff-link"><a href="staff/" target="_self">{esc(t(lang, "staff_link"))}</a></p>'


_COMMANDS = ("county-rag hash-password", "county-rag serve")


def staff_disabled_html(lang: str) -> str:
    """How to enable the workspace; commands and the variable set as code."""
    steps = []
    for key in ("staff_disabled_step1", "staff_disabled_step2", "staff_disabled_step3"):
        text = esc(t(lang, key))
        for command in _COMMANDS:
            text = text.replace(command, f"<code>{command}</code>")
        text = re.sub(r"(COUNTY_RAG_STAFF_USERS=&#x27;.*?&#x27;)", r"<code>\1</code>", text)
        steps.append(f"<li>{text}</li>")
    steps = "".join(steps)
    return (f'<div class="cr-staff-disabled"><h3>{esc(t(lang, "staff_disabled_title"))}</h3>'
            f'<p>{esc(t(lang, "staff_disabled"))}</p><ol>{steps}</ol></div>')


def message_html(text: str, kind: str = "info", lines: list[str] = ()) -> str:
    """A status line (info, ok, error), with optional detail lines, all escaped."""
    if not text and not lines:
        return ""
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    detail = f"<ul>{items}</ul>" if items else ""
    return f'<div class="cr-status cr-{kind}">{paragraphs(text)}{detail}</div>'


def _visibility(value: str | None, lang: str) -> str:
    return t(lang, value) if value in ("public", "internal") else (value or "—")


def _cell(kind: str, text: str) -> str:
    """A table cell whose text may be long: shown on one line, cut with an ellipsis by the
    style sheet, whole in the tooltip."""
    return f'<td class="cr-doc-{kind}" title="{esc(text)}">{esc(text)}</td>'


def docs_table(docs: list, lang: str, uploads: list = ()) -> str:
    """The indexed documents (ingest.store.StoredDoc), then uploads not in the index
    (app.staff.upload_status.UploadState: waiting, or failed with the reason), as an escaped
    HTML table."""
    if not docs and not uploads:
        return f'<p class="cr-muted">{esc(t(lang, "no_docs"))}</p>'
    head = "".join(f'<th class="cr-col-{k[4:]}">{esc(t(lang, k))}</th>' for k in
                   ("col_title", "col_file", "col_status", "col_chunks", "col_visibility"))
    rows = []
    for d in docs:
        status = "complete" if d.complete else "incomplete"
        rows.append(
            f'<tr class="cr-doc cr-{status} cr-vis-{esc(d.visibility)}" data-doc="{esc(d.doc_id)}">'
            f'{_cell("title", d.title or d.source)}{_cell("file", d.source)}'
            f'<td class="cr-doc-status">{esc(t(lang, status))}</td>'
            f'<td class="cr-doc-chunks">{d.n_chunks}</td>'
            f'<td class="cr-doc-visibility">{esc(_visibility(d.visibility, lang))}</td>'
            f"</tr>"
        )
    for u in uploads:
        status = (t(lang, "status_waiting") if u.state == "waiting"
                  else t(lang, "failed_reason", reason=reason_text(u.rejection, lang)))
        rows.append(
            f'<tr class="cr-doc cr-upload-{esc(u.state)}">'
            f'{_cell("title", u.name)}{_cell("file", u.name)}'
            f'<td class="cr-doc-status">{esc(status)}</td><td class="cr-doc-chunks">—</td>'
            f'<td class="cr-doc-visibility">{esc(_visibility(u.visibility, lang))}</td>'
            f"</tr>"
        )
    return f'<table class="cr-docs"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def draft_check_html(text: str, check: Disclosure, lang: str) -> str:
    """Whether investors will see a draft answer and, when not, the draft with the sentences
    worded from internal documents marked (and named), all escaped."""
    if not text.strip():
        return ""
    if check.allowed:
        return message_html(t(lang, "public_ok"), "ok")
    parts, at = [], 0
    for sentence in check.sentences:
        if sentence.internal:
            label = t(lang, "internal_sentence", title=sentence.internal_source)
            parts.append(paragraphs_raw(text[at:sentence.start]))
            parts.append(f'<mark class="cr-internal">{paragraphs_raw(sentence.text)}</mark>'
                         f'<span class="cr-internal-tag">{esc(label)}</span>')
            at = sentence.end
    parts.append(paragraphs_raw(text[at:]))
    cited = [t(lang, "internal_citations", numbers=" ".join(f"[{n}]" for n in check.hidden_citations))
             ] if check.hidden_citations else []
    return (message_html(t(lang, "internal_warning"), "warn", cited)
            + f'<div class="cr-draft-text">{"".join(parts)}</div>')


def library_html(entries: list, lang: str, withheld: set[str] = frozenset()) -> str:
    """Approved answers (app.approved.ApprovedAnswer), escaped; those in `withheld` (ids) marked as
    not shown to investors."""
    if not entries:
        return f'<p class="cr-muted">{esc(t(lang, "library_empty"))}</p>'
    items = []
    for e in entries:
        hidden = (f'<div class="cr-entry-withheld">{esc(t(lang, "entry_withheld"))}</div>'
                  if e.id in withheld else "")
        items.append(
            f'<div class="cr-entry" data-entry="{esc(e.id)}">'
            f'<div class="cr-entry-q">{esc(e.question)}</div>'
            f'<div class="cr-entry-a">{marked_text(e.answer, {c.get("n") for c in e.citations})}</div>'
            f'{hidden}'
            f'<div class="cr-entry-meta">{esc(t(lang, "approved_by", user=e.approved_by, when=e.approved_at))}'
            f' · {esc(t(lang, "n_sources", n=len(e.citations)))}</div></div>'
        )
    return f'<div class="cr-library">{"".join(items)}</div>'
