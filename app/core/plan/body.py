"""Where a prose plan's body is among its lines, and its lines as the parser reads them.

The body starts at the first number of the plan's top outline level after its title (or at an
annotated paragraph before it: a task is never front matter), ends at the page footer, and its
closing block (落款, 附件, 抄送, 印发) is cut off its end (front_matter.closing_start). Shared by
the prose parser and the accounting check, so both read the same body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from app.core.plan import outline
from app.core.plan.front_matter import closing_start, find_title, is_chrome_line, is_page_end
from app.core.plan.segments import split_pieces
from app.core.text import clean_text


@dataclass
class BodyLayout:
    title: str
    title_at: int
    start: int  # first body line; -1 when there is none
    end: int  # the body and the closing block end here (page footer)
    closing: int  # the closing block starts here (== end when there is none)


def _body_start(kinds: list[outline.LineKind], start: int) -> int:
    """Index of the first line of the body: the first number of the top outline level used."""
    levels = [k.level for k in kinds[start:] if k.is_numbered and k.level <= outline.LEVEL_ITEM]
    if not levels:
        return -1
    top = min(levels)
    return next(i for i in range(start, len(kinds)) if kinds[i].is_numbered and kinds[i].level == top)


def body_layout(cleaned: list[str], kinds: list[outline.LineKind]) -> BodyLayout:
    first_body = _body_start(kinds, 0)
    title, title_at = find_title(cleaned[: first_body if first_body >= 0 else len(cleaned)])
    start = _body_start(kinds, title_at + 1) if title_at >= 0 else first_body
    if start < 0:  # no numbered line: a plan of annotated paragraphs, if any
        start = _first_annotated(cleaned, title_at + 1, len(cleaned))
    elif start > 0:  # an annotated paragraph before the first number is body, not preamble
        found = _first_annotated(cleaned, title_at + 1, start)
        start = found if found >= 0 else start
    end = len(cleaned)
    if start >= 0:
        end = next((i for i in range(start, len(cleaned)) if is_page_end(cleaned[i])), len(cleaned))
    closing = closing_start(cleaned, max(start, 0), end) if start >= 0 else end
    return BodyLayout(title=title, title_at=title_at, start=start, end=end, closing=closing)


def _first_annotated(cleaned: list[str], lo: int, hi: int) -> int:
    """The first line in [lo, hi) that is a task: text and an annotation naming units with a role
    (a cover letter's signature "某县人民政府办公室" alone is no task); -1 if none."""
    for i in range(max(lo, 0), hi):
        if not cleaned[i].strip() or is_chrome_line(cleaned[i]):
            continue
        pieces = split_pieces(cleaned[i])
        if any(p.annotation is None for p in pieces) and any(
                p.annotation is not None and p.annotation.has_units and not p.annotation.implicit_role
                for p in pieces):
            return i
    return -1


def body_range(lines: list[str]) -> tuple[int, int]:
    """(first, end) indices of a prose plan's body among `lines` as given: before it lie the front
    matter, from `end` the closing block and the page footer. (0, 0) when there is no body.

    The accounting check (accounting.py) uses the same reading as the parser.
    """
    cleaned = [clean_text(line) for line in lines]
    layout = body_layout(cleaned, [outline.classify_line(line) for line in cleaned])
    return (layout.start, layout.closing) if layout.start >= 0 else (0, 0)


_OPEN = "（(〔［[【"
_CLOSE = "）)〕］]】"
_MAX_JOINED = 3


def open_depth(text: str) -> int:
    """How many brackets `text` leaves open at its end (a stray closing bracket never goes below 0)."""
    depth = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
    return depth


def join_cut_brackets(texts: Sequence[str], start: int, end: int, *, continues: Callable[[int], bool],
                      skip: Callable[[int], bool] = lambda _i: False,
                      may_start: Callable[[str], bool] = lambda _t: True) -> Iterator[tuple[int, str]]:
    """(index, text) over texts[start:end]; a text whose bracket a line break cut ("（县政府办公" /
    "室负责）", as Word and PDF copies break lines) is joined with up to three following texts
    when they close it and each `continues`; texts that `skip` are passed over."""
    i = start
    while i < end:
        if skip(i):
            i += 1
            continue
        text, j = texts[i], i + 1
        if may_start(text) and open_depth(text):
            joined, k = text, i + 1
            while k < end and k - i <= _MAX_JOINED and continues(k):
                joined += texts[k].strip()
                k += 1
                if not open_depth(joined):
                    text, j = joined, k
                    break
        yield i, text
        i = j


def body_lines(cleaned: list[str], kinds: list[outline.LineKind], start: int,
               end: int) -> Iterator[tuple[int, str]]:
    """(index, text) of the non-blank body lines, a bracket cut by a line break joined again
    (never across a numbered line)."""
    return join_cut_brackets(cleaned, start, end, continues=lambda k: not kinds[k].is_numbered,
                             skip=lambda i: kinds[i].is_blank)
