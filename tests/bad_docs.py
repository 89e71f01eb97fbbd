"""Malformed files written on the fly: Word files with truncated XML, and decompression bombs."""

import io
import zipfile
from pathlib import Path

from .fixture_docs import write_docx

_PARAGRAPH = "<w:p><w:r><w:t>青禾县招商引资项目清单，第{n}项，详见附件。</w:t></w:r></w:p>"


def _rewrite_document_xml(path: Path, body: bytes) -> Path:
    """Replace word/document.xml of the Word file at `path` (other parts kept)."""
    with zipfile.ZipFile(path) as source:
        parts = {info: source.read(info) for info in source.infolist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info, data in parts.items():
            target.writestr(info.filename, body if info.filename == "word/document.xml" else data,
                            compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    path.write_bytes(buffer.getvalue())
    return path


def write_truncated_docx(path: Path) -> Path:
    """A Word file whose document.xml stops in the middle of an element (lxml: XMLSyntaxError)."""
    write_docx(path)
    with zipfile.ZipFile(path) as source:
        xml = source.read("word/document.xml")
    return _rewrite_document_xml(path, xml[: len(xml) // 2])


def write_docx_bomb(path: Path, unpacked_mb: float = 24) -> Path:
    """A small Word file whose document.xml unpacks to `unpacked_mb` MB of the same paragraph."""
    write_docx(path)
    with zipfile.ZipFile(path) as source:
        xml = source.read("word/document.xml").decode("utf-8")
    head, _, tail = xml.partition("<w:body>")
    paragraph = _PARAGRAPH.format(n=1).encode("utf-8")
    count = int(unpacked_mb * 2**20 / len(paragraph))
    body = head.encode() + b"<w:body>" + paragraph * count + b"</w:body></w:document>"
    return _rewrite_document_xml(path, body)
