"""Names and texts other programs must take literally: file names, and the text of spreadsheet cells.

File names. A unit's name becomes part of a file name, and the folder of sheets is
copied to Windows PCs, so a name must be valid there as well as on Linux: no
<>:"/\\|?* or control characters, no trailing dot or space, not a device name
(CON, PRN, AUX, NUL, COM1–9, LPT1–9, with or without an extension, in any case), and
short enough that folder and temporary name still fit (STEM_BYTES of UTF-8; Linux
allows 255 bytes per name). Within one output folder names must also differ as
Windows compares them (case-insensitively), or one unit's file replaces another's.
Each change says why (`SafeStem.reasons`), so the clerk is told what was renamed.

Cell texts. openpyxl stores a str starting with "=" as a formula; a progress text
"=HYPERLINK(…)" copied into the next round's sheet would then be live. `put_text`
writes every str as a string cell, marks texts starting with = + - @ to stay text when
edited (quotePrefix: Excel and LibreOffice would otherwise re-read them as formulas),
and escapes control characters the OOXML way (_xHHHH_), which calamine reads back, so
the hidden data keeps a unit name exactly as the ledger has it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the cell helpers take openpyxl cells; file names need no openpyxl
    from openpyxl.cell.cell import Cell

STEM_BYTES = 120  # the stem, " (2)" included: with suffix and atomic_output's temporary name far below Linux's 255
HASH_CHARS = 8
FALLBACK_STEM = "未命名"
INVALID_CHARS = '<>:"/\\|?*'
RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in "123456789¹²³"}
)
FORMULA_STARTS = ("=", "+", "-", "@")
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_TRAILING = re.compile(r"[\s.]+$")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---------------------------------------------------------------- file names


@dataclass(frozen=True)
class SafeStem:
    """A file name stem as it may be written, and why it differs from the one asked for."""

    text: str
    reasons: tuple[str, ...] = ()


def is_control(ch: str) -> bool:
    """Control characters, and lone surrogates (a file system cannot encode them)."""
    return unicodedata.category(ch) in ("Cc", "Cs")


def replace_invalid(text: str) -> tuple[str, list[str]]:
    """Every character Windows or Linux refuses becomes "_"; one position per character, so
    a part of the text (the round) can still be found at the same place."""
    bad: list[str] = []
    control = False
    out = []
    for ch in text:
        if ch in INVALID_CHARS:
            if ch not in bad:
                bad.append(ch)
            out.append("_")
        elif is_control(ch):
            control = True
            out.append("_")
        else:
            out.append(ch)
    reasons = []
    if bad:
        reasons.append(f"文件名中不能含 {' '.join(bad)}")
    if control:
        reasons.append("文件名中不能含控制字符")
    return "".join(out), reasons


def device_base(stem: str) -> str:
    """What Windows compares with its device names: the part before the first dot, without trailing spaces."""
    return stem.split(".", 1)[0].rstrip(" ")


def is_reserved(stem: str) -> bool:
    return device_base(stem).upper() in RESERVED_NAMES


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def cut_bytes(text: str, limit: int) -> str:
    """The longest start of `text` of at most `limit` UTF-8 bytes (never half a character)."""
    return text.encode("utf-8")[:max(limit, 0)].decode("utf-8", errors="ignore")


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:HASH_CHARS]


def shorten(head: str, tail: str, original: str, limit: int = STEM_BYTES) -> str:
    """head + tail cut to `limit` bytes: the tail (the round) kept whole when it takes at most
    half, the head cut and followed by a hash of the original, so two long names sharing
    their start still differ."""
    if utf8_len(tail) > limit // 2:
        tail = _TRAILING.sub("", cut_bytes(tail, limit // 2))
    mark = "-" + short_hash(original)
    head = cut_bytes(head, limit - utf8_len(tail) - utf8_len(mark)).rstrip(". ")
    return f"{head}{mark}{tail}"


def trim_ends(text: str) -> tuple[str, list[str]]:
    """No blanks at the start, no blanks or dots at the end (Windows drops those, so two names would meet)."""
    start = text.lstrip()
    stem = _TRAILING.sub("", start)
    reasons = []
    if start != text:
        reasons.append("文件名开头不能是空格")
    if stem != start:
        reasons.append("文件名不能以点或空格结尾")
    return stem, reasons


def safe_stem(head: str, tail: str = "", *, limit: int = STEM_BYTES) -> SafeStem:
    """A stem for head + tail that Windows and Linux accept (see the module docstring); when it
    must be shortened the tail (the round) stays visible."""
    original = head + tail
    text, reasons = replace_invalid(original)
    stem, trimmed = trim_ends(text)
    reasons += trimmed
    split = len(head) - (len(text) - len(text.lstrip()))  # where the tail starts in `stem`
    if not stem:
        stem, split = FALLBACK_STEM, len(FALLBACK_STEM)
        reasons.append("名称为空")
    if is_reserved(stem):
        reasons.append(f"“{device_base(stem)}”是 Windows 保留的设备名")
        stem, split = "_" + stem, split + 1
    if utf8_len(stem) > limit:
        reasons.append(f"名称过长，已缩短到 {limit} 字节以内并加编号 {short_hash(original)}")
        split = min(max(split, 0), len(stem))
        stem = shorten(stem[:split], stem[split:], original, limit)
    return SafeStem(stem, tuple(reasons))


def split_tail(name: str) -> tuple[str, str]:
    """"单位_轮次" → ("单位", "_轮次"): the part after the last "_" is what shortening keeps whole."""
    cut = name.rfind("_")
    return (name[:cut], name[cut:]) if cut > 0 else (name, "")


# ---------------------------------------------------------------- one folder


@dataclass(frozen=True)
class FileName:
    """The file name one owner (a unit) gets in a folder, and why it is not the one asked for."""

    owner: str
    wanted: str
    name: str
    reasons: tuple[str, ...] = ()

    @property
    def renamed(self) -> bool:
        return self.name != self.wanted


def folder_key(name: str) -> str:
    """Names as Windows compares them: case-insensitive (NFC, so a name typed on a Mac matches too)."""
    return unicodedata.normalize("NFC", name).casefold()


@dataclass
class FolderNames:
    """The names given in one output folder during one run: each new one made unique."""

    taken: dict[str, tuple[str, str]] = field(default_factory=dict)  # folder_key(name) → (owner, name)

    def claim(self, owner: str, wanted: str, stem_for: Callable[[str], SafeStem], suffix: str) -> FileName:
        """stem_for("") + suffix, or stem_for(" (2)") + suffix and so on while another owner has the
        name: the number goes in before shortening, so a numbered name keeps the byte limit too."""
        base = stem_for("")
        name, n, clash = base.text + suffix, 1, None
        while folder_key(name) in self.taken:
            clash = clash or self.taken[folder_key(name)]
            n += 1
            name = stem_for(f" ({n})").text + suffix
        self.taken[folder_key(name)] = (owner, name)
        return FileName(owner, wanted, name, base.reasons + ((clash_reason(*clash, base.text + suffix),) if clash else ()))


def clash_reason(other: str, other_name: str, name: str) -> str:
    """Why a " (2)" was added: whose file has the name, and when it differs only in case, that Windows sees no difference."""
    case = "（Windows 不区分大小写）" if other_name != name else ""
    return f"与单位“{shown(other)}”的文件名“{other_name}”相同{case}"


def shown(text: str) -> str:
    """A name for a message: control characters made visible (\\x07), so the line prints cleanly."""
    return "".join(f"\\x{ord(ch):02x}" if is_control(ch) and ord(ch) < 0x100 else
                   ("\ufffd" if is_control(ch) else ch) for ch in text)


def rename_line(item: FileName) -> str:
    """The line `sheets` prints for a renamed file."""
    why = f"（{'；'.join(item.reasons)}）" if item.reasons else ""
    return f"单位“{shown(item.owner)}”的文件名改为“{item.name}”{why}"


# ---------------------------------------------------------------- cell texts


def excel_escape(text: str) -> str:
    """Control characters as _xHHHH_ and a literal "_xHHHH_" as "_x005F_xHHHH_" (ECMA-376 ST_Xstring),
    so the text comes back from the file exactly (calamine decodes these; raw, the XML would be invalid)."""
    text = _OOXML_ESCAPE.sub(r"_x005F_\1", text)
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def put_text(cell: Cell, value: object, *, keep_on_edit: bool = True) -> None:
    """Write `value`; a str always as a string cell (never a formula). With `keep_on_edit` one starting
    like a formula is also marked (quotePrefix) to stay text when a unit edits it; leave that to the
    caller when it copies cell styles afterwards. Other values (numbers, dates, None) as they are."""
    if not isinstance(value, str):
        cell.value = value
        return
    cell.value = excel_escape(value) if "_x" in value or _XML_UNSAFE.search(value) else value
    cell.data_type = "s"
    if keep_on_edit and value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def xml_text(text: str) -> str:
    """Text a Word document can hold: the characters XML 1.0 forbids dropped (docx has no
    escape for them; python-docx would raise). Word text is never a formula or a field code:
    a run's w:t is literal, whatever it starts with."""
    return _XML_UNSAFE.sub("", text)


def json_for_xml(text: str) -> str:
    """JSON (as json.dumps writes it) with U+FFFE/U+FFFF as \\u escapes: json.dumps leaves
    them raw, and XML cannot hold them (control characters it escapes itself)."""
    return text.replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")

