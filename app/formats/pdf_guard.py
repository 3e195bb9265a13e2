"""Keep pdfminer (under pdfplumber) within bounds on a hostile PDF: memory, work, time.

pdfminer.six decodes every stream it touches in full (a 20 MB Flate bomb inflates to
20 GB, a RunLength stream to 64 times its size as a list of ints), draws every form as
often as a page names it (forms that draw forms: exponential), and parses whatever nesting
or token flood a file holds. The reader calls it only inside `guarded(limits)`, which:

- measures the file before pdfminer sees it (`check_raw`): the text outside streams (where
  a flood of tokens or brackets would be parsed into Python objects), its nesting depth,
  and the number of objects a broken xref would make pdfminer index;
- bounds decoding: pdfminer's Flate, LZW and RunLength decoders are swapped for versions
  that stop at a cap per stream (by kind: font programs may be large, object streams and
  page contents not) and a budget for the whole file; CCITT (an image filter no text
  stream uses) is refused; a decoded object stream is checked for nesting and a decoded
  character map for the codes its ranges span (pdfminer fills a dict entry for each);
- bounds drawing: `GuardedPage` lays a page out with a device that counts glyphs, paths,
  images and forms, and an interpreter that counts the content it executes and checks the
  nesting of each content stream;
- checks the clock in all of these, so a file cannot keep the reader past `limits.seconds`.

Past a bound, `PdfTooCostly` is raised with the reason in Chinese; the reader turns it into
one line naming the file. Outside `guarded` the swapped decoders behave as pdfminer's own.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pdfminer import pdftypes
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import stream_value
from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent

from app.formats.limits import PdfLimits


class PdfTooCostly(Exception):
    """A bound of PdfLimits was reached; `reason` says which, in Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Budget:
    """What one read may still spend."""

    limits: PdfLimits
    deadline: float
    decoded: int = 0
    cap: int = 0  # bytes the stream being decoded may still inflate to

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise PdfTooCostly(f"读取超过 {self.limits.seconds:g} 秒仍未完成（内容过于复杂）")

    def spend(self, n: int) -> None:
        """Count `n` decoded bytes of the current stream; refuse past its cap or the file's budget."""
        self.cap -= n
        self.decoded += n
        if self.cap < 0:
            raise PdfTooCostly("文件中的一段数据解压后过大（可能是恶意构造的文件）")
        if self.decoded > self.limits.decoded_bytes:
            raise PdfTooCostly(f"文件解压后的内容超过 {self.limits.decoded_bytes // (1 << 20)} MB")


_state = threading.local()


def _budget() -> Budget | None:
    return getattr(_state, "budget", None)


@contextmanager
def guarded(limits: PdfLimits) -> Iterator[Budget]:
    """Bounds for everything pdfminer does in this thread until the block ends."""
    _install()
    budget = Budget(limits, time.monotonic() + limits.seconds)
    previous = _budget()
    _state.budget = budget
    try:
        yield budget
    finally:
        _state.budget = previous


# --- the file before parsing ----------------------------------------------------------------

_STREAM_START = re.compile(rb"stream(?:\r\n|\n|\r)")  # "stream\r" alone is wrong but written
_OBJ_HEADER = re.compile(rb"\d+\s+\d+\s+obj\b")
_BRACKETS = re.compile(rb"\[|\]|<<|>>")


def check_raw(data: bytes, limits: PdfLimits) -> None:
    """Refuse a file whose structure (outside its streams) is made to exhaust the parser."""
    outside = bytearray()
    at = 0
    while (m := _STREAM_START.search(data, at)) is not None:
        outside += data[at:m.start()]
        end = data.find(b"endstream", m.end())
        if end < 0:
            at = len(data)
            break
        at = end + len(b"endstream")
    outside += data[at:]
    if len(outside) > limits.structure_bytes:
        raise PdfTooCostly(f"文件结构部分过大（{len(outside) // (1 << 20)} MB，"
                           f"上限 {limits.structure_bytes // (1 << 20)} MB），不像是正常的文档")
    objects = sum(1 for _ in _OBJ_HEADER.finditer(outside))
    if objects > limits.objects:
        raise PdfTooCostly(f"文件中的对象过多（{objects:,} 个，上限 {limits.objects:,} 个）")
    check_nesting(bytes(outside), limits)


def check_nesting(data: bytes, limits: PdfLimits) -> None:
    """Refuse arrays or dictionaries nested deeper than limits.nesting (pdfminer keeps a frame for each)."""
    if data.count(b"[") + data.count(b"<<") <= limits.nesting:
        return
    depth = 0
    for m in _BRACKETS.finditer(data):
        token = m.group()
        if token in (b"[", b"<<"):
            depth += 1
            if depth > limits.nesting:
                raise PdfTooCostly(f"文件中的数据嵌套过深（超过 {limits.nesting:,} 层），可能是恶意构造的文件")
        elif depth:
            depth -= 1


# --- decoding -------------------------------------------------------------------------------

_FONT_KEYS = ("Length1", "Length2", "Length3")
_FONT_SUBTYPES = {"Type1C", "CIDFontType0C", "OpenType"}
_original_decode = pdftypes.PDFStream.decode
_original = {"lzwdecode": pdftypes.lzwdecode, "rldecode": pdftypes.rldecode,
             "ccittfaxdecode": pdftypes.ccittfaxdecode}


def _stream_cap(stream: pdftypes.PDFStream, limits: PdfLimits) -> int:
    """How large this stream may decode: font programs can be megabytes, other streams are small."""
    subtype = stream.get("Subtype")
    kind = stream.get("Type")
    if getattr(kind, "name", None) == "ObjStm":  # first: its tokens are all parsed, whatever else it claims
        return limits.object_stream_bytes
    if any(key in stream for key in _FONT_KEYS) or getattr(subtype, "name", None) in _FONT_SUBTYPES:
        return limits.font_stream_bytes
    return limits.stream_bytes


def _guarded_decode(self: pdftypes.PDFStream) -> None:
    budget = _budget()
    if budget is None:
        return _original_decode(self)
    budget.check_time()
    outer, budget.cap = budget.cap, _stream_cap(self, budget.limits)
    try:
        _original_decode(self)
    finally:
        budget.cap = outer  # should resolving this stream's filters have decoded another one
    if self.data and getattr(self.get("Type"), "name", None) == "ObjStm":
        check_nesting(self.data, budget.limits)
    elif self.data and (b"beginbfrange" in self.data or b"begincidrange" in self.data):
        check_cmap(self.data, budget.limits)
    return None


_RANGE_SECTION = re.compile(rb"begin(?:bf|cid)range(.*?)end(?:bf|cid)range", re.DOTALL)
_RANGE = re.compile(rb"<([0-9A-Fa-f\s]{1,32})>\s*<([0-9A-Fa-f\s]{1,32})>\s*(?:<[^>]*>|\[[^\]]*\]|\d+)")


def check_cmap(data: bytes, limits: PdfLimits) -> None:
    """Refuse a character map whose ranges span more codes than limits.cmap_codes.

    pdfminer adds every code of a range to a dict: "<00000000> <FFFFFFFF>" is four billion
    entries from a line of text.
    """
    codes = 0
    for section in _RANGE_SECTION.finditer(data):
        for m in _RANGE.finditer(section.group(1)):
            start, end = (int(b"".join(g.split()) or b"0", 16) for g in m.groups())
            codes += max(0, end - start + 1)
            if codes > limits.cmap_codes:
                raise PdfTooCostly(f"文件中字体的字符映射表过大（超过 {limits.cmap_codes:,} 个字符）")


class _BoundedInflate:
    """zlib.decompressobj() that counts what it inflates against the budget."""

    def __init__(self, budget: Budget) -> None:
        self._budget = budget
        self._inflate = zlib.decompressobj()
        self._calls = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        self._calls += 1
        if self._calls % 65536 == 0:  # pdfminer feeds a damaged stream one byte at a time
            self._budget.check_time()
        out = self._inflate.decompress(data, max(self._budget.cap, 0) + 1)
        self._budget.spend(len(out))
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inflate, name)


class _BoundedZlib:
    """What pdfminer.pdftypes uses of zlib, bounded while a read is guarded."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes, *args: Any) -> bytes:
        budget = _budget()
        if budget is None:
            return zlib.decompress(data, *args)
        inflate = zlib.decompressobj()
        out = inflate.decompress(data, max(budget.cap, 0) + 1)
        budget.spend(len(out))
        if not inflate.eof and not inflate.unconsumed_tail:
            raise zlib.error("incomplete or truncated stream")  # what zlib.decompress says; pdfminer retries
        return out

    @staticmethod
    def decompressobj(*args: Any) -> Any:
        budget = _budget()
        return zlib.decompressobj(*args) if budget is None else _BoundedInflate(budget)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def _lzwdecode(data: bytes) -> bytes:
    budget = _budget()
    if budget is None:
        return _original["lzwdecode"](data)
    parts = []
    for chunk in LZWDecoder(BytesIO(data)).run():
        budget.spend(len(chunk))
        parts.append(chunk)
    return b"".join(parts)


def _rldecode(data: bytes) -> bytes:
    """RunLengthDecode (PDF 1.7, 7.4.5) into bytes, not a list of ints, within the budget."""
    budget = _budget()
    if budget is None:
        return _original["rldecode"](data)
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        length = data[i]
        if length == 128:
            break
        if length < 128:
            piece = data[i + 1:i + 2 + length]
            i += 2 + length
        else:
            piece = data[i + 1:i + 2] * (257 - length)
            i += 2
        budget.spend(len(piece))
        out += piece
    return bytes(out)


def _ccittfaxdecode(data: bytes, params: Any) -> bytes:
    if _budget() is None:
        return _original["ccittfaxdecode"](data, params)
    raise PdfTooCostly("文件中有用图像压缩方式（CCITT）存放的文字内容，无法读取")


_installed = False
_install_lock = threading.Lock()


def _install() -> None:
    """Swap pdfminer's decoders for the bounded ones, once per process."""
    global _installed
    with _install_lock:
        if _installed:
            return
        pdftypes.zlib = _BoundedZlib()  # type: ignore[assignment]
        pdftypes.lzwdecode = _lzwdecode
        pdftypes.rldecode = _rldecode
        pdftypes.ccittfaxdecode = _ccittfaxdecode
        pdftypes.PDFStream.decode = _guarded_decode  # type: ignore[method-assign]
        _installed = True


# --- drawing a page -------------------------------------------------------------------------


class _Counter:
    """Objects drawn and content executed on one page."""

    def __init__(self, budget: Budget, page_number: int) -> None:
        self.budget = budget
        self.page_number = page_number
        self.objects = 0
        self.content = 0

    def drawn(self) -> None:
        self.objects += 1
        if self.objects > self.budget.limits.page_objects:
            raise PdfTooCostly(f"第 {self.page_number} 页的文字和图形过多"
                               f"（超过 {self.budget.limits.page_objects:,} 个）")
        if self.objects % 2000 == 0:
            self.budget.check_time()

    def executed(self, data: bytes) -> None:
        self.content += len(data)
        if self.content > self.budget.limits.page_content_bytes:
            raise PdfTooCostly(f"第 {self.page_number} 页的内容过多"
                               f"（超过 {self.budget.limits.page_content_bytes // (1 << 20)} MB）")
        check_nesting(data, self.budget.limits)
        self.budget.check_time()


class _Device(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's page device, counting what is drawn."""

    def __init__(self, counter: _Counter, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counter = counter

    def render_char(self, *args: Any, **kwargs: Any) -> float:  # type: ignore[override]
        self.counter.drawn()
        return super().render_char(*args, **kwargs)

    def paint_path(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.counter.drawn()
        super().paint_path(*args, **kwargs)

    def render_image(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.counter.drawn()
        super().render_image(*args, **kwargs)

    def begin_figure(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.counter.drawn()
        super().begin_figure(*args, **kwargs)


class _Interpreter(PDFPageInterpreter):
    """pdfminer's interpreter, counting the content it executes (forms each time they are drawn)."""

    def __init__(self, counter: _Counter, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counter = counter

    def dup(self) -> PDFPageInterpreter:
        return _Interpreter(self.counter, self.rsrcmgr, self.device)  # forms are drawn by a dup

    def execute(self, streams: Any) -> None:
        for obj in streams if isinstance(streams, (list, tuple)) else [streams]:
            try:
                data = stream_value(obj).get_data()
            except (TypeError, AttributeError, ValueError):
                continue  # pdfminer skips what is no stream
            self.counter.executed(data or b"")
        super().execute(streams)


class GuardedPage(Page):
    """A pdfplumber page laid out within the active budget (see `guarded`)."""

    @property
    def layout(self):  # type: ignore[override]  # pdfminer's LTPage
        if hasattr(self, "_layout"):
            return self._layout
        budget = _budget()
        if budget is None:
            return super().layout
        counter = _Counter(budget, self.page_number)
        device = _Device(counter, self.pdf.rsrcmgr, pageno=self.page_number, laparams=self.pdf.laparams)
        _Interpreter(counter, self.pdf.rsrcmgr, device).process_page(self.page_obj)
        self._layout = device.get_result()
        return self._layout
