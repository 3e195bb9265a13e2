"""The used range a spreadsheet reader will allocate, found before it allocates it.

calamine builds a dense grid from A1 to the last used cell (one cell at XFD1048576
asks for 512 GB and aborts the process) and reserves whatever count a header
declares. These scanners compute the range the way calamine will: xlsx sheet XML
streamed through lxml's parser target (no tree; a regex fast path when every cell
names its position), ods content.xml with its repeat counts, xlsb sheet records.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from app.errors import InputError
from app.formats.limits import MAX_SHARED_STRINGS, MAX_SHEET_CELLS, MAX_SHEET_COLS, MAX_SHEET_ROWS
from app.formats.zip_measure import DAMAGED, Reopen, Scanner, looks_like_xml, short_name


@dataclass
class Extent:
    """The used range the reader will return: rows and columns counted from A1."""

    rows: int = 0
    cols: int = 0
    stored: int = 0  # cells the reader keeps before it builds the grid (ods: repeats expanded)

    def add(self, row: int, col: int) -> None:
        self.rows = max(self.rows, row + 1)
        self.cols = max(self.cols, col + 1)


def refuse_extent(path: Path, extent: Extent, where: str = "") -> None:
    """One line when a sheet's used range is past the limits (before anything allocates it)."""
    cells = extent.rows * extent.cols
    if extent.rows <= MAX_SHEET_ROWS and extent.cols <= MAX_SHEET_COLS and cells <= MAX_SHEET_CELLS \
            and extent.stored <= MAX_SHEET_CELLS:
        return
    sheet = f"工作表{where}" if where else "工作表"
    raise InputError(path, f"{sheet}的使用区域过大（{extent.rows:,} 行 × {extent.cols:,} 列；上限 {MAX_SHEET_ROWS:,} 行、"
                           f"{MAX_SHEET_COLS} 列、共 {MAX_SHEET_CELLS:,} 格），拒绝读取：请删除远处无用的单元格后另存")


def u32(value: int) -> int:
    return value & 0xFFFFFFFF


_REF_RE = re.compile(r"([A-Za-z]*)([0-9]+)")


def xlsx_position(ref: str) -> tuple[int, int | None] | None:
    """(row, col) of "B7" as calamine computes it (u32 arithmetic that wraps); None if it would fail.

    calamine folds letters base 26 and digits base 10 in u32: the result is the whole
    number modulo 2**32, which is what we compute.
    """
    m = _REF_RE.fullmatch(ref)
    if m is None:
        return None
    letters, digits = m.groups()
    row = u32(int(digits))
    if row == 0:
        return None
    return row - 1, (_column(letters.upper()) - 1 if letters else None)


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    col = _COLUMNS.get(letters)
    if col is None:
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        col = u32(col)
        if len(_COLUMNS) < 100_000:
            _COLUMNS[letters] = col
    return col if col else 1 << 32  # wrapped to 0: calamine finds no column, an error (never a cell)


class _XmlScan:
    """lxml parser target: sees start and end tags only and keeps no tree (constant memory).

    Subclasses name the elements they want; for those, `closed` is told whether the
    element had any child element (a value inside a cell, cells inside a row).
    """

    WANTED: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.starts = 0
        self.open: list[tuple[str, object, int]] = []
        self._kinds: dict[str, str | None] = {}

    def _wanted(self, tag: str) -> str | None:
        kind = self._kinds.get(tag, "")
        if kind == "":
            local = tag[tag.rfind("}") + 1:]
            kind = self._kinds[tag] = local if local in self.WANTED else None
        return kind

    def start(self, tag: str, attrib) -> None:
        self.starts += 1
        local = self._wanted(tag)
        if local is not None:
            self.open.append((local, attrib, self.starts))
            self.opened(local, attrib)

    def end(self, tag: str) -> None:
        if self._wanted(tag) is not None:
            local, attrib, at = self.open.pop()
            self.closed(local, attrib, self.starts > at)

    def close(self) -> None:
        return None

    def opened(self, local: str, attrib) -> None:
        pass

    def closed(self, local: str, attrib, had_child: bool) -> None:
        pass


class _XlsxSheetScan(_XmlScan):
    """Cell positions as calamine's xlsx reader finds them (r= attributes, else counting).

    calamine ignores a self-closing <c/> or <row/>, which lxml reports like an empty pair;
    for such childless elements we take the larger of both readings, so the range we
    compute is never smaller than calamine's.
    """

    WANTED = frozenset({"row", "c", "sst"})

    def __init__(self) -> None:
        super().__init__()
        self.extent = Extent()
        self.row_index = self.col_index = 0
        self.saved = (0, 0)
        self.shared_strings = 0

    def opened(self, local: str, attrib) -> None:
        if local == "row":
            self.saved = (self.row_index, self.col_index)
            found = xlsx_position(attrib.get("r", ""))  # "r" of a row is a bare number
            if found is not None:
                self.row_index = found[0]
        elif local == "sst":
            count = attrib.get("uniqueCount", "").lstrip("+")
            if count.isascii() and count.isdigit():
                self.shared_strings = max(self.shared_strings, int(count))

    def closed(self, local: str, attrib, had_child: bool) -> None:
        if local == "row":
            if had_child:
                self.row_index, self.col_index = u32(self.row_index + 1), 0
            else:
                prev_row, prev_col = self.saved
                self.row_index = max(prev_row, u32(self.row_index + 1))
                self.col_index = prev_col
        elif local == "c":
            self._cell(attrib, had_child)

    def _cell(self, attrib, had_child: bool) -> None:
        ref = attrib.get("r")
        found = xlsx_position(ref) if ref is not None else None
        if ref is not None and (found is None or found[1] is None):
            return  # calamine stops with an error here: nothing is allocated
        row, col = found if found is not None else (self.row_index, self.col_index)
        if had_child:
            self.extent.add(row, col)
            self.col_index = u32(col + 1)
        else:
            self.col_index = max(self.col_index, u32(col + 1))


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODS_VALUE_ATTRS = tuple(f"{{{_ODS_OFFICE}}}{n}" for n in (
    "value-type", "value", "string-value", "date-value", "time-value", "boolean-value"))
_ODS_MAX_ROWS, _ODS_MAX_COLS = 1_048_576, 16_384


class _OdsScan(_XmlScan):
    """Rows and cells of content.xml with their repeat counts, as calamine expands them."""

    WANTED = frozenset({"table", "table-row", "table-cell", "covered-table-cell"})

    def __init__(self) -> None:
        super().__init__()
        self.worst = Extent()
        self._table()

    def _table(self) -> None:
        self.extent = Extent()
        self.total_rows = 0
        self.row_repeats = 1
        self.cols = self.pending = 0
        self.row_last = -1

    def opened(self, local: str, attrib) -> None:
        if local == "table":
            self._table()
        elif local == "table-row":
            repeats = _ods_count(attrib.get(f"{{{_ODS_TABLE}}}number-rows-repeated"))
            self.row_repeats = min(repeats, max(0, _ODS_MAX_ROWS - self.total_rows))
            self.cols = self.pending = 0
            self.row_last = -1

    def closed(self, local: str, attrib, had_child: bool) -> None:
        if local in ("table-cell", "covered-table-cell"):
            self._cell(attrib, had_child)
        elif local == "table-row":
            self._row_end()
        elif local == "table":
            self._keep_worst()

    def _cell(self, attrib, had_child: bool) -> None:
        repeats = _ods_count(attrib.get(f"{{{_ODS_TABLE}}}number-columns-repeated"))
        self.cols += min(self.pending, max(0, _ODS_MAX_COLS - self.cols))  # empties before this cell
        repeats = min(repeats, max(0, _ODS_MAX_COLS - self.cols))
        filled = had_child or f"{{{_ODS_TABLE}}}formula" in attrib or any(a in attrib for a in _ODS_VALUE_ATTRS)
        if not filled:
            self.pending = repeats  # stored only if another cell follows in the row
            return
        self.pending = 0
        self.cols += repeats
        if repeats:
            self.row_last = self.cols - 1

    def _row_end(self) -> None:
        self.extent.stored += self.cols
        first_row = self.total_rows
        self.total_rows += self.row_repeats
        if self.row_last >= 0 and self.row_repeats:
            self.extent.add(first_row + self.row_repeats - 1, self.row_last)

    def _keep_worst(self) -> None:
        worst = self.worst
        if self.extent.rows * self.extent.cols > worst.rows * worst.cols or self.extent.stored > worst.stored:
            self.worst = self.extent


def _ods_count(text: str | None) -> int:
    if text is None:
        return 1
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else 1


def _feed_xml(path: Path, name: str, chunks: Iterator[bytes], target: _XmlScan) -> None:
    """Stream the member through lxml into `target`; broken XML is a damaged file."""
    parser = etree.XMLParser(target=target, resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False)
    try:
        for chunk in chunks:
            parser.feed(chunk)
        parser.close()
    except InputError:
        raise
    except (etree.XMLSyntaxError, etree.ParserError, ValueError, RecursionError) as exc:
        raise InputError(path, f"{DAMAGED}：{short_name(name)} 不是有效的 XML（{type(exc).__name__}）") from exc


# A cell start tag that is not self-closing (calamine ignores <c .../>), with its reference; and
# any such start tag. When both counts agree every cell names its position and the used range
# is the largest reference: found at regex speed. Otherwise the exact (slower) scan decides.
_CELL_REF_RE = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?(?<![\w:.-])r\s*=\s*[\"']([A-Za-z]{1,12})([0-9]{1,12})[\"'][^>]*(?<!/)>")
_CELL_ANY_RE = re.compile(rb"<(?:[\w.-]+:)?c(?:\s[^>]*)?(?<!/)>")
_SST_COUNT_RE = re.compile(rb"<(?:[\w.-]+:)?sst\s[^>]*?uniqueCount\s*=\s*[\"']\+?([0-9]{1,30})[\"']")


def _tag_chunks(chunks: Iterator[bytes]) -> Iterator[bytes | None]:
    """The XML cut before the last "<" of each piece, so no tag is split between two pieces;
    None when a tag runs over 1 MB (the exact scan then decides)."""
    carry = b""
    for chunk in chunks:
        buf = carry + chunk
        cut = buf.rfind(b"<")
        if cut < 0:
            carry = b""
            yield buf
        elif len(buf) - cut > 1 << 20:
            yield None
            return
        else:
            carry = buf[cut:]
            if cut:
                yield buf[:cut]
    if carry:
        yield carry


def _xlsx_fast_extent(chunks: Iterator[bytes]) -> tuple[Extent, int] | None:
    """(used range, declared shared strings) from cell references; None when some cell has none."""
    extent, shared, letters = Extent(), 0, set()
    for piece in _tag_chunks(chunks):
        if piece is None:
            return None
        refs = _CELL_REF_RE.findall(piece)
        if len(refs) != len(_CELL_ANY_RE.findall(piece)):
            return None
        if refs:
            letters.update(col for col, _ in refs)
            extent.rows = max(extent.rows, max(u32(int(row)) for _, row in refs))
        for count in _SST_COUNT_RE.findall(piece):
            shared = max(shared, int(count))
    if letters:
        extent.cols = max(_column(col.decode("ascii").upper()) for col in letters)
    return extent, shared


def xlsx_scanner(path: Path) -> Scanner:
    def scan(info: zipfile.ZipInfo, reopen: Reopen) -> None:
        name = info.filename
        first = next(reopen(), b"")
        if name.lower().endswith(".vml") or not looks_like_xml(first):
            return  # drawings (often not well-formed) and binary parts: their bytes were counted
        fast = _xlsx_fast_extent(reopen())
        if fast is None:
            target = _XlsxSheetScan()
            _feed_xml(path, name, reopen(), target)
            fast = target.extent, target.shared_strings
        extent, shared = fast
        refuse_extent(path, extent)
        if shared > MAX_SHARED_STRINGS:
            raise InputError(path, f"{DAMAGED}：共享字符串表声明了 {shared:,} 项，拒绝读取")
    return scan


def ods_scanner(path: Path) -> Scanner:
    def scan(info: zipfile.ZipInfo, reopen: Reopen) -> None:
        if info.filename.rsplit("/", 1)[-1] != "content.xml":
            return
        target = _OdsScan()
        _feed_xml(path, info.filename, reopen(), target)
        target._keep_worst()
        refuse_extent(path, target.worst)
    return scan


# ------------------------------------------------------------------------------ xlsb

_XLSB_SHEET_DIRS = ("xl/worksheets/", "xl/macrosheets/", "xl/dialogsheets/", "xl/chartsheets/")


def xlsb_scanner(path: Path) -> Scanner:
    def scan(info: zipfile.ZipInfo, reopen: Reopen) -> None:
        name = info.filename.replace("\\", "/").lower()
        if name.endswith(".bin") and name.startswith(_XLSB_SHEET_DIRS):
            extent = _xlsb_extent(b"".join(reopen()), path)
            refuse_extent(path, extent)
    return scan


def _varint(data: bytes, at: int, most: int) -> tuple[int, int] | None:
    value = shift = 0
    for i in range(most):
        if at >= len(data):
            return None
        b = data[at]
        at += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    return value, at


def _xlsb_extent(data: bytes, path: Path) -> Extent:
    """Cells of an .xlsb sheet part: BrtRowHdr gives the row, each cell record its column.

    calamine reuses one buffer for all records, so a short record sees the bytes of the
    one before; we do the same to read the column it will read.
    """
    extent, buf, row, at = Extent(), bytearray(16), 0, 0
    while at < len(data):
        typ_at = _xlsb_type(data, at)
        if typ_at is None:
            break
        typ, at = typ_at
        len_at = _varint(data, at, 4)
        if len_at is None:
            break
        length, at = len_at
        if at + length > len(data):
            raise InputError(path, f"{DAMAGED}：二进制工作表的记录长度超出文件")
        if len(buf) < length:
            buf.extend(bytes(length - len(buf)))
        buf[:length] = data[at:at + length]
        at += length
        if typ == 0x0000:
            row = struct.unpack_from("<I", buf)[0]
            if row > 0x0010_0000:
                break
        elif 0x0002 <= typ <= 0x000B:
            extent.add(row, struct.unpack_from("<I", buf)[0])
        elif typ == 0x0092:
            break
    return extent


def _xlsb_type(data: bytes, at: int) -> tuple[int, int] | None:
    if at >= len(data):
        return None
    b = data[at]
    if not b & 0x80:
        return b, at + 1
    if at + 1 >= len(data):
        return None
    return (b & 0x7F) + ((data[at + 1] & 0x7F) << 7), at + 2


