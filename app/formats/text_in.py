"""Read a plain-text plan in whatever encoding a Chinese office saved it in.

Notepad and WPS save UTF-8 (with or without BOM), GB18030/GBK (the Chinese
Windows default) and UTF-16. We detect rather than guess: BOM first, then strict
UTF-8, then UTF-16 by its NUL bytes, then GB18030 / charset-normalizer. When no
decoding is plausible the file is refused instead of being read as mojibake.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from app.errors import InputError
from app.formats.limits import MAX_TEXT_BYTES, reader_guard, too_large

UNKNOWN_ENCODING = "无法识别文件编码（unknown text encoding）"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _plausible(text: str) -> bool:
    """True when decoded text looks like a document: few control or unassigned characters."""
    if not text:
        return True
    bad = 0
    for ch in text:
        if ch in "\t\r\n\f":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cn", "Co", "Cs") or ch == "\ufffd":
            bad += 1
    return bad <= max(2, len(text) // 200)


def _cjk_share(text: str) -> float:
    """Share of CJK ideographs among the non-space, non-ASCII characters."""
    wide = [c for c in text if ord(c) > 0x7F and not c.isspace()]
    if not wide:
        return 1.0
    cjk = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return cjk / len(wide)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _plausible(text) else None


def _utf16_guess(data: bytes) -> str | None:
    """UTF-16 without BOM: many NUL bytes, on the odd (LE) or even (BE) positions for ASCII."""
    if len(data) < 2 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    candidates = []
    if odd_nuls > even_nuls:
        candidates = ["utf-16-le", "utf-16-be"]
    elif even_nuls > odd_nuls:
        candidates = ["utf-16-be", "utf-16-le"]
    elif data.count(0) == 0:
        return None
    for enc in candidates:
        text = _try(data, enc)
        if text is not None and _cjk_share(text) > 0.6:
            return text
    return None


def decode_bytes(data: bytes) -> str | None:
    """Decoded text, or None when no encoding is plausible."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _try(data[len(bom):], enc)
    if not data:
        return ""
    if b"\x00" not in data:
        text = _try(data, "utf-8")
        if text is not None:
            return text
    nul_share = data.count(0) / len(data)
    if nul_share > 0.05:
        return _utf16_guess(data)
    text = _try(data, "gb18030")
    if text is not None and _cjk_share(text) > 0.8:
        return text
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - dependency is declared
        return None
    best = from_bytes(data).best()
    if best is None:
        return None
    text = _try(data, best.encoding)
    if text is not None and _cjk_share(text) > 0.8:
        return text
    # Last chance: UTF-16 without BOM holding only CJK has no NULs at all.
    for enc in ("utf-16-le", "utf-16-be"):
        text = _try(data, enc) if len(data) % 2 == 0 else None
        if text is not None and _cjk_share(text) > 0.95 and "\n" in text:
            return text
    return None


def normalize_newlines(text: str) -> str:
    return re.sub(r"\r\n?|\u2028|\u2029|\x85", "\n", text)


def read_limited(path: Path, limit: int) -> bytes:
    """The file's bytes; InputError when it cannot be read or is larger than `limit`."""
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(path, f"无法读取文件（{exc.strerror or exc}）") from exc
    if len(data) > limit:
        size = max(len(data), _size_on_disk(path))
        raise InputError(path, too_large("文本文件", size, limit) + "：工作要点通常不到 1 MB，请确认是否选错了文件")
    return data


def _size_on_disk(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_text(path: str | Path, *, limit: int = MAX_TEXT_BYTES) -> str:
    """The file's text with newlines normalised to "\\n"; InputError when too large or the encoding is unknown."""
    path = Path(path)
    data = read_limited(path, limit)
    with reader_guard(path, UNKNOWN_ENCODING):
        text = decode_bytes(data)
    if text is None:
        raise InputError(path, UNKNOWN_ENCODING)
    return normalize_newlines(text)
