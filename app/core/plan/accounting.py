"""Nothing lost without a word: the characters of a plan's body that its import does not account for.

An import may turn text into a task (any field, notes included), a heading, the title or the
issuing office, or say in a warning or a doubt that it did not import it (SkippedText keeps the
whole text; the warnings behind a summary line count too). What is
left of the document's body once all of that is taken away was lost silently; this module
measures it, so a test can insist that it is nothing.

How the comparison reads text: both sides are cleaned like stored text (clean_text) and folded
like keys (normalize_for_match); then only letters and digits count, so punctuation, brackets,
spaces, line breaks and markup ("<b>", "<p>") never make a loss. A line is covered, leaving as few
characters over as can be, by runs found in what the import holds (runs of at least four characters, a whole accounted
value such as a seq "3" or a unit "县财政局", or the start or end of a value the import joined
from pieces, such as a 工作任务 cell broken over two rows), and by the words an annotation is made of
("牵头", "负责落实", "完成时限", "等部门"), which the import reads but does not store.

The body is the plan's text between its front matter (cover letter, title, preamble) and its
closing block (落款, 附件, 抄送, 印发), as the prose parser reads it (body.body_range), or
as the caller says for a table (the rows under its header). Page chrome is never body.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from app.core.plan.annotations import ANNOTATION_WORDS
from app.core.plan.body import body_range, join_cut_brackets
from app.core.plan.front_matter import closing_kind, is_chrome_line, is_page_end
from app.core.plan.warnings import SkippedText, all_warnings
from app.core.records import LedgerDocument
from app.core.text import clean_text, normalize_for_match
from app.core.units import split_level

_MARKUP_RE = re.compile(r"<[^>]+>")  # "<b>", "<p>" of a copied table: markup, not text
MIN_RUN = 4  # shorter runs count only as a whole accounted value: "公开" is everywhere


def fold(text: str) -> str:
    """`text` as the accounting compares it: markup gone, cleaned, folded, letters and digits only."""
    s = normalize_for_match(clean_text(_MARKUP_RE.sub("", text)))
    return "".join(ch for ch in s if unicodedata.category(ch)[0] in "LN")


@dataclass
class Loss:
    """Characters of one line found nowhere in the import (folded, in their order)."""

    line_no: int  # 1-based, over the lines given
    text: str
    line: str  # the line as given, for the report


@dataclass
class Accounting:
    checked: int = 0  # characters of the body compared
    losses: list[Loss] = field(default_factory=list)

    @property
    def unaccounted(self) -> int:
        return sum(len(loss.text) for loss in self.losses)

    def report(self, limit: int = 20) -> str:
        """One line per loss, for a failing test or a person: "第12行：丢失“…”（原文：…）"."""
        rows = [f"第{loss.line_no}行：丢失“{loss.text}”（原文：{loss.line.strip()[:60]}）"
                for loss in self.losses[:limit]]
        more = len(self.losses) - limit
        return "\n".join(rows + ([f"… 另有 {more} 行"] if more > 0 else []))


def accounted_texts(doc: LedgerDocument) -> list[str]:
    """Everything the import holds that came from the document's text."""
    texts = [doc.title, doc.office]
    texts += [h.number for h in doc.headings] + [h.title for h in doc.headings]
    for task in doc.tasks:
        texts += [task.seq, *task.seq.split("-"), task.key_work, task.content, task.metric, task.notes,
                  task.deadline.text]
        texts += task.lead_units + task.coop_units
    for unit in doc.units:
        texts += [unit.name, *unit.aliases]
    for warning in all_warnings(doc.warnings):
        texts.append(warning.message)
        if isinstance(warning, SkippedText):
            texts.append(warning.text)
    for doubts in doc.doubts.values():
        texts += doubts
    return [t for t in texts if t]


class _Ledger:
    """What the import holds, folded: one string to search runs in, and the whole values."""

    def __init__(self, texts: Iterable[str]) -> None:
        folded = [fold(t) for t in texts]
        self.values = {v for v in folded if v}
        for value in list(self.values):  # "财政局" written where the ledger says "县财政局"
            body = split_level(value)[1]
            if body:
                self.values.add(fold(body))
        self.joined = "\x00".join(sorted(self.values, key=len, reverse=True))
        # a value the import assembled from pieces ("政府" + "自身建设" of a cell split over two rows,
        # "各乡镇" + "(街道)" over two lines): its short start may end a cell, its short end may start one
        self.heads = {v[:k] for v in self.values for k in range(2, MIN_RUN) if len(v) > k}
        self.tails = {v[-k:] for v in self.values for k in range(2, MIN_RUN) if len(v) > k}
        self.words = sorted({fold(w) for w in ANNOTATION_WORDS}, key=len, reverse=True)

    def _longest_run(self, s: str, i: int) -> int:
        """Largest j with s[i:j] found in the import (substrings of a found run are found too)."""
        lo, hi = i, len(s)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if s[i:mid] in self.joined:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _ends(self, s: str, i: int) -> set[int]:
        """Where a covering step from s[i] may end: a long run, a whole value, an annotation word."""
        run = self._longest_run(s, i)
        ends = set(range(i + MIN_RUN, run + 1))
        ends.update(j for j in range(i + 1, min(run, i + MIN_RUN - 1) + 1)
                    if s[i:j] in self.values or (j == len(s) and s[i:j] in self.heads)
                    or (i == 0 and s[i:j] in self.tails))
        ends.update(i + len(w) for w in self.words if s.startswith(w, i))
        return ends

    def lost_in_line(self, line: str) -> str:
        """What `lost` leaves of each cell of a line (cells are tab-separated; a prose line is one cell)."""
        return "".join(self.lost(fold(cell)) for cell in line.split("\t"))

    def lost(self, s: str) -> str:
        """The fewest characters of folded cell `s` that runs, values and annotation words leave uncovered.

        A shortest-path over positions: a greedy cover can swallow the start of the next unit name
        ("扶贫办财政" of "扶贫办、财政局") and lose its end.
        """
        n = len(s)
        best = [0] * (n + 1)  # best[i]: fewest lost characters in s[i:]
        step = [0] * (n + 1)
        for i in range(n - 1, -1, -1):
            best[i], step[i] = best[i + 1] + 1, i + 1
            for j in self._ends(s, i):
                if best[j] < best[i] or (best[j] == best[i] and step[i] == i + 1):
                    best[i], step[i] = best[j], j
        out: list[str] = []
        i = 0
        while i < n:
            j = step[i]
            if j == i + 1 and best[i] == best[i + 1] + 1:
                out.append(s[i])
            i = j
        return "".join(out)


def _units_of_text(lines: Sequence[str], start: int, end: int) -> Iterator[tuple[int, str]]:
    """(index, text) over lines[start:end]: a line whose bracket a line break cut is read together
    with the (non-blank) lines that close it, as one piece of text; table rows (tabs) never are."""
    return join_cut_brackets(lines, start, end, continues=lambda k: bool(lines[k].strip()),
                             may_start=lambda text: "\t" not in text)


def account(lines: Sequence[str], doc: LedgerDocument, *, body: tuple[int, int] | None = None,
            structure: Iterable[int] = ()) -> Accounting:
    """The characters of lines[body] (0-based, end excluded) that `doc` does not account for.

    `body` defaults to the prose parser's reading of `lines` (body.body_range). Lines in
    `structure` (a table's header rows, repeated at page breaks) are the document's frame, and
    lines of a closing block after the body (落款, 抄送…) or page chrome are not body either.
    """
    if body is None:
        body = body_range(list(lines))
    start, end = max(body[0], 0), min(body[1], len(lines))
    frame = set(structure)
    ledger = _Ledger(accounted_texts(doc))
    result = Accounting()

    def check(i: int, text: str) -> None:
        result.checked += len(fold(text))
        if lost := ledger.lost_in_line(text):
            result.losses.append(Loss(line_no=i + 1, text=lost, line=text))

    for i, text in _units_of_text(lines, start, end):
        line = clean_text(text)
        if i not in frame and line.strip() and not is_chrome_line(line):
            check(i, text)
    for i in range(end, len(lines)):  # after the body: only a closing block and chrome
        line = clean_text(lines[i])
        if is_page_end(line):
            break
        if i not in frame and line.strip() and not is_chrome_line(line) and not closing_kind(line):
            check(i, lines[i])
    return result
