"""Turn the bytes of a text file into text, detecting its encoding."""

import codecs

import charset_normalizer

from .errors import FileRejected

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = set("\t\n\r\f\v")
_CHINESE = {"gb2312", "gbk", "gb18030", "big5", "big5hkscs", "hz"}


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16/32 with BOM, GBK/GB18030 and the like.

    Raises FileRejected when the bytes are not text in any encoding we can tell.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="strict"))
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding not in _CHINESE:
        try:  # Chinese first: short GBK text (a CSV of a few rows) is often guessed as Korean
            return _checked(data.decode("gb18030"), encoding="gb18030")
        except UnicodeDecodeError:
            pass
    if best is None:
        raise FileRejected("undecodable bytes: not text in any known encoding")
    return _checked(str(best), encoding=best.encoding)


def _checked(text: str, encoding: str = "utf-8") -> str:
    """Refuse text that is mostly control characters: binary data under a text name."""
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    if sample and controls / len(sample) > 0.01:
        raise FileRejected(f"undecodable bytes: binary data, not text (read as {encoding})")
    return text
