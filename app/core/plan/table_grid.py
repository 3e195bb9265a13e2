"""A table as its reader saw it: rows of cell text, and which cells a merge covers.

Word (vMerge, gridSpan), web pages (rowspan, colspan) and .xlsx/.xls (merged ranges)
say which grid positions belong to a merged cell; a plain text copy, a CSV or a PDF
does not, and there an empty cell may or may not be "same as above". `TableRows` is
a list of rows (so every reader that hands over a plain list keeps working) that also
carries what the reader knew: `covered` maps a covered position to the cell that
covers it, `spans_known` says whether an empty, uncovered cell is really empty,
`numbers` gives the row numbers a person sees (a text line, a spreadsheet row), and
`doubts` what the reader had to guess about a row (cells regrouped from a broken copy;
`unsure` rows whose guess is worth a warning too).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Position = tuple[int, int]  # (row index, column index), 0-based


class TableRows(list):
    """Rows of cell text (a list of lists) with the merges the reader found."""

    def __init__(self, rows: Iterable[Sequence[str]] = (), *, covered: dict[Position, Position] | None = None,
                 spans_known: bool = False, numbers: Sequence[int] | None = None,
                 doubts: dict[int, list[str]] | None = None, unsure: set[int] | None = None) -> None:
        super().__init__(list(r) for r in rows)
        self.covered: dict[Position, Position] = dict(covered or {})
        self.spans_known = spans_known
        self.numbers: list[int] | None = list(numbers) if numbers is not None else None
        self.doubts: dict[int, list[str]] = dict(doubts or {})  # row → what the reader was unsure of
        self.unsure: set[int] = set(unsure or ())  # rows whose doubts are also import warnings

    def number(self, index: int) -> int:
        """The row number a person sees for row `index` (1-based)."""
        if self.numbers is not None and index < len(self.numbers):
            return self.numbers[index]
        return index + 1

    def carried_from(self, row: int, col: int) -> int | None:
        """The row whose cell a vertical merge carries down into (row, col), else None."""
        anchor = self.covered.get((row, col))
        if anchor is None or anchor[0] >= row or anchor[1] != col:
            return None
        return anchor[0]

    def spread_from(self, row: int, col: int) -> int | None:
        """The column whose cell a horizontal merge spreads over (row, col), else None."""
        anchor = self.covered.get((row, col))
        if anchor is None or anchor[1] >= col:
            return None
        return anchor[1]

    def extend_table(self, other: Sequence[Sequence[str]]) -> None:
        """Append another table's rows (a Word table cut at a page break), merges shifted."""
        offset = len(self)
        numbers = [self.number(i) for i in range(offset)]
        last = numbers[-1] if numbers else 0
        for i, row in enumerate(other):
            self.append(list(row))
            numbers.append(last + i + 1)
        if isinstance(other, TableRows):
            for (r, c), (r0, c0) in other.covered.items():
                self.covered[(r + offset, c)] = (r0 + offset, c0)
            for r, messages in other.doubts.items():
                self.doubts[r + offset] = list(messages)
            self.unsure |= {r + offset for r in other.unsure}
            self.spans_known = self.spans_known and other.spans_known
        else:
            self.spans_known = False
        self.numbers = numbers


def as_table_rows(rows: Sequence[Sequence[str]]) -> TableRows:
    """`rows` as TableRows (unchanged when it already is one)."""
    return rows if isinstance(rows, TableRows) else TableRows(rows)
