"""Legacy Word files (.doc, and WPS's .wps) converted to .docx by LibreOffice, then read as Word.

LibreOffice keeps tables (merged cells included) and headings, which antiword and catdoc do not
(measured in benchmarks/results/legacy_word.md). Each conversion runs headless with its own
throw-away profile, so conversions may run side by side.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..documents import Block
from ..errors import FileRejected
from .docx import load_docx

CONVERT_TIMEOUT = 180  # seconds
_SOFFICE = ("soffice", "libreoffice")


def load_legacy_word(data: bytes, suffix: str) -> list[Block]:
    soffice = next((found for name in _SOFFICE if (found := shutil.which(name))), None)
    if soffice is None:
        raise FileRejected(
            f"{suffix} needs LibreOffice to be read: install the Debian package "
            "libreoffice-writer-nogui (scripts/setup.sh does when run as root)"
        )
    with tempfile.TemporaryDirectory(prefix="county-rag-doc-") as tmp:
        folder = Path(tmp)
        source = folder / f"in{suffix}"
        source.write_bytes(data)
        command = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                   "--norestore", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder / "out"),
                   str(source)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise FileRejected(f"LibreOffice did not convert the file within {CONVERT_TIMEOUT} s") from exc
        converted = folder / "out" / "in.docx"
        if not converted.exists():
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise FileRejected(f"LibreOffice could not convert the file ({detail[-1] if detail else 'corrupt or not a Word file'})")
        return load_docx(converted.read_bytes())
