"""Ruled tables of a PDF page as rows of cell texts, and a table the page break cut in two made whole.

pdfplumber finds the cells from the ruling lines (its "lines" strategy); here each glyph goes
into the cell that holds its centre (a grid of the cells' edges makes that a lookup), and the
cell's lines become its text (pdf_layout.cell_text). A merged cell appears once, in the row
where it starts; the rows it covers below have "" there, which the task-table parser reads as
"same as above", as with Word's vertical merges.

When a table runs on over a page break, the next page's part repeats the header row (Word's
"repeat header row") and may go on with the row the break cut: `go_on` drops the repeated
header and joins such a row back, cell by cell.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.formats.plan import pdf_layout as layout

Box = tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass(frozen=True)
class Ends:
    """A cell's first and last line and the right edge its text runs to."""

    first: layout.Line | None = None
    last: layout.Line | None = None
    right: float = 0.0


@dataclass
class Table:
    """A ruled table as found on one page: its cells' texts, and where each cell's text starts and ends."""

    rows: list[list[str]]
    ends: list[list[Ends]]
    x0: float
    x1: float
    top: float
    bottom: float


class _Grid:
    """A table's cells on the grid of their edges, to put each glyph in its cell quickly."""

    def __init__(self, cells: Iterable[Box]) -> None:
        self.cells = list(cells)
        self.xs = sorted({c[0] for c in self.cells} | {c[2] for c in self.cells})
        self.ys = sorted({c[1] for c in self.cells} | {c[3] for c in self.cells})
        x_at = {x: i for i, x in enumerate(self.xs)}
        y_at = {y: j for j, y in enumerate(self.ys)}
        self.owner: dict[tuple[int, int], int] = {}
        for index, (x0, top, x1, bottom) in enumerate(self.cells):
            for i in range(x_at[x0], x_at[x1]):
                for j in range(y_at[top], y_at[bottom]):
                    self.owner[(i, j)] = index
        self.index = {cell: index for index, cell in enumerate(self.cells)}
        self.glyphs: dict[int, list[layout.Glyph]] = {}

    def take(self, g: layout.Glyph) -> bool:
        """Put `g` in the cell holding its centre; False when no cell of this table does."""
        cx, cy = (g.x0 + g.x1) / 2, (g.top + g.bottom) / 2
        if not (self.xs[0] <= cx < self.xs[-1] and self.ys[0] <= cy < self.ys[-1]):
            return False
        index = self.owner.get((bisect_right(self.xs, cx) - 1, bisect_right(self.ys, cy) - 1))
        if index is None:
            return False
        self.glyphs.setdefault(index, []).append(g)
        return True

    def cell(self, box: Box | None, padding: float) -> tuple[str, Ends]:
        if box is None:
            return "", Ends()
        lines = self.lines(self.index[box])
        right = box[2] - padding
        if not lines:
            return "", Ends(right=right)
        return layout.cell_text(lines, right), Ends(lines[0], lines[-1], right)

    def lines(self, index: int) -> list[layout.Line]:
        return layout.lines_of(self.glyphs.get(index, ()))

    def padding(self) -> float:
        """The room a wrapped line leaves before its cell's right edge (the cell margin), from the table itself."""
        gaps = [self.cells[index][2] - line.x1 for index in self.glyphs for line in self.lines(index)[:-1]]
        return max(min(gaps), 0.0) if gaps else 0.0


def cut(glyphs: Sequence[layout.Glyph], found: Sequence) -> tuple[list[layout.Glyph], list[Table]]:
    """The glyphs outside the tables `found` (pdfplumber Tables), and each table's rows of cell texts."""
    grids = [_Grid(t.cells) for t in found]
    outside = [g for g in glyphs if not any(grid.take(g) for grid in grids)]
    tables = []
    for table, grid in zip(found, grids):
        padding = grid.padding()
        cells = [[grid.cell(box, padding) for box in row.cells] for row in table.rows]
        x0, top, x1, bottom = table.bbox
        tables.append(Table(rows=[[text for text, _ in row] for row in cells],
                            ends=[[ends for _, ends in row] for row in cells],
                            x0=float(x0), x1=float(x1), top=float(top), bottom=float(bottom)))
    return outside, tables


def is_grid(table) -> bool:  # `table`: a pdfplumber Table
    """A real table has at least two rows and two columns; a single framed box is running text."""
    rows = table.rows
    return len(rows) >= 2 and max(len(r.cells) for r in rows) >= 2


# --- a table over a page break ---------------------------------------------------------------


def continues(previous: Table, table: Table, width: float) -> bool:
    """Whether `table` (at the top of a page) goes on with `previous` (which ended the page before).

    Same left and right edges (a long table broken by the page, whatever columns the next
    page's rows have), or the same number of columns.
    """
    tolerance = 0.03 * width
    same_extent = abs(previous.x0 - table.x0) <= tolerance and abs(previous.x1 - table.x1) <= tolerance
    same_width = max(map(len, previous.rows), default=0) == max(map(len, table.rows), default=0)
    return same_extent or same_width


def go_on(table: Table, more: Table, frame: layout.Frame) -> None:
    """Append the next page's part of a table: without the header it repeats, a broken row made whole.

    A row the page broke ends at the bottom of the page and goes on in the next part's first
    row: text only in cells it already had, at least one of them cut mid-paragraph (its text
    ran to the cell's edge), and no new 序号 (the first cell empty, or the rest of a number
    the narrow column wrapped). Each cell is joined back: as one wrapped paragraph when its
    text ran to the edge, as a new line of the cell when it had ended short.
    """
    rows, ends = list(more.rows), list(more.ends)
    repeated = 0
    while repeated < min(len(rows), len(table.rows)) and _key(rows[repeated]) == _key(table.rows[repeated]):
        repeated += 1
    del rows[:repeated], ends[:repeated]
    if rows and table.rows and _broken_row(table, rows[0], ends[0], frame):
        last, last_ends = table.rows[-1], table.ends[-1]
        for c, text in enumerate(rows[0]):
            if not text.strip():
                continue
            before, after = last_ends[c], ends[0][c]
            last[c] = layout.join(last[c], text) if _wrapped(before, after) else f"{last[c]}\n{text}"
            last_ends[c] = Ends(before.first, after.last, before.right)
        del rows[0], ends[0]
    table.rows.extend(rows)
    table.ends.extend(ends)
    table.bottom = more.bottom


def _wrapped(before: Ends, after: Ends) -> bool:
    """The cell's text ran to its edge, so what the next page has of it goes on the same paragraph."""
    return before.last is not None and not layout.is_short(before.last, before.right, after.first)


def _broken_row(table: Table, first: list[str], first_ends: list[Ends], frame: layout.Frame) -> bool:
    last, last_ends = table.rows[-1], table.ends[-1]
    if len(first) != len(last) or not any(c.strip() for c in first):
        return False
    if not (frame.pitch == 0 or table.bottom >= frame.bottom - 1.5 * frame.pitch):
        return False  # the table ended before the page did
    shared = [c for c, text in enumerate(first) if text.strip()]
    if any(not last[c].strip() for c in shared):
        return False  # a cell the row did not have: a new row
    if first[0].strip() and (_next_number(last[0], first[0]) or not _wrapped(last_ends[0], first_ends[0])):
        return False  # a 序号 of its own
    return any(_wrapped(last_ends[c], first_ends[c]) for c in shared)


def _next_number(last: str, first: str) -> bool:
    """"21" after "20": the next 序号, not the rest of a number the column was too narrow for."""
    a, b = last.strip().rstrip(".．、"), first.strip().rstrip(".．、")
    return a.isdigit() and b.isdigit() and int(b) == int(a) + 1


def _key(row: list[str]) -> list[str]:
    return [cell.replace(" ", "").replace("\n", "") for cell in row]
