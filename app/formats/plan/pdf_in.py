"""PDF plans (text PDFs with paragraphs and ruled tables) as a Word-like body.

A city office often sends its plan as a PDF saved from Word or WPS. pdfplumber (on
pdfminer.six) gives the glyphs and ruling lines of each page; pdf_tables puts each glyph into
its ruled table's cell, pdf_layout rebuilds lines, paragraphs and cell texts from the rest:

- reading order is top to bottom on each page, tables where they stand;
- page numbers and running headers/footers are dropped;
- a table that goes on at the top of the next page (nothing but page furniture between)
  becomes one table, whatever its width there, its repeated header row dropped and a row the
  page cut joined back, so read.py sees the whole task table;
- a PDF without a text layer (a scan) or whose glyphs carry no characters ("(cid:12)": a
  font without a Unicode map) is refused with one line: it needs OCR or a Word copy; a few
  such glyphs among readable text are kept as "�" and noted, pages that are only an image
  are noted too (PdfContent.notes).

Everything pdfminer does runs within app/formats/pdf_guard.py's bounds (pages, time,
decoded bytes, objects per page, nesting); whatever else the library raises is one
InputError naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import InputError
from app.formats.limits import MAX_INPUT_BYTES, PDF, PdfLimits, reader_guard, too_large
from app.formats.pdf_guard import Budget, GuardedPage, PdfTooCostly, check_raw, guarded
from app.formats.plan import pdf_layout as layout
from app.formats.plan import pdf_tables as tables
from app.formats.plan.docx_in import DocxContent

NOT_A_PDF = "不是有效的 PDF 文件（not a valid PDF）"
DAMAGED = "PDF 文件已损坏或不完整，无法读取；请重新下载，或向发文单位索取 Word 版本"
ENCRYPTED = "PDF 文件设有打开密码，无法读取；请取消密码后另存，或向发文单位索取 Word 版本"
NEEDS_OCR = "PDF 中没有可读取的文字（{why}）；请先用 OCR 软件识别为文字，或向发文单位索取 Word 版本"
SCANNED = "页面是图片，可能是扫描件"
FONT_ENCODED = "文字以字体编码存放，取不出字符，是特殊字体导出或扫描后处理的文件"
NO_TEXT = "页面上没有文字"
TOO_COSTLY = "PDF 无法读取：{reason}；请向发文单位索取 Word 版本"
UNREADABLE_GLYPH = "\ufffd"  # where a glyph has no character: shown, not dropped
_CID = re.compile(r"^\(cid:\d+\)$")
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_HEAD_BYTES = 1024  # the "%PDF-" header may follow some junk (mail gateways add it)
_MIN_TEXT = 10  # readable glyphs below which a PDF holds no text to import
_MAX_UNMAPPED = 0.2  # share of glyphs without a character above which the text is unusable

Progress = Callable[[int, int], None]


@dataclass
class PdfContent(DocxContent):
    """A PDF's body, and lines for the import report (unreadable glyphs, pages that are only images)."""

    notes: list[str] = field(default_factory=list)


@dataclass
class _Page:
    """What one page holds, for the second pass (page furniture is found across pages)."""

    number: int
    width: float
    height: float
    lines: list[layout.Line]
    tables: list[tables.Table]
    glyphs: int = 0  # inked glyphs
    unmapped: int = 0  # of which without a character: "(cid:N)"
    images: int = 0


def read_pdf(path: Path, *, limits: PdfLimits = PDF, progress: Progress | None = None) -> PdfContent:
    """The PDF's paragraphs and tables in reading order; InputError naming the file when unreadable.

    `progress(done, total)` is called after each page.
    """
    path = Path(path)
    with reader_guard(path, DAMAGED):
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(path, too_large("文件", size, MAX_INPUT_BYTES))
        data = path.read_bytes()
        if b"%PDF-" not in data[:_HEAD_BYTES]:
            raise InputError(path, _not_a_pdf(data[:_HEAD_BYTES]))
        try:
            with guarded(limits) as budget:
                check_raw(data, limits)
                del data
                pages = _read_pages(path, limits, budget, progress)
        except PdfTooCostly as exc:
            raise InputError(path, TOO_COSTLY.format(reason=exc.reason)) from exc
        except InputError:
            raise
        except Exception as exc:  # pdfplumber wraps what pdfminer raises: find out what it was
            _explain(path, exc)
            raise
        _refuse_without_text(path, pages)
        return _assemble(pages)


def _not_a_pdf(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return f"{NOT_A_PDF}：内容看起来是 Word 或 Excel 文件（.docx/.xlsx），请改为相应的扩展名后导入"
    if head.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
        return f"{NOT_A_PDF}：内容看起来是 Word 97-2003 文档，请改为 .doc 后导入"
    if head.lstrip().lower().startswith((b"<!doctype", b"<html")):
        return f"{NOT_A_PDF}：内容看起来是网页，请改为 .html 后导入"
    return f"{NOT_A_PDF}，文件可能已损坏或只下载了一部分"


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps (pdfplumber's PdfminerException holds pdfminer's error as its argument)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        wrapped = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        current = current.__cause__ or wrapped or current.__context__
    return chain


def _explain(path: Path, exc: BaseException) -> None:
    """Raise the one line for a password, a bound reached inside pdfplumber, or a damaged file."""
    chain = _causes(exc)
    names = {type(e).__name__ for e in chain}
    if names & {"PDFPasswordIncorrect", "PDFEncryptionError"}:
        raise InputError(path, ENCRYPTED) from exc
    costly = next((e for e in chain if isinstance(e, PdfTooCostly)), None)
    if costly is not None:
        raise InputError(path, TOO_COSTLY.format(reason=costly.reason)) from exc
    if any(isinstance(e, RecursionError) for e in chain):
        raise InputError(path, f"{DAMAGED}（内容嵌套层次过深）") from exc
    if type(exc).__name__ == "PdfminerException":
        raise InputError(path, f"{DAMAGED}（{type(chain[-1]).__name__}）") from exc


# --- reading the pages ----------------------------------------------------------------------


def _read_pages(path: Path, limits: PdfLimits, budget: Budget, progress: Progress | None) -> list[_Page]:
    import pdfplumber
    from pdfminer.pdfpage import PDFPage

    pdf = pdfplumber.open(path)
    try:
        page_objects = []
        for page_obj in PDFPage.create_pages(pdf.doc):  # counted before any is read
            page_objects.append(page_obj)
            if len(page_objects) > limits.pages:
                raise InputError(path, f"PDF 超过 {limits.pages} 页，超过可导入的上限："
                                       "工作要点通常只有几十页，请确认是否选错了文件")
            budget.check_time()
        pages = []
        doctop = 0.0
        for number, page_obj in enumerate(page_objects, start=1):
            page = GuardedPage(pdf, page_obj, page_number=number, initial_doctop=doctop)
            doctop += page.height
            pages.append(_read_page(page))
            page.close()  # its glyphs and layout go; only the lines and tables stay
            budget.check_time()
            if progress is not None:
                progress(number, len(page_objects))
        return pages
    finally:
        pdf.stream.close()


def _glyph(char: dict) -> layout.Glyph:
    text = char["text"]
    return layout.Glyph(text=UNREADABLE_GLYPH if _CID.match(text) else text, x0=char["x0"], x1=char["x1"],
                        top=char["top"], bottom=char["bottom"], size=char.get("size") or (char["bottom"] - char["top"]))


def _read_page(page: GuardedPage) -> _Page:
    glyphs = [_glyph(c) for c in page.chars]
    inked = sum(1 for g in glyphs if g.text.strip())
    unmapped = sum(1 for g in glyphs if g.text == UNREADABLE_GLYPH)
    found: list[tables.Table] = []
    if page.edges:
        grids = [t for t in page.find_tables(_TABLE_SETTINGS) if tables.is_grid(t)]
        glyphs, found = tables.cut(glyphs, grids)
    return _Page(number=page.page_number, width=float(page.width), height=float(page.height),
                 lines=layout.lines_of(glyphs), tables=found, glyphs=inked, unmapped=unmapped,
                 images=len(page.images))


# --- refusing what has no text --------------------------------------------------------------


def _refuse_without_text(path: Path, pages: list[_Page]) -> None:
    glyphs = sum(p.glyphs for p in pages)
    unmapped = sum(p.unmapped for p in pages)
    if glyphs and unmapped / glyphs > _MAX_UNMAPPED:
        raise InputError(path, NEEDS_OCR.format(why=FONT_ENCODED))
    if glyphs - unmapped < _MIN_TEXT:
        why = SCANNED if any(p.images for p in pages) else NO_TEXT
        raise InputError(path, NEEDS_OCR.format(why=why))


# --- the body in reading order --------------------------------------------------------------


def _assemble(pages: list[_Page]) -> PdfContent:
    dropped = layout.furniture([(p.lines, p.height) for p in pages])
    bodies = [[line for i, line in enumerate(p.lines) if (n, i) not in dropped] for n, p in enumerate(pages)]
    frames = _frames(pages, bodies)
    content = PdfContent()
    state = layout.Paragraphs(done=content.blocks)
    last_line_page = -1
    open_table: tuple[tables.Table, int] | None = None  # the last block when it is a table, and its last page
    for n, page in enumerate(pages):
        items: list[tuple[float, layout.Line | tables.Table]] = [(line.top, line) for line in bodies[n]]
        items += [(table.top, table) for table in page.tables]
        items.sort(key=lambda item: item[0])
        for position, (_, item) in enumerate(items):
            if isinstance(item, layout.Line):
                layout.add_line(state, item, frames[n], same_page=last_line_page == n)
                last_line_page = n
                open_table = None
                continue
            layout.close(state)
            if (open_table is not None and position == 0 and open_table[1] == n - 1
                    and tables.continues(open_table[0], item, page.width)):
                tables.go_on(open_table[0], item, frames[n - 1])
                open_table = (open_table[0], n)
            else:
                content.blocks.append(item.rows)
                open_table = (item, n)
    layout.close(state)
    content.notes = _notes(pages)
    return content


def _frames(pages: list[_Page], bodies: list[list[layout.Line]]) -> list[layout.Frame]:
    """One text frame per page size, from the running text of all pages of that size."""
    by_size: dict[tuple[int, int], list[layout.Line]] = {}
    for page, lines in zip(pages, bodies):
        by_size.setdefault((round(page.width), round(page.height)), []).extend(lines)
    frames = {size: layout.frame_of(lines, size[0], size[1]) for size, lines in by_size.items()}
    for page in pages:  # the lowest text of a page size counts its tables too
        frame = frames[(round(page.width), round(page.height))]
        frame.bottom = max([frame.bottom] + [t.bottom for t in page.tables])
    return [frames[(round(p.width), round(p.height))] for p in pages]


def _notes(pages: list[_Page]) -> list[str]:
    notes = []
    unmapped = sum(p.unmapped for p in pages)
    if unmapped:
        numbers = _page_list([p.number for p in pages if p.unmapped])
        notes.append(f"PDF 第 {numbers} 页有 {unmapped} 个字符取不出文字（字体没有字符映射），"
                     f"已显示为“{UNREADABLE_GLYPH}”，请对照原件核对")
    images = [p.number for p in pages if p.images and p.glyphs - p.unmapped < _MIN_TEXT and not p.tables]
    if images:
        notes.append(f"PDF 第 {_page_list(images)} 页只有图片（可能是扫描页），其中的文字没有导入，请对照原件核对")
    return notes


def _page_list(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers[:10]) + ("等" if len(numbers) > 10 else "")
