"""Zip-based files (docx, xlsx, …) checked before parsing: a small file must not unpack into a
huge one (a decompression bomb).

The sizes come from the archive's directory, read without unpacking anything. They can be forged,
but Python's zipfile, which every loader here reads through, never unpacks a member past its
declared size (it stops there and the CRC check fails), so the declared sizes bound what a
parser can be handed.
"""

import io
import zipfile

from ..errors import FileRejected

RATIO_FLOOR = 2**20  # bytes unpacked under which the packing ratio is not judged


def check_unpacked(data: bytes, max_bytes: int, max_ratio: float) -> None:
    """Refuse a zip archive that unpacks to more than `max_bytes`, or (past 1 MB) to more than
    `max_ratio` times its packed size. Anything that is not a zip archive passes."""
    if not data.startswith(b"PK"):
        return
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a readable archive: its loader says what is wrong with it
    unpacked = sum(m.file_size for m in members)
    mb, limit_mb = unpacked / 2**20, max_bytes / 2**20
    if unpacked > max_bytes:
        raise FileRejected(
            f"unpacks to {mb:.1f} MB, over the {limit_mb:g} MB limit (COUNTY_RAG_MAX_UNPACKED_MB)",
            kind="unpacked_too_large", size_mb=round(mb, 1), limit_mb=limit_mb)
    packed = max(sum(m.compress_size for m in members), 1)
    if unpacked > RATIO_FLOOR and unpacked / packed > max_ratio:
        ratio = unpacked / packed
        raise FileRejected(
            f"unpacks to {mb:.1f} MB from {packed / 2**10:.0f} KB ({ratio:.0f} times its size, over "
            f"{max_ratio:g}; COUNTY_RAG_MAX_UNPACKED_RATIO): a decompression bomb?",
            kind="packed_ratio", size_mb=round(mb, 1), ratio=round(ratio), limit=max_ratio)
