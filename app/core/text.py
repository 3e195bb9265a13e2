"""Text repairs for plan documents: widths, traditional → simplified, glued pinyin, lost spaces.

Two levels, on purpose:

* `clean_text` is for text we *store and show*. It repairs damage (pinyin glued to
  characters, "?" runs standing for lost spaces, traditional characters, odd spaces,
  full-width letters and digits) but keeps the document's Chinese punctuation
  (、，。；：（）“”《》［］ stay as written), because the exported ledger must read like
  the original.
* `normalize_for_match` is for *comparing* (unit names, headings). It folds every width
  and bracket variant to one form and removes all whitespace; its output is a key,
  never shown to a person.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Spaces that come from web pages and Word: all become one ordinary space.
_SPACE_CHARS = "\u3000\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_SPACE_TABLE = {ord(c): " " for c in _SPACE_CHARS} | {ord(c): None for c in _ZERO_WIDTH}

# Full-width forms that are ordinary Chinese typography; `to_halfwidth` keeps them.
_KEEP_FULLWIDTH = set("，；：？！（）［］｛｝")

_HALFWIDTH_TABLE: dict[int, str] = {}
_ALNUM_TABLE: dict[int, str] = {}
for _code in range(0xFF01, 0xFF5F):
    _half = chr(_code - 0xFEE0)
    if chr(_code) not in _KEEP_FULLWIDTH:
        _HALFWIDTH_TABLE[_code] = _half
    if _half.isalnum():
        _ALNUM_TABLE[_code] = _half
_HALFWIDTH_TABLE.update(_SPACE_TABLE)

# For matching only: every full-width form and every bracket family folded together.
_MATCH_TABLE: dict[int, str] = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_MATCH_TABLE.update({ord(c): "[" for c in "［〔【〖"})
_MATCH_TABLE.update({ord(c): "]" for c in "］〕】〗"})
_MATCH_TABLE.update({ord("（"): "(", ord("）"): ")"})
_MATCH_TABLE.update(_SPACE_TABLE)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WHITESPACE_RE = re.compile(r"\s+")


def to_halfwidth(s: str) -> str:
    """Full-width ASCII letters, digits and symbols → half-width; odd spaces → " ".

    Keeps the full-width punctuation Chinese text normally uses (，；：？！（）［］｛｝);
    、。“”《》 are not full-width ASCII forms and are never touched.
    """
    return s.translate(_HALFWIDTH_TABLE)


@lru_cache(maxsize=1 << 16)
def normalize_for_match(s: str) -> str:
    """A comparison key: half-width, simplified, brackets folded to () and [], no whitespace.

    Cached: unit names and task texts are compared again for every returned file."""
    s = strip_glued_pinyin(s)
    s = to_simplified(s.translate(_MATCH_TABLE))
    return _WHITESPACE_RE.sub("", s)


@lru_cache(maxsize=1)
def _converter():
    # Created once, on first use: loading the dictionaries takes a noticeable moment.
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(s: str) -> str:
    """Traditional → simplified characters (OpenCC t2s); ASCII and punctuation unchanged."""
    if not s or s.isascii():
        return s
    return _converter().convert(s)


# Pinyin syllables (tone marks removed): initial + final. Used to tell "(xiāng)" from "(PPP)".
_PINYIN_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|uai|uan|ian|iao|van|ai|ei|ao|ou|an|en|er|in|un|vn"
    r"|ua|uo|ie|ia|iu|ui|ue|ve|a|o|e|i|u|v)"
)
# After a character, or after the "?" a lost character left behind ("確?(bǎo)"); the "?"
# may also stand for the lost opening bracket itself ("貜?fù)質量", seed 003).
_PINYIN_LETTERS = "a-zA-Z\u00c0-\u024f\u0300-\u036f"
_PINYIN_PAREN_RE = re.compile(
    rf"(?:(?<=[{_CJK}])|(?<=[{_CJK}]\?))[(（]([{_PINYIN_LETTERS}]{{1,7}})[)）]"
    rf"|(?<=[{_CJK}])\?([{_PINYIN_LETTERS}]{{1,7}})[)）]"
)
_TONE_VOWELS = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü")


def _is_pinyin(word: str) -> bool:
    """True for one lowercase pinyin syllable, with or without tone marks."""
    if word != word.lower():
        return False
    plain = "".join(
        c for c in unicodedata.normalize("NFD", word.replace("ü", "v")) if not unicodedata.combining(c)
    )
    if not plain.isascii() or not plain.isalpha():
        return False
    return _PINYIN_SYLLABLE.fullmatch(plain) is not None


def strip_glued_pinyin(s: str) -> str:
    """Remove pinyin glued after characters: "鄉(xiāng)鎮(zhèn)" → "鄉鎮".

    Only a single lowercase pinyin syllable in brackets directly after a CJK character
    (or a "?" standing for a lost one) is removed; "(PPP)", "(简称《条例》)" and "(一)" are real brackets and stay.
    """
    if "(" not in s and "（" not in s and ")" not in s:
        return s
    return _PINYIN_PAREN_RE.sub(lambda m: "" if _is_pinyin(m.group(1) or m.group(2)) else m.group(0), s)


_QUESTION_RUN_RE = re.compile(r"\?{2,}")
_LONE_QUESTION_RE = re.compile(rf"(?<=[{_CJK}])\?(?=[{_CJK}])")


def repair_question_marks(s: str) -> str:
    """Runs of "?" that stand for lost spaces → one space; a lone "?" between characters → "".

    In these documents an ASCII "?" run is damage from a lost encoding of spaces
    ("2023年7月7日???????"). A real Chinese question mark is full-width "？" and is
    never touched; a single "?" next to punctuation or at the end of text is kept.
    """
    if "?" not in s:
        return s
    s = _QUESTION_RUN_RE.sub(" ", s)
    return _LONE_QUESTION_RE.sub("", s)


_HSPACE_RE = re.compile(r"[ \t\f\v]+")
_SPACE_AROUND_NEWLINE_RE = re.compile(r" *\n *")


def collapse_spaces(s: str) -> str:
    """Odd spaces → " ", runs of spaces → one, no spaces around line breaks; line breaks kept."""
    s = s.translate(_SPACE_TABLE).replace("\r\n", "\n").replace("\r", "\n")
    s = _HSPACE_RE.sub(" ", s)
    return _SPACE_AROUND_NEWLINE_RE.sub("\n", s).strip()


def clean_text(s: str | None) -> str:
    """All repairs for stored plan text: pinyin, t2s, "?" runs, spaces, full-width alnum.

    Chinese punctuation stays as the document wrote it (see the module docstring).
    """
    if not s:
        return ""
    s = strip_glued_pinyin(s)
    s = to_simplified(s)
    s = repair_question_marks(s)
    s = s.translate(_ALNUM_TABLE)
    return collapse_spaces(s)


# Damage the repairs cannot undo: a "?" beside a character (a lost or mis-decoded one),
# the Unicode replacement character, or pinyin with tone marks left in brackets.
_DAMAGE_RE = re.compile(
    rf"(?<=[{_CJK}])\?|\?(?=[{_CJK}])|\ufffd"
    r"|[(（][a-z\u00c0-\u024f\u0300-\u036f]{1,7}[)）]"
)


def _is_leftover_pinyin(bracketed: str) -> bool:
    word = bracketed[1:-1]
    return any(c in _TONE_VOWELS for c in word) and _is_pinyin(word)


def find_damage(s: str | None) -> str | None:
    """An excerpt around encoding damage still in (repaired) text, e.g. "…兑现?!罢吖_讲…"; else None.

    The parsers warn with it so a person checks the original: such text is stored as
    found rather than guessed at.
    """
    if not s:
        return None
    for m in _DAMAGE_RE.finditer(s):
        if m.group(0)[0] in "(（" and not _is_leftover_pinyin(m.group(0)):
            continue
        start, end = max(0, m.start() - 2), min(len(s), m.end() + 5)
        excerpt = s[start:end].replace("\n", " ")
        return ("…" if start > 0 else "") + excerpt + ("…" if end < len(s) else "")
    return None


def damage_message(excerpt: str) -> str:
    """The warning every parser gives for `find_damage` (its location names the line)."""
    return f"文字可能有编码损坏（“{excerpt}”），请核对原文"
