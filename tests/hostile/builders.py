"""Plain inputs and their hostile variants, for the hostile tests and bench/bench_limits.py.

Plain plans come from the seeds (as .txt) or from a small task table, written with the
libraries an office would have used (openpyxl, python-docx) or by hand (HTML, a minimal
BIFF8 .xls in an OLE compound file: no writer for .xls is installed). Hostile variants
edit those files at the byte, zip-member or XML level.
"""

from __future__ import annotations

import html
import io
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
HEADER = ["序号", "重点工作", "主要内容", "责任单位", "配合单位", "完成时限"]
TITLE = "某县2024年政务公开工作要点任务落实台账"


def seed_path(key: str) -> Path:
    [path] = SEEDS.glob(f"{key}_*.txt")
    return path


def seed_lines(key: str) -> list[str]:
    return seed_path(key).read_text(encoding="utf-8").split("\n")


def table_rows(n: int, *, start: int = 1) -> list[list[str]]:
    """A title, the header and `n` tasks numbered from `start`."""
    rows = [[TITLE], list(HEADER)]
    for i in range(start, start + n):
        rows.append([str(i), f"重点工作{i // 50 + 1}", f"推进第{i}项政务公开工作，按要求公开信息。", "县政府办公室",
                     "县财政局", "2024年12月底前"])
    return rows


# ------------------------------------------------------------------------------ plain writers


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], sheet: str = "台账") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def write_docx_table(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    document = docx.Document()
    document.add_paragraph(rows[0][0])
    body = [list(r) for r in rows[1:]]
    width = max(len(r) for r in body)
    table = document.add_table(rows=len(body), cols=width)
    for r, row in enumerate(body):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(path)
    return path


def write_docx_prose(path: Path, lines: Iterable[str]) -> Path:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(path)
    return path


def write_html(path: Path, lines: Iterable[str]) -> Path:
    """A web page: paragraphs, and consecutive tab-separated lines as one <table>."""
    parts: list[str] = []
    table: list[str] = []
    for line in [*lines, ""]:
        if "\t" in line:
            table.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in line.split("\t")) + "</tr>")
            continue
        if table:
            parts.append("<table>" + "".join(table) + "</table>")
            table = []
        if line:
            parts.append(f"<p>{html.escape(line)}</p>")
    body = "\n".join(parts)
    path.write_text(f"<html><head><meta charset=\"utf-8\"><title>工作要点</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    return path


def write_tsv(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    path.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ zip edits

Edit = Callable[[str, bytes], bytes | None]  # member name, body → new body (None: delete)


def rewrite_zip(src: Path, dst: Path, edit: Edit | None = None, *, add: dict[str, bytes] | None = None,
                duplicate: str | None = None) -> Path:
    """A copy of the zip with members edited, deleted, duplicated or added (deflated)."""
    with zipfile.ZipFile(src) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # duplicate names are wanted here
        for name, body in members:
            new = edit(name, body) if edit else body
            if new is None:
                continue
            archive.writestr(name, new)
            if name == duplicate:
                archive.writestr(name, new)
        for name, body in (add or {}).items():
            archive.writestr(name, body)
    dst.write_bytes(out.getvalue())
    return dst


def edit_member(name: str, fn: Callable[[bytes], bytes]) -> Edit:
    return lambda member, body: fn(body) if member == name else body


@dataclass
class RawMember:
    """A zip member written byte by byte: what the headers declare need not be the truth."""

    name: str
    data: bytes  # stored as is (already compressed when method is 8)
    method: int = zipfile.ZIP_DEFLATED
    declared_size: int | None = None  # uncompressed size written in the headers
    crc: int | None = None
    flags: int = 0


def deflate(data: bytes | Iterable[bytes], level: int = 9) -> bytes:
    """Raw deflate (zip's method 8) of `data` or of a stream of chunks."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    chunks = [data] if isinstance(data, bytes) else data
    return b"".join(packer.compress(c) for c in chunks) + packer.flush()


def write_raw_zip(path: Path, members: Sequence[RawMember]) -> Path:
    """A zip with local headers, central directory and end record as the members say."""
    body, central = bytearray(), bytearray()
    for m in members:
        name = m.name.encode("utf-8")
        size = len(m.data) if m.declared_size is None else m.declared_size
        crc = m.crc if m.crc is not None else 0
        fields = (20, m.flags | 0x800, m.method, 0, 0x21, crc, len(m.data), size, len(name))
        offset = len(body)
        body += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields, 0) + name + m.data
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(body), 0)
    path.write_bytes(bytes(body + central + end))
    return path


def bomb_stream(total: int, piece: bytes, head: bytes = b"", tail: bytes = b"") -> Iterable[bytes]:
    """`head`, then `piece` repeated to about `total` bytes, then `tail`, in 1 MB chunks."""
    yield head
    block = piece * max(1, (1 << 20) // len(piece))
    for _ in range(max(1, total // len(block))):
        yield block
    yield tail


def crc_of(chunks: Iterable[bytes]) -> tuple[int, int]:
    crc = size = 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
    return crc, size


# ------------------------------------------------------------------------------ .xls (BIFF8 in OLE)

_END, _FREE, _FATSECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _record(typ: int, data: bytes) -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x0006))


def _label(row: int, col: int, text: str) -> bytes:
    return _record(0x0204, struct.pack("<HHHHB", row, col, 15, len(text), 1) + text.encode("utf-16-le"))


def _number(row: int, col: int, value: float) -> bytes:
    return _record(0x0203, struct.pack("<HHHd", row, col, 15, value))


def biff_workbook(rows: Sequence[Sequence[object]], *, sheet: str = "台账", sheet_shift: int = 0,
                  dimensions: tuple[int, int, int, int] | None = None,
                  extra_cells: Sequence[tuple[int, int, object]] = ()) -> bytes:
    """The Workbook stream: globals (BOF, one BOUNDSHEET8, EOF) and one sheet of LABEL/NUMBER cells.

    `sheet_shift` moves the sheet's recorded position (damage); `dimensions` is (first row,
    last row + 1, first col, last col + 1) of the DIMENSIONS record.
    """
    cells = [(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row) if v not in (None, "")]
    cells += list(extra_cells)
    last_row = max((r for r, _, _ in cells), default=0) + 1
    last_col = max((c for _, c, _ in cells), default=0) + 1
    dims = dimensions or (0, last_row, 0, last_col)
    body = [_bof(0x0010), _record(0x0200, struct.pack("<IIHHH", *dims, 0))]
    for r, c, v in cells:
        body.append(_number(r, c, float(v)) if isinstance(v, (int, float)) else _label(r, c, str(v)))
    sheet_stream = b"".join(body) + _record(0x000A, b"")
    name = sheet.encode("utf-16-le")

    def globals_for(pos: int) -> bytes:
        bound = _record(0x0085, struct.pack("<IBBBB", pos, 0, 0, len(sheet), 1) + name)
        return _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + bound + _record(0x000A, b"")

    head = globals_for(0)
    stream = globals_for(len(head) + sheet_shift) + sheet_stream
    return stream + bytes(max(0, 4200 - len(stream)))  # ≥ 4096: stored in regular sectors, no mini stream


def ole_file(stream: bytes, name: str = "Workbook", *, directory_loop: bool = False) -> bytes:
    """An OLE compound file (version 3, 512-byte sectors) holding one stream.

    `directory_loop` makes the directory's sector chain point back to itself (damage).
    """
    sector = 512
    n = -(-len(stream) // sector)
    data = stream + bytes(n * sector - len(stream))
    per_fat = sector // 4
    k = 1
    while n + 1 + k > k * per_fat:
        k += 1
    if k > 109:
        raise ValueError("stream too large for a header-only DIFAT")
    dir_sector = n
    fat_sectors = list(range(n + 1, n + 1 + k))
    fat = list(range(1, n)) + [_END, _END] + [_FATSECT] * k
    fat += [_FREE] * (k * per_fat - len(fat))
    if directory_loop:
        fat[dir_sector] = dir_sector

    def entry(entry_name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = entry_name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, _NOSTREAM, _NOSTREAM, child)
                + bytes(16) + struct.pack("<I", 0) + bytes(16) + struct.pack("<III", start, size, 0))

    directory = entry("Root Entry", 5, 1, _END, 0) + entry(name, 2, _NOSTREAM, 0, len(stream))
    directory = directory.ljust(sector, b"\0")
    difat = fat_sectors + [_FREE] * (109 - k)
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, k, dir_sector, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<109I", *difat))
    return header + data + directory + struct.pack(f"<{len(fat)}I", *fat)


def write_xls(path: Path, rows: Sequence[Sequence[object]], *, directory_loop: bool = False,
              **kwargs: object) -> Path:
    path.write_bytes(ole_file(biff_workbook(rows, **kwargs), directory_loop=directory_loop))  # type: ignore[arg-type]
    return path


# ------------------------------------------------------------------------------ .ods (by hand)

ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def ods_cell(value: object, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat != 1 else ""
    if value in (None, ""):
        return f"<table:table-cell{rep}/>"
    if isinstance(value, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{value}"{rep}><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{html.escape(str(value))}</text:p></table:table-cell>'


def ods_content(rows: Sequence[Sequence[object]], *, extra_rows: str = "", sheet: str = "台账") -> bytes:
    body = "".join("<table:table-row>" + "".join(ods_cell(v) for v in row) + "</table:table-row>" for row in rows)
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
            f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}{extra_rows}'
            "</table:table></office:spreadsheet></office:body></office:document-content>").encode()


def write_ods(path: Path, rows: Sequence[Sequence[object]], *, extra_rows: str = "") -> Path:
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME)
        archive.writestr("content.xml", ods_content(rows, extra_rows=extra_rows), zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


# ------------------------------------------------------------------------------ big members

Chunks = Callable[[], Iterable[bytes]]


def replace_member(src: Path, dst: Path, name: str, chunks: Chunks, *, declared_size: int | None = None) -> Path:
    """A copy of the zip with `name` replaced by the streamed `chunks` (deflated; never all in memory).

    `declared_size` writes a size into the headers other than the true one.
    """
    crc, size = crc_of(chunks())
    with zipfile.ZipFile(src) as archive:
        others = [(i.filename, archive.read(i)) for i in archive.infolist() if i.filename != name]
    members = [RawMember(n, deflate(v), crc=zlib.crc32(v), declared_size=len(v)) for n, v in others]
    members.append(RawMember(name, deflate(chunks()), crc=crc, declared_size=size if declared_size is None else declared_size))
    return write_raw_zip(dst, members)


def sheet_rows_xml(rows: int, cols: int = 6, *, refs: bool = True) -> Chunks:
    """A worksheet of `rows` × `cols` numeric cells, with cell references or (refs=False) without."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>')
    letters = [chr(65 + c) for c in range(cols)]

    def chunks() -> Iterable[bytes]:
        yield head
        block = []
        for r in range(1, rows + 1):
            if refs:
                cells = "".join(f'<c r="{col}{r}"><v>{r}</v></c>' for col in letters)
                block.append(f'<row r="{r}">{cells}</row>')
            else:  # no references, one value: deflate packs it a thousand to one
                block.append("<row>" + "<c><v>1</v></c>" * cols + "</row>")
            if len(block) == 5000:
                yield "".join(block).encode()
                block = []
        yield "".join(block).encode() + b"</sheetData></worksheet>"
    return chunks


def far_cell_xml(ref: str, *, dimension: str | None = None) -> Callable[[bytes], bytes]:
    """An edit of a sheet's XML: one more numeric cell at `ref` (and a dimension that may lie)."""
    row = "".join(ch for ch in ref if ch.isdigit())

    def edit(xml: bytes) -> bytes:
        xml = xml.replace(b"</sheetData>", f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>'.encode())
        if dimension is not None:
            import re
            xml = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), xml)
        return xml
    return edit


def write_xlsx_shared(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    """An .xlsx as Excel writes a text table: every string once in sharedStrings.xml (openpyxl
    writes inline strings, about three times the XML)."""
    template = write_xlsx(path.with_name("_template.xlsx"), [["x"]])
    strings: dict[str, int] = {}
    body = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            if value == "":
                continue
            index = strings.setdefault(value, len(strings))
            cells.append(f'<c r="{_col_letters(c)}{r}" t="s"><v>{index}</v></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{"".join(body)}</sheetData></worksheet>'
    items = "".join(f"<si><t>{html.escape(s)}</t></si>" for s in strings)
    shared = f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    rel = ('<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    override = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'spreadsheetml.sharedStrings+xml"/></Types>')

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return sheet.encode("utf-8")
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", rel.encode())
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", override.encode())
        return data

    rewrite_zip(template, path, edit, add={"xl/sharedStrings.xml": shared.encode("utf-8")})
    template.unlink()
    return path


def _col_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
