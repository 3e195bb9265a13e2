"""Characters placed on PDF pages back into the lines, paragraphs and cell texts a writer typed.

A PDF keeps no paragraphs: only glyphs at positions. Chinese official documents are laid out
in a fixed way, and that is what we read them back by:

- a line is the glyphs on one baseline, in x order; Chinese needs no space where a line
  wraps, so wrapped lines are joined with nothing between them (a space only between two
  Latin letters);
- a paragraph starts where the previous line stopped short of the right margin, where a line
  is indented (公文 indent the first line by two characters), at an outline number
  ("一、", "（一）", "1．") after a line that ended a sentence, at a change of type size, at a
  wide vertical gap, and around centred lines (titles);
- inside a table cell the same holds against the cell's right edge: a short line ends a
  paragraph of the cell ("\n"), a full one wrapped;
- page numbers ("— 3 —", "第 3 页 共 9 页", "- 3 -", "3") and running headers or footers
  (the same line at the top or bottom of most pages) are not text of the document.

Pure geometry on plain records, no PDF library: the reader (pdf_in) hands in what pdfplumber
found.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from app.core.plan.outline import classify_line


@dataclass(frozen=True)
class Glyph:
    """One character as drawn: its text and box (PDF points, y growing downwards)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class Line:
    """Glyphs on one baseline, left to right."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float

    @property
    def middle(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Frame:
    """Where a page's text runs: left and right margin, line pitch, lowest text; the page's height."""

    left: float
    right: float
    pitch: float
    height: float
    bottom: float = 0.0

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2


@dataclass
class Paragraphs:
    """Lines joined into paragraphs; `open` is the paragraph still being written (it may go on)."""

    done: list[str] = field(default_factory=list)
    open: list[Line] = field(default_factory=list)
    frame: Frame | None = None


_LATIN = re.compile(r"[A-Za-z]")
_SENTENCE_END = "。；;：:！!？?."
_CLOSERS = "，,、。；;：:！!？?）)】」』”’》〉"
_UNBREAKABLE = re.compile(r"[A-Za-z0-9０-９.,:/%\-_@#&+=~]+")  # used with .match: from where it is asked
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_~·•\s]*\d{1,4}[-—–－_~·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_MARGIN_BAND = 0.125  # the top and bottom eighth of a page, where headers, footers and page numbers stand


# --- glyphs into lines ----------------------------------------------------------------------


def lines_of(glyphs: Iterable[Glyph]) -> list[Line]:
    """The glyphs grouped into lines, top to bottom; duplicated glyphs (fake bold) dropped."""
    ordered = sorted(glyphs, key=lambda g: (g.top, g.x0))
    rows: list[list[Glyph]] = []
    row_mid = row_half = 0.0
    for g in ordered:
        mid, half = (g.top + g.bottom) / 2, max((g.bottom - g.top) / 2, 0.5)
        if rows and abs(mid - row_mid) <= max(half, row_half) * 0.6:
            rows[-1].append(g)
            continue
        rows.append([g])
        row_mid, row_half = mid, half
    return [line for row in rows if (line := _line(row)) is not None]


def _line(glyphs: list[Glyph]) -> Line | None:
    glyphs.sort(key=lambda g: g.x0)
    parts: list[str] = []
    previous: Glyph | None = None
    for g in glyphs:
        if previous is not None:
            if g.text == previous.text and abs(g.x0 - previous.x0) < 0.25 * max(previous.x1 - previous.x0, 0.1):
                continue  # the same glyph drawn again over itself, slightly offset: fake bold
            gap = g.x0 - previous.x1
            if gap > _space_gap(previous, g) and parts and parts[-1] != " " and g.text != " ":
                parts.append(" ")
        parts.append(g.text)
        previous = g
    text = "".join(parts).strip()
    if not text:
        return None
    inked = [g for g in glyphs if g.text.strip()]
    sizes = sorted(g.size for g in inked)
    return Line(text=text, x0=inked[0].x0, x1=max(g.x1 for g in inked), top=min(g.top for g in inked),
                bottom=max(g.bottom for g in inked), size=sizes[len(sizes) // 2])


def _space_gap(a: Glyph, b: Glyph) -> float:
    """How wide a gap reads as a space: a quarter em between Latin words, a whole em in Chinese."""
    size = max(a.size, b.size, 1.0)
    if a.text.isascii() and b.text.isascii() and a.text.isalnum() and b.text.isalnum():
        return 0.25 * size
    return 1.0 * size


# --- page furniture -------------------------------------------------------------------------


def is_page_number(text: str) -> bool:
    """"— 3 —", "- 3 -", "3", "第 3 页 共 9 页", "3/9", "Page 3 of 9"."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def furniture(pages: Sequence[tuple[list[Line], float]]) -> set[tuple[int, int]]:
    """(page index, line index) of page numbers and running headers/footers.

    `pages` gives each page's lines (top to bottom) and height. Only a page's first two and
    last two lines are candidates, and only in its top or bottom eighth; a candidate is
    furniture when it is a page number, or when (digits aside) it comes back on at least half
    the pages (two at least).
    """
    candidates: list[tuple[int, int, str]] = []
    for p, (lines, height) in enumerate(pages):
        picked = set(range(min(2, len(lines)))) | set(range(max(0, len(lines) - 2), len(lines)))
        for i in sorted(picked):
            line = lines[i]
            if line.bottom <= height * _MARGIN_BAND or line.top >= height * (1 - _MARGIN_BAND):
                candidates.append((p, i, _DIGITS.sub("#", line.text.replace(" ", ""))))
    pages_with = Counter(key for _, key in {(p, key) for p, _, key in candidates})
    needed = max(2, (len(pages) + 1) // 2)
    return {(p, i) for p, i, key in candidates if is_page_number(pages[p][0][i].text) or pages_with[key] >= needed}


# --- the frame of a page --------------------------------------------------------------------


def frame_of(lines: Sequence[Line], width: float, height: float) -> Frame:
    """Left margin (where wrapped lines start), right margin (where full lines end), line pitch."""
    if not lines:
        return Frame(left=0.0, right=width, pitch=0.0, height=height, bottom=height)
    # the leftmost start shared by a tenth of the lines: where wrapped lines begin (the commonest
    # start may be the indent, in a plan of one-line paragraphs)
    starts = Counter(round(line.x0) for line in lines)
    common = max(2, len(lines) // 10) if len(lines) >= 4 else 1
    left = float(min((x for x, n in starts.items() if n >= common), default=min(starts)))
    ends = sorted(line.x1 for line in lines)
    # few lines tell little: then the page's margins are taken as even (公文: 28 mm and 26 mm)
    right = ends[int(len(ends) * 0.9)] if len(ends) >= 5 else max(ends[-1], width - left)
    steps = Counter(round(b.top - a.top, 1) for a, b in pairwise(lines)
                    if 0 < b.top - a.top < 3 * a.size and abs(a.size - b.size) < 0.5)
    pitch = float(min(steps, key=lambda s: (-steps[s], s))) if steps else 0.0
    return Frame(left=left, right=max(right, left + 1), pitch=pitch, height=height,
                 bottom=max(line.bottom for line in lines))


# --- lines into paragraphs ------------------------------------------------------------------


def _centred(line: Line, frame: Frame) -> bool:
    return (line.x0 > frame.left + 2 * line.size and line.x1 < frame.right - 2 * line.size
            and abs(line.middle - frame.middle) < 1.5 * line.size)


def is_short(line: Line, right: float, following: Line | None) -> bool:
    """True when `line` stops before `right` with room for what starts the next line.

    A line wraps early when its next piece cannot be split or cannot start a line: a Latin
    word or a number, or a character with the closing marks that must follow it ("道），").
    Only a gap wider than that piece means the writer ended the line.
    """
    piece = _first_piece(following.text) if following is not None else "字"
    width = sum(0.55 if c.isascii() else 1.0 for c in piece) * (following or line).size
    return line.x1 < right - (width + 0.5 * line.size)


def _first_piece(text: str) -> str:
    """The start of a line that typesetting keeps together: a word or one character, its closing marks,
    and a number right after them."""
    run = _UNBREAKABLE.match(text)
    n = len(run.group(0)) if run else min(1, len(text))
    while n < len(text) and text[n] in _CLOSERS:
        n += 1
    if 0 < n < len(text) and text[n - 1] in _CLOSERS and (digits := _UNBREAKABLE.match(text, n)):
        n = digits.end()  # no break between a closing mark and a number ("警、2023")
    return text[:n]


def starts_paragraph(before: Line, line: Line, frame_before: Frame, frame: Frame, *, same_page: bool,
                     before_opens: bool = True) -> bool:
    """Whether `line` begins a new paragraph after `before` (the line above it in reading order).

    `before_opens`: `before` is the first line of its paragraph.
    """
    if abs(before.size - line.size) > max(1.0, 0.12 * line.size):
        return True
    if is_short(before, frame_before.right, line):
        return True
    if _centred(before, frame_before) or _centred(line, frame):
        return True
    step = line.top - before.top if same_page else 0.0
    if line.x0 > frame.left + 1.2 * line.size and _indented(before, line, step, frame, before_opens):
        return True
    if frame.pitch and step > 1.6 * frame.pitch:
        return True  # paragraph spacing
    return before.text[-1:] in _SENTENCE_END and classify_line(line.text).is_numbered


def _indented(before: Line, line: Line, step: float, frame: Frame, before_opens: bool) -> bool:
    """`line`, which starts right of the margin, starts a paragraph with a first-line indent.

    Not when it starts where the line above did and that line went on from an earlier one
    (the whole paragraph is indented), nor when it follows its paragraph's first line closer
    than lines usually follow each other (lines of one paragraph, with paragraph spacing
    between paragraphs).
    """
    if line.x0 > before.x0 + 1.2 * line.size or abs(line.x0 - before.x0) > 0.5 * line.size:
        return line.x0 > before.x0  # indented further than the line above: yes; less: a hanging paragraph
    if not before_opens:
        return False
    return not (frame.pitch and 0 < step < 0.85 * frame.pitch)


def join(a: str, b: str) -> str:
    """Two pieces of one wrapped paragraph: a space only between Latin letters."""
    if a and b and _LATIN.match(a[-1]) and _LATIN.match(b[0]):
        return f"{a} {b}"
    return a + b


def add_line(state: Paragraphs, line: Line, frame: Frame, *, same_page: bool) -> None:
    """Feed the next line in reading order."""
    if state.open and state.frame is not None and starts_paragraph(
            state.open[-1], line, state.frame, frame, same_page=same_page, before_opens=len(state.open) == 1):
        close(state)
    state.open.append(line)
    state.frame = frame


def close(state: Paragraphs) -> None:
    """End the open paragraph (a table, or the end of the document, follows)."""
    if state.open:
        text = ""
        for line in state.open:
            text = join(text, line.text)
        state.done.append(text)
    state.open = []
    state.frame = None


# --- table cells ----------------------------------------------------------------------------


def cell_text(lines: Sequence[Line], right: float) -> str:
    """A cell's lines as its text: wrapped lines joined, a line ending short of `right` ends an item."""
    text = ""
    for i, line in enumerate(lines):
        if i and is_short(lines[i - 1], right, line):
            text += "\n"
            text += line.text
        else:
            text = join(text, line.text)
    return text
