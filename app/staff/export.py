"""Approved answers exported for use outside the app: Markdown and Word (.docx), with sources."""

import io

from .approved import ApprovedAnswer

_LABELS = {
    "zh": {"question": "问题", "answer": "答案", "sources": "来源", "approved": "审核", "page": "第{}页"},
    "en": {"question": "Question", "answer": "Answer", "sources": "Sources", "approved": "Approved",
           "page": "p. {}"},
}


def _where(citation: dict, labels: dict) -> str:
    pages = "–".join(str(citation[key]) for key in ("page", "page_end") if citation.get(key))
    page = f", {labels['page'].format(pages)}" if citation.get("page") else ""
    return f"{citation.get('title') or citation['source']} ({citation['source']}{page})"


def to_markdown(entries: list[ApprovedAnswer], language: str = "zh") -> str:
    labels = _LABELS.get(language, _LABELS["en"])
    parts = []
    for entry in entries:
        lines = [f"## {labels['question']}: {entry.question}", "", entry.answer, "",
                 f"**{labels['sources']}**", ""]
        for c in entry.citations:
            lines.append(f"[{c['n']}] {_where(c, labels)}")
            lines.extend(f"> {line}" for line in c["text"].splitlines())
            lines.append("")
        lines.append(f"*{labels['approved']}: {entry.approved_by}, {entry.approved_at}*")
        parts.append("\n".join(lines))
    return "\n\n---\n\n".join(parts) + "\n"


def to_docx(entries: list[ApprovedAnswer], language: str = "zh") -> bytes:
    import docx

    labels = _LABELS.get(language, _LABELS["en"])
    document = docx.Document()
    for entry in entries:
        document.add_heading(f"{labels['question']}: {entry.question}", level=2)
        document.add_paragraph(entry.answer)
        document.add_paragraph(labels["sources"]).runs[0].bold = True
        for c in entry.citations:
            document.add_paragraph(f"[{c['n']}] {_where(c, labels)}")
            document.add_paragraph(c["text"], style="Quote")
        document.add_paragraph(f"{labels['approved']}: {entry.approved_by}, {entry.approved_at}").runs[0].italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
