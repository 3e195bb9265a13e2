"""What a reader accepts, in one place, and the one guard every reader's entry point uses.

A county plan is a few MB at most (a few thousand table rows, a 200-page Word file); a
return sheet holds a few hundred rows in under 1 MB of XML; a liaison package a few MB
of JSON. The limits below are ten to a hundred times that, and low enough that no
single input can take more than about 500 MB of memory or a minute of work: a file
past them is refused with one line naming the file, before the library that would
read it gets the chance to allocate (calamine builds a dense grid from the used range,
lxml a tree per element, json a Python object per value).

`reader_guard` turns whatever a library raises while reading into one InputError
naming the file: Exception (RecursionError included) and Rust panics from calamine
(pyo3's PanicException derives from BaseException), never KeyboardInterrupt,
SystemExit or MemoryError.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputError

MB = 1024 * 1024

# --- every file -----------------------------------------------------------------------
MAX_INPUT_BYTES = 20 * MB  # the file itself (plans and return files alike)

# --- text and web pages ---------------------------------------------------------------
MAX_TEXT_BYTES = 5 * MB  # a .txt / .csv plan: a 200-page plan is about 1 MB
MAX_HTML_BYTES = 10 * MB  # a saved web page, markup and inline scripts included
MAX_PLAN_LINES = 30_000  # lines of a prose plan (text, web page, Word paragraphs): 200 pages are 6,000

# --- zip containers (xlsx, xlsm, xlsb, ods, docx, ldpkg) --------------------------------


@dataclass(frozen=True)
class ZipLimits:
    """How far a zip may inflate, measured while reading (declared sizes can lie)."""

    total: int  # all members together, uncompressed
    member: int  # any one member, uncompressed
    members: int  # number of entries in the central directory
    xml_elements: int  # start tags in any one XML member (lxml builds a node for each)


PLAN_ZIP = ZipLimits(total=100 * MB, member=50 * MB, members=10_000, xml_elements=1_500_000)
RETURN_ZIP = ZipLimits(total=50 * MB, member=20 * MB, members=5_000, xml_elements=500_000)
MAX_ZIP_DIRECTORY = 8 * MB  # bytes of the central directory (10,000 entries need under 1 MB)

# --- spreadsheets (the used range, counted from A1 as the readers return it) ------------
MAX_SHEET_ROWS = 200_000
MAX_SHEET_COLS = 500
MAX_SHEET_CELLS = 4_000_000  # calamine keeps 32 bytes a cell, then Python 8 more and a string
MAX_SHARED_STRINGS = 4_000_000  # calamine reserves room for the declared count up front

# --- PDF (pdfplumber on pdfminer.six, bounded by app/formats/pdf_guard.py) ----------------


@dataclass(frozen=True)
class PdfLimits:
    """What one PDF may make the reader do; a 200-page plan uses a few per cent of each."""

    pages: int  # a 200-page plan is the largest we expect
    seconds: float  # the whole read; pdfminer takes 0.1-0.3 s a page here, a slow PC twice that
    structure_bytes: int  # the file outside its streams (objects, xref): tokens pdfminer keeps
    objects: int  # "n 0 obj" headers: what a broken xref makes pdfminer index
    nesting: int  # arrays/dictionaries inside each other (real files: under 10)
    stream_bytes: int  # one decoded stream (page content, form, CMap, xref): real pages ~30 KB
    object_stream_bytes: int  # one decoded object stream (its tokens are parsed at once)
    font_stream_bytes: int  # one embedded font program (a whole CJK font is 10-20 MB)
    decoded_bytes: int  # all decoded streams of the file together (pdfminer keeps them)
    page_content_bytes: int  # content executed for one page, a form counted each time it is drawn
    page_objects: int  # glyphs, paths, images and forms drawn on one page (a dense page: ~3,000)
    cmap_codes: int  # codes the ranges of one character map span (pdfminer fills a dict: a CJK font ~30,000)


PDF = PdfLimits(pages=300, seconds=180, structure_bytes=4 * MB, objects=200_000, nesting=1_000,
                stream_bytes=8 * MB, object_stream_bytes=2 * MB, font_stream_bytes=32 * MB,
                decoded_bytes=128 * MB, page_content_bytes=2 * MB, page_objects=50_000, cmap_codes=300_000)

# --- parsed plans ----------------------------------------------------------------------
MAX_TABLE_ROWS = 20_000  # data rows of a task table; a real ledger has a few hundred
MAX_WARNINGS_SHOWN = 50  # warnings listed one by one; the rest are counted in one line

# --- liaison packages ------------------------------------------------------------------
MAX_JSON_BYTES = 8 * MB  # liaison.json of one unit's tasks is well under 1 MB

_NOT_LIBRARY_FAILURES = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)


def is_library_failure(exc: BaseException) -> bool:
    """True for what a reading library raises on a bad file: any Exception, or a Rust panic."""
    if isinstance(exc, _NOT_LIBRARY_FAILURES):
        return False
    if isinstance(exc, Exception):
        return True
    return type(exc).__name__ == "PanicException"  # pyo3_runtime.PanicException (BaseException)


def failure_reason(exc: BaseException) -> str:
    """What went wrong, in words a clerk can pass on (the technical name in brackets)."""
    name = type(exc).__name__
    if name == "error":  # zlib.error, struct.error: the module says more than the name
        name = f"{type(exc).__module__}.error"
    if isinstance(exc, RecursionError):
        reason = "内容嵌套层次过深"
    elif isinstance(exc, UnicodeError):
        reason = "文字编码有误"
    elif isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        reason = "压缩数据已损坏"
    elif isinstance(exc, OverflowError):
        reason = "日期或数值超出范围"
    elif name == "PanicException":
        reason = "文件结构已损坏，读取程序无法解析"
    elif "XML" in name or "Xml" in name or "Parse" in name:
        reason = "内部 XML 格式有误"
    else:
        reason = "内容格式有误"
    return f"{reason}（{name}）"


@contextmanager
def reader_guard(path: str | Path, problem: str) -> Iterator[None]:
    """Any library failure inside becomes InputError(path, "problem：reason"); ours pass through."""
    try:
        yield
    except InputError:
        raise
    except BaseException as exc:
        if not is_library_failure(exc):
            raise
        raise InputError(path, f"{problem}：{failure_reason(exc)}") from exc


@contextmanager
def quiet_native_panics() -> Iterator[None]:
    """Keep a Rust panic message off the console: calamine's panic hook writes to fd 2 itself.

    The clerk sees only our one line; anything else the library wrote is put back.
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    panicked = False
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException as exc:
            panicked = type(exc).__name__ == "PanicException"
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if not panicked:
                _put_back(sink)


def _put_back(sink) -> None:
    sink.seek(0)
    data = sink.read(1 << 16)
    if data:
        os.write(2, data)


def too_large(what: str, size: int, limit: int) -> str:
    """"文件过大（23.5 MB，上限 20 MB）" for a refusal line."""
    return f"{what}过大（{_size(size)}，上限 {_size(limit)}），拒绝读取"


def _size(n: int) -> str:
    if n >= MB:
        value = n / MB
        return f"{value:.0f} MB" if value >= 10 or value.is_integer() else f"{value:.1f} MB"
    return f"{max(1, n // 1024)} KB"
