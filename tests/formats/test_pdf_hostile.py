"""Hostile PDFs: bombs, floods and nesting stay within app/formats/pdf_guard.py's bounds, in one line.

Each bound is shown to fire on a file made to cross it (written byte by byte, see
tests/fixtures/pdf/raw_pdf.py). Where crossing the real limit takes seconds of pdfminer's
time (forms drawing forms, a page of a million glyphs), the test lowers that limit instead;
the decompression and nesting bombs run against the real limits, and a child process
checks that none of them takes more than 500 MB.
"""

from __future__ import annotations

import dataclasses
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from pdfminer import pdftypes

from app.errors import InputError
from app.formats.limits import PDF
from app.formats.pdf_guard import guarded
from app.formats.plan.pdf_in import read_pdf
from tests.fixtures.pdf import raw_pdf

ROOT = Path(__file__).resolve().parents[2]
LINES = ["1. Publish the budget of every department on time.", "2. Answer every request for information."]


def _page_with_content(content_object: bytes, extra: list[bytes] = ()) -> bytes:
    """Catalog, pages, one page whose /Contents is object 4 (`content_object`), then `extra`."""
    return raw_pdf.document([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                             b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                             content_object, *extra])


def deflated_zeros(megabytes: int) -> bytes:
    """`megabytes` MB of zeros as one zlib stream, made fast: a 16 MB block after a full flush
    deflates to the same bytes every time, so it is deflated once and repeated."""
    chunk, count = bytes(1 << 24), max(1, megabytes // 16)
    deflate = zlib.compressobj(9)
    head = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(chunk, adler)
    return head + block * (count - 1) + b"\x03\x00" + struct.pack(">I", adler)  # an empty final block


def flate_bomb(megabytes: int = 1024, *, twice: bool = False) -> bytes:
    """A page content of `megabytes` MB of zeros, deflated (1 GB is 1 MB of file), or deflated twice."""
    data, filters = deflated_zeros(megabytes), b"/FlateDecode"
    if twice:
        data, filters = zlib.compress(data, 9), b"[/FlateDecode /FlateDecode]"
    return _page_with_content(b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(data), filters, data))


def run_length_bomb(pairs: int = 10_000_000) -> bytes:
    """RunLengthDecode: every two bytes are 128 spaces (pdfminer would build a list of ints of it)."""
    data = bytes([129, 0x20]) * pairs + bytes([128])
    return _page_with_content(b"<< /Length %d /Filter /RunLengthDecode >>\nstream\n%s\nendstream" % (len(data), data))


def deep_structure(depth: int = 3_000_000) -> bytes:
    """An object of `depth` nested arrays that the page's resources point at."""
    return raw_pdf.document([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                             b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources 4 0 R >>",
                             b"[" * depth])


def deep_content(depth: int = 1_500_000) -> bytes:
    return raw_pdf.pages_document([b"[" * depth])


def object_stream_flood(broken_xref: bool = True) -> bytes:
    """An object stream holding one array of two million numbers; a broken xref makes pdfminer expand it."""
    flood = b"1 0 [" + b"0 " * 2_000_000 + b"]"
    data = raw_pdf.document([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                             b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
                             raw_pdf.stream(flood, b"/Type /ObjStm /N 1 /First 4")])
    return data.replace(b"startxref\n", b"startxref\n7") if broken_xref else data


def cmap_bomb() -> bytes:
    """A font whose ToUnicode map has one range of four billion codes (pdfminer adds each to a dict)."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Bomb def "
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange "
            b"1 beginbfrange <00000000> <FFFFFFFF> <0000> endbfrange endcmap end end")
    font = raw_pdf.IDENTITY_FONT.replace(b"/Encoding /Identity-H ", b"/Encoding /Identity-H /ToUnicode 4 0 R ")
    return raw_pdf.pages_document([raw_pdf.cid_content(50)], font=font, extra_objects=[raw_pdf.stream(cmap)])


def form_bomb(levels: int = 8, fan_out: int = 10, leaf: bytes = b"BT /F1 12 Tf 72 700 Td (x) Tj ET") -> bytes:
    """Forms that each draw the next form `fan_out` times, `levels` deep: fan_out ** levels leaves."""
    forms = []
    for level in range(levels):
        number = 4 + level
        if level == levels - 1:
            body, resources = leaf, b"/Font << /F1 3 0 R >>"
        else:
            body, resources = b" ".join([b"/X Do"] * fan_out), b"/XObject << /X %d 0 R >>" % (number + 1)
        forms.append(raw_pdf.stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
                                          b"/Resources << %s >>" % resources))
    return raw_pdf.pages_document([b"/X Do"], resources=b"/XObject << /X 4 0 R >>", extra_objects=forms)


def many_pages(pages: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    return raw_pdf.document([b"<< /Type /Catalog /Pages 2 0 R >>",
                             b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
                             *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages])


def _refused(tmp_path: Path, data: bytes, limits=PDF, name: str = "bomb.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_pdf(path, limits=limits)
    message = str(err.value)
    assert message.startswith(f"{name}：") and "\n" not in message
    return message


def _lower(**changes) -> object:
    return dataclasses.replace(PDF, **changes)


@pytest.mark.parametrize(("make", "says"), [
    (lambda: flate_bomb(64), "一段数据解压后过大"),
    (lambda: flate_bomb(64, twice=True), "一段数据解压后过大"),
    (lambda: run_length_bomb(100_000), "一段数据解压后过大"),
    (lambda: deep_structure(50_000), "嵌套过深"),
    (lambda: deep_content(50_000), "嵌套过深"),
    (lambda: object_stream_flood(), "一段数据解压后过大"),
    (cmap_bomb, "字符映射表过大"),
    (lambda: _page_with_content(raw_pdf.stream(b"BT ET", b"/DecodeParms << /K -1 >>", flate=False)
                                .replace(b"/Length", b"/Filter /CCITTFaxDecode /Length")), "CCITT"),
])
def test_decompression_and_nesting_bombs_are_refused_at_the_real_limits(tmp_path, make, says):
    assert says in _refused(tmp_path, make())


def test_a_page_count_past_the_limit_is_refused_before_any_page_is_read(tmp_path):
    assert "超过 12 页" in _refused(tmp_path, many_pages(13), _lower(pages=12))
    assert "页" not in _refused(tmp_path, many_pages(3), _lower(pages=12)).split("：")[1][:2]  # blank, not too long


def test_a_file_whose_structure_is_a_flood_is_refused(tmp_path):
    assert "结构部分过大" in _refused(tmp_path, many_pages(2_000), _lower(structure_bytes=50_000))
    assert "对象过多" in _refused(tmp_path, many_pages(2_000), _lower(objects=1_000))


def test_forms_drawing_forms_are_cut_off_by_the_count_of_what_is_drawn(tmp_path):
    assert "文字和图形过多（超过 2,000 个）" in _refused(tmp_path, form_bomb(), _lower(page_objects=2_000))


def test_forms_that_draw_nothing_are_cut_off_by_the_content_they_execute(tmp_path):
    noop = form_bomb(leaf=b"q Q " * 1000)
    assert "第 1 页的内容过多" in _refused(tmp_path, noop, _lower(page_content_bytes=256 * 1024))


def test_a_page_of_too_many_glyphs_is_refused(tmp_path):
    text = b"BT /F1 1 Tf 0 0 Td " + b"(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa) Tj " * 200 + b"ET"
    assert "文字和图形过多" in _refused(tmp_path, raw_pdf.pages_document([text]), _lower(page_objects=5_000))


def test_all_pages_together_may_decode_only_so_much(tmp_path):
    pages = [b"% " + b"x" * 200_000 + b"\n" + raw_pdf.text_content(LINES)] * 6
    assert "解压后的内容超过 1 MB" in _refused(tmp_path, raw_pdf.pages_document(pages), _lower(decoded_bytes=1 << 20))


def test_the_clock_stops_a_slow_file(tmp_path):
    assert "秒仍未完成" in _refused(tmp_path, form_bomb(), _lower(seconds=0.5))


def test_outside_a_guarded_read_pdfminer_decodes_as_it_always_did():
    big = zlib.compress(bytes(PDF.stream_bytes + 1000))
    stream = pdftypes.PDFStream({"Filter": pdftypes.LITERALS_FLATE_DECODE[0], "Length": len(big)}, big)
    with guarded(PDF):
        pass  # the decoders are swapped from here on
    assert len(stream.get_data()) == PDF.stream_bytes + 1000


@pytest.mark.skipif(sys.platform != "linux", reason="peak memory read from Linux's rusage and /proc")
def test_no_bomb_takes_more_than_500_mb(tmp_path):
    bombs = {"flate.pdf": flate_bomb(1024), "flate2.pdf": flate_bomb(1024, twice=True),
             "runlength.pdf": run_length_bomb(), "deep.pdf": deep_structure(), "deep_content.pdf": deep_content(),
             "objstm.pdf": object_stream_flood(), "pages.pdf": many_pages(20_000), "cmap.pdf": cmap_bomb()}
    for name, data in bombs.items():
        (tmp_path / name).write_bytes(data)
    script = r"""
import json, resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from app.errors import InputError
from app.formats.plan.pdf_in import read_pdf

def status(key):  # this process's own figures (ru_maxrss would carry the parent's over exec)
    return int(next(line for line in open("/proc/self/status") if line.startswith(key)).split()[1]) * 1024

base = status("VmHWM")
resource.setrlimit(resource.RLIMIT_AS, (status("VmSize") + (1 << 30), resource.RLIM_INFINITY))  # no swapping
results = {}
for path in sorted(Path(sys.argv[2]).glob("*.pdf")):
    try:
        read_pdf(path)
        results[path.name] = "read"
    except InputError as exc:
        results[path.name] = str(exc)
    except MemoryError:
        results[path.name] = "MemoryError"
print(json.dumps({"results": results, "grew_mb": (status("VmHWM") - base) / (1 << 20)}))
"""
    out = subprocess.run([sys.executable, "-c", script, str(ROOT), str(tmp_path)], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert all(line.startswith(name + "：") for name, line in report["results"].items()), report
    assert report["grew_mb"] < 500, report
