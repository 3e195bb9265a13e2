"""Converting the other files liaisons send (.doc, .wps, .odt, .rtf, .et, web "Word" files) for reading.

Real files, real LibreOffice: the samples are made by soffice from a python-docx /
openpyxl original and from one of our own Word return sheets (all conversions side by
side), and the files under test go through convert_all once per module (one soffice start
per kind of conversion) plus one convert_for_reading. Only the converter-absent, refusal
and timeout cases run without LibreOffice.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from app.errors import InputError
from app.formats.returns import read_return_file, write_return_sheet
from app.formats.returns.convert import (
    CONVERTIBLE,
    convert_all,
    convert_for_reading,
    describe_unreadable,
    find_converter,
    kind_label,
    needs_conversion,
)
from tests.factories import make_document

SOFFICE = find_converter()
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
RETURN_UNIT, RETURN_ROUND = "县民政局", "第一次报送"
FIB_ENCRYPTED = bytes.fromhex("eca5c100 00000000 00000001")  # Word 97 FibBase, fEncrypted (byte 11 bit 0)
ROWS = [["序号", "主要内容", "进展落实情况"], ["1", "修建乡村道路", "已完成百分之八十"]]
HTML_TABLE = ("<html><head><title>导出</title></head><body><table border=1>"
              + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
              + "</table></body></html>")


def _word_rows(path: Path) -> list[list[str]]:
    tables = docx.Document(str(path)).tables
    return [[cell.text for cell in row.cells] for table in tables for row in table.rows]


def _sheet_rows(path: Path) -> list[list[str]]:
    workbook = CalamineWorkbook.from_path(str(path))
    return [[str(int(v)) if isinstance(v, float) else str(v) for v in row]
            for row in workbook.get_sheet_by_index(0).to_python()]


def _soffice_side_by_side(jobs: list[tuple[str, Path]], out_dir: Path, profiles: Path) -> None:
    """Sample making: one soffice per (filter, file), all at once, each with its own profile."""
    procs = [subprocess.Popen([SOFFICE, "--headless", "--norestore",
                               f"-env:UserInstallation={(profiles / str(i)).as_uri()}",
                               "--convert-to", fmt, "--outdir", str(out_dir), str(src)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i, (fmt, src) in enumerate(jobs)]
    for proc in procs:
        proc.wait(timeout=120)


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, Path]:
    """Made without LibreOffice: the Word/Excel originals, our own return sheet, web-system exports."""
    base = tmp_path_factory.mktemp("originals")
    document = docx.Document()
    document.add_paragraph("县政府重点任务落实台账（报送表）")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate(ROWS):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("填报单位：")  # LibreOffice 7.4 drops a table ending the document when saving .doc
    document.save(base / "原表.docx")
    workbook = openpyxl.Workbook()
    for row in ROWS:
        workbook.active.append(row)
    workbook.save(base / "原表.xlsx")
    sheet = write_return_sheet(make_document(n_tasks=12), RETURN_UNIT, RETURN_ROUND, base, fmt="docx")
    files = {"word": base / "原表.docx", "excel": base / "原表.xlsx", "return_sheet": sheet,
             "docx_as_doc": base / "交通局.doc", "html_as_doc": base / "网上导出.doc",
             "html_as_xls": base / "系统导出.xls"}
    files["docx_as_doc"].write_bytes(files["word"].read_bytes())
    files["html_as_doc"].write_bytes(HTML_TABLE.encode("gbk"))  # GBK, no charset declared, as web systems do
    files["html_as_xls"].write_bytes(HTML_TABLE.encode("utf-8"))
    return files


@pytest.fixture(scope="module")
def samples(originals, tmp_path_factory) -> dict[str, Path]:
    """Liaison-style files made by soffice: .doc/.wps/.odt/.rtf from the Word table, .et from Excel 97."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    base = tmp_path_factory.mktemp("samples")
    made = base / "made"
    word, excel, sheet = originals["word"], originals["excel"], originals["return_sheet"]
    _soffice_side_by_side([("odt", word), ("rtf", word), ("doc:MS Word 97", word), ("xls:MS Excel 97", excel),
                           ("doc:MS Word 97", sheet)], made, base / "profiles")
    files = {"doc": base / "农业农村局.doc", "wps": base / "住建局.wps", "odt": base / "教育局.odt",
             "rtf": base / "卫健局.rtf", "et": base / "财政局.et", "return_doc": base / "民政局回报.doc"}
    files["doc"].write_bytes((made / "原表.doc").read_bytes())
    files["wps"].write_bytes((made / "原表.doc").read_bytes())  # WPS 文字 .wps is Word 97 binary
    files["odt"].write_bytes((made / "原表.odt").read_bytes())
    files["rtf"].write_bytes((made / "原表.rtf").read_bytes())
    files["et"].write_bytes((made / "原表.xls").read_bytes())  # WPS 表格 .et is BIFF8 like .xls
    files["return_doc"].write_bytes((made / f"{sheet.stem}.doc").read_bytes())
    return {**files, **{k: originals[k] for k in ("docx_as_doc", "html_as_doc", "html_as_xls")}}


@pytest.fixture(scope="module")
def converted(samples, tmp_path_factory) -> tuple[dict[Path, Path | InputError], dict[Path, bytes], Path]:
    """All samples converted once (tempfile pointed at an empty folder, to see that it is cleaned up)."""
    scratch, work = tmp_path_factory.mktemp("scratch"), tmp_path_factory.mktemp("work")
    (work / f"{samples['doc'].stem}.docx").write_bytes(b"the liaison also sent a .docx")
    before = {p: p.read_bytes() for p in samples.values()}
    single = samples["html_as_xls"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tempfile, "tempdir", str(scratch))
        results = convert_all([p for p in samples.values() if p != single], work)
        results[single] = convert_for_reading(single, work)
    assert list(scratch.iterdir()) == []  # staged copies and the temporary LibreOffice profile are gone
    return results, before, work


@needs_soffice
@pytest.mark.parametrize(("key", "suffix"), [
    ("doc", ".docx"), ("wps", ".docx"), ("odt", ".docx"), ("rtf", ".docx"), ("docx_as_doc", ".docx"),
    ("html_as_doc", ".docx"), ("et", ".xls"), ("html_as_xls", ".xlsx"),
])
def test_liaison_files_become_readable_and_originals_stay_untouched(samples, converted, key, suffix):
    results, before, _ = converted
    source = samples[key]
    result = results[source]
    assert not isinstance(result, InputError), str(result)
    assert result.suffix == suffix and result.stem.startswith(source.stem)
    rows = _word_rows(result) if suffix == ".docx" else _sheet_rows(result)
    assert rows == ROWS
    assert source.read_bytes() == before[source]  # the liaison's file is evidence
    assert result.stat().st_mtime == pytest.approx(source.stat().st_mtime, abs=1)


@needs_soffice
def test_an_existing_file_is_never_overwritten(samples, converted):
    results, _, work = converted
    assert results[samples["doc"]].name == f"{samples['doc'].stem} (2).docx"
    assert (work / f"{samples['doc'].stem}.docx").read_bytes() == b"the liaison also sent a .docx"


@needs_soffice
def test_our_own_return_sheet_saved_as_doc_keeps_its_hidden_marks(samples, converted):
    sheet = read_return_file(converted[0][samples["return_doc"]])
    assert sheet.hidden and sheet.unit == RETURN_UNIT and sheet.rows
    assert all(row.task_id for row in sheet.rows)


def test_no_converter_gives_the_save_as_advice(originals, tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGERDESK_SOFFICE", "")
    assert find_converter() is None
    doc = tmp_path / "农业农村局.doc"
    doc.write_bytes(_ole_file("WordDocument", b"\xec\xa5\xc1\x00"))
    with pytest.raises(InputError) as err:
        convert_for_reading(doc, tmp_path / "work")
    assert str(err.value) == ("农业农村局.doc：Word 97-2003 文档（.doc），本机未安装 LibreOffice，无法读取；"
                              "请用 WPS 或 Word 打开后另存为 .docx 再合并")
    # a .doc that is really a .docx needs no converter: copied under its true suffix
    assert _word_rows(convert_for_reading(originals["docx_as_doc"], tmp_path / "work")) == ROWS


def _ole_file(stream: str, content: bytes) -> bytes:
    """A minimal OLE2 compound file (v3, 512-byte sectors) holding one stream of >= 4096 bytes."""
    content = content.ljust(4096, b"\0")
    sectors = len(content) // 512
    header = bytearray(512)
    header[:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0, 0)
    header[0x50:] = b"\xff" * (512 - 0x50)
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [3 + i for i in range(sectors - 1)] + [0xFFFFFFFE]
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[:len(encoded)] = encoded
        struct.pack_into("<HBB III", raw, 64, len(encoded), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
        struct.pack_into("<II", raw, 116, start, size)
        return bytes(raw)

    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry(stream, 2, 0xFFFFFFFF, 2, len(content))
    return bytes(header) + fat_sector + directory.ljust(512, b"\0") + content


def _encrypted_odt() -> bytes:
    """An OpenDocument zip whose manifest says its parts are encrypted (what a password does)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", '<manifest:manifest><manifest:file-entry '
                         'manifest:full-path="content.xml"><manifest:encryption-data/>'
                         '</manifest:file-entry></manifest:manifest>')
        archive.writestr("content.xml", os.urandom(64))
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data", "says"), [
    ("乱码.doc", bytes(range(256)) * 8, "文件已损坏，或不是真正的Word 97-2003 文档（.doc）"),
    ("扫描件.doc", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "但内容实际是 PDF 文件"),
    ("空的.wps", b"", "空文件"),
    ("加密.doc", _ole_file("EncryptedPackage", b"\x08\x00\x00\x00"), "设有打开密码"),
    ("加密.doc", _ole_file("WordDocument", FIB_ENCRYPTED), "设有打开密码"),
    ("加密.odt", _encrypted_odt(), "设有打开密码"),
])
def test_unusable_files_are_refused_with_the_file_named(tmp_path, name, data, says):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        convert_for_reading(path, tmp_path / "work")
    assert str(err.value).startswith(f"{name}：") and says in str(err.value)
    assert path.read_bytes() == data
    assert not any((tmp_path / "work").iterdir())


@pytest.mark.skipif(sys.platform == "win32" or not Path("/proc").is_dir(), reason="POSIX groups and /proc")
def test_a_hanging_converter_is_killed_with_all_its_children(tmp_path, monkeypatch):
    pid_file = tmp_path / "child.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > '{pid_file}'\nsleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("LEDGERDESK_SOFFICE", str(fake))
    rtf = tmp_path / "卫健局.rtf"
    rtf.write_bytes(rb"{\rtf1\ansi\ansicpg936 \'d0\'f2\'ba\'c5\par}")
    with pytest.raises(InputError) as err:
        convert_for_reading(rtf, tmp_path / "work", timeout=1)
    assert "转换超时" in str(err.value) and "另存为 .docx" in str(err.value)
    stat = Path(f"/proc/{pid_file.read_text().strip()}/stat")
    assert not stat.exists() or stat.read_text().split(") ")[1].startswith("Z")  # gone, or a zombie


def test_labels_and_lines_for_other_files(tmp_path):
    assert kind_label(Path("a.DOC")) == "Word 97-2003 文档（.doc）"
    assert kind_label(Path("a.odt")) == "OpenDocument 文本（.odt）"
    assert kind_label(Path("a.wps")) == "WPS 文字文档（.wps）"
    assert kind_label(Path("a.et")) == "WPS 表格（.et）"
    assert CONVERTIBLE[".wps"] == ".docx" and CONVERTIBLE[".et"] == ".xlsx"
    files = {"说明.pdf": b"%PDF-1.4", "现场照片.jpg": b"\xff\xd8\xff\xe0",
             "材料.zip": b"PK\x05\x06" + bytes(18), "~$农业局.docx": b"\x05lock", "空表.xlsx": b"",
             "备注.txt": "备注".encode(), "下载文件": b"\x00\x01", "汇报.dps": b"\xd0\xcf\x11\xe0"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    line = {name: describe_unreadable(tmp_path / name) for name in files}
    assert line["说明.pdf"] == "PDF 文件，不是报送表；请发回填好的 .xlsx 或 .docx 原表"
    assert line["现场照片.jpg"].startswith("图片") and line["材料.zip"].startswith("压缩包")
    assert "解压" in line["材料.zip"]
    assert "临时锁定文件" in line["~$农业局.docx"] and "可忽略" in line["~$农业局.docx"]
    assert line["空表.xlsx"].startswith("空文件") and line["备注.txt"].startswith("文本文件")
    assert "没有扩展名" in line["下载文件"] and line["汇报.dps"].startswith("演示文稿")
    assert all("\n" not in text and len(text) < 60 for text in line.values())


def test_needs_conversion_looks_at_the_content(originals, tmp_path):
    assert needs_conversion(Path("任意.doc")) and needs_conversion(Path("任意.et"))
    assert needs_conversion(originals["html_as_xls"])  # "Excel" export of a web system: HTML named .xls
    word_as_xlsx = tmp_path / "其实是Word.xlsx"
    word_as_xlsx.write_bytes(originals["word"].read_bytes())
    assert needs_conversion(word_as_xlsx)
    assert not needs_conversion(originals["excel"]) and not needs_conversion(originals["word"])
