"""PDFs that hold no text to import, or are no PDF at all: one line naming the file, never a traceback.

The PDFs are written byte by byte (tests/fixtures/pdf/raw_pdf.py): a scan, a font-encoded
PDF ("(cid:N)" glyphs), blank pages, damaged and mislabelled files.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from app.errors import InputError
from app.formats.plan import read_plan
from app.formats.plan.pdf_in import (
    DAMAGED,
    ENCRYPTED,
    FONT_ENCODED,
    NEEDS_OCR,
    NO_TEXT,
    SCANNED,
    UNREADABLE_GLYPH,
    read_pdf,
)
from tests.fixtures.pdf import raw_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
LINES_SHORT = ["1. Publish budgets on time.", "2. Answer all requests."]
PLAN_LINES = ["1. Publish the budget of every department on time.", "2. Answer every request for information."]


def _refusal(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_plan(path)
    message = str(err.value)
    assert message.startswith(f"{name}：") and "\n" not in message
    return message[len(name) + 1:]


def test_a_scanned_pdf_needs_ocr_or_a_word_copy(tmp_path):
    assert _refusal(tmp_path, "扫描件.pdf", raw_pdf.scanned_document()) == NEEDS_OCR.format(why=SCANNED)


def test_a_font_encoded_pdf_needs_ocr_or_a_word_copy(tmp_path):
    data = raw_pdf.pages_document([raw_pdf.cid_content(300)], font=raw_pdf.IDENTITY_FONT)
    assert _refusal(tmp_path, "要点.pdf", data) == NEEDS_OCR.format(why=FONT_ENCODED)


def test_blank_pages_have_no_text(tmp_path):
    assert _refusal(tmp_path, "空白.pdf", raw_pdf.pages_document([b"", b""])) == NEEDS_OCR.format(why=NO_TEXT)


def test_a_few_glyphs_without_characters_are_shown_and_noted(tmp_path):
    content = raw_pdf.text_content(PLAN_LINES) + b"\n" + raw_pdf.cid_content(3, font=b"/F2", top=700)
    path = tmp_path / "plan.pdf"
    path.write_bytes(raw_pdf.pages_document([content], extra_objects=[raw_pdf.IDENTITY_FONT], more_fonts=b"/F2 4 0 R"))
    read = read_pdf(path)
    assert read.paragraphs[:2] == PLAN_LINES
    assert UNREADABLE_GLYPH * 3 in read.paragraphs[2]
    assert read.notes == [f"PDF 第 1 页有 3 个字符取不出文字（字体没有字符映射），已显示为“{UNREADABLE_GLYPH}”，请对照原件核对"]


def test_a_page_that_is_only_an_image_is_noted(tmp_path):
    image = raw_pdf.stream(bytes(64 * 64), b"/Type /XObject /Subtype /Image /Width 64 /Height 64 "
                           b"/ColorSpace /DeviceGray /BitsPerComponent 8")
    data = raw_pdf.pages_document([raw_pdf.text_content(PLAN_LINES), b"q 595 0 0 842 0 0 cm /Im1 Do Q"],
                                  resources=b"/XObject << /Im1 4 0 R >>", extra_objects=[image])
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    assert read_pdf(path).notes == ["PDF 第 2 页只有图片（可能是扫描页），其中的文字没有导入，请对照原件核对"]
    try:
        doc = read_plan(path)  # the import summary says so too, naming the file
    except InputError as exc:  # a page of plan lines may hold no task; the note must not be lost then either
        pytest.fail(f"the text page should import: {exc}")
    assert "plan.pdf：PDF 第 2 页只有图片（可能是扫描页），其中的文字没有导入，请对照原件核对" in map(str, doc.warnings)


@pytest.mark.parametrize("encoding", ["lzw", "runlength", "plain"])
def test_contents_in_every_text_filter_are_read_within_the_guard(tmp_path, encoding):
    """The bounded decoders of pdf_guard read what pdfminer's own did."""
    content = raw_pdf.text_content(LINES_SHORT)
    if encoding == "lzw":
        body, filters = raw_pdf.lzw(content), b"/Filter /LZWDecode "
    elif encoding == "runlength":  # literal runs of up to 128 bytes, then end-of-data
        runs = [content[i:i + 128] for i in range(0, len(content), 128)]
        body, filters = b"".join(bytes([len(r) - 1]) + r for r in runs) + bytes([128]), b"/Filter /RunLengthDecode "
    else:
        body, filters = content, b""
    obj = b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(body), filters, body)
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>")
    path = tmp_path / "plan.pdf"
    path.write_bytes(raw_pdf.document([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                       page, obj, raw_pdf.HELVETICA]))
    assert read_pdf(path).paragraphs == LINES_SHORT


def test_chinese_set_through_a_predefined_cmap_is_read(tmp_path):
    lines = ["一、深化政务公开", "（一）加强政策解读。"]
    path = tmp_path / "plan.pdf"
    path.write_bytes(raw_pdf.pages_document([raw_pdf.ucs2_content(lines)], font=raw_pdf.STSONG_FONT))
    assert read_pdf(path).paragraphs == lines


def test_a_password_is_named(tmp_path):
    encrypt = (b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >> "
               b"/ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] " % (b"ab" * 32, b"cd" * 32))
    data = raw_pdf.pages_document([raw_pdf.text_content(PLAN_LINES)], trailer=encrypt)
    assert _refusal(tmp_path, "加密.pdf", data) == ENCRYPTED


@pytest.mark.parametrize("cut", [0.5, 0.05])
def test_a_truncated_download_is_damaged(tmp_path, cut):
    whole = (FIXTURES / "001_table.pdf").read_bytes()
    assert _refusal(tmp_path, "半截.pdf", whole[: int(len(whole) * cut)]).startswith(DAMAGED)


def test_a_wrong_xref_is_repaired_and_a_missing_one_refused(tmp_path):
    good = raw_pdf.pages_document([raw_pdf.text_content(PLAN_LINES)])
    wrong = good.replace(b"startxref\n", b"startxref\n9").replace(b" 00000 n", b" 00007 n")
    path = tmp_path / "wrong_xref.pdf"
    path.write_bytes(wrong)
    assert read_pdf(path).paragraphs == PLAN_LINES  # pdfminer finds the objects by scanning
    assert _refusal(tmp_path, "no_xref.pdf", good[: good.index(b"xref")]).startswith(DAMAGED)


def test_files_that_are_no_pdf_say_what_they_look_like(tmp_path):
    docx_bytes = tmp_path / "real.docx"
    with zipfile.ZipFile(docx_bytes, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "Word 或 Excel" in _refusal(tmp_path, "要点.pdf", docx_bytes.read_bytes())
    assert "Word 97-2003" in _refusal(tmp_path, "旧.pdf", bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600))
    assert "网页" in _refusal(tmp_path, "网页.pdf", b"<!DOCTYPE html><html><body>x</body></html>")
    assert "损坏" in _refusal(tmp_path, "乱码.pdf", bytes(range(256)) * 8)
    assert _refusal(tmp_path, "乱码2.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 100).startswith(DAMAGED)
