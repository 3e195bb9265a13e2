"""Plans in .doc, .wps, .odt and .rtf: converted by LibreOffice, read like the .docx they came from.

The samples are made in the test: seed 000's task table and seed 004's prose as .docx
(python-docx), then saved by LibreOffice as Word 97 .doc, OpenDocument .odt and RTF. Each
must import to exactly what the .docx imports to, and that is the golden. WPS 文字's .wps is
the Word 97 format and takes the same way (its no-converter line is checked). The refusals
(no converter, a garbage or mislabelled file) need no LibreOffice.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from app.errors import InputError
from app.formats.office_convert import find_converter
from app.formats.plan import read_plan
from app.formats.plan.word_convert import read_converted_word
from app.formats.text_in import read_text
from tests.formats.docx_builders import table_docx
from tests.formats.docx_factory import prose_docx
from tests.formats.test_convert import _ole_file
from tests.golden_files import assert_matches_golden, golden_view

SOFFICE = find_converter()
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
WORD97 = _ole_file("WordDocument", bytes.fromhex("eca5c100"))  # a Word 97 file's FibBase (not encrypted)


def _originals(seed_path, folder: Path) -> dict[str, Path]:
    """Seed 000 as a Word table (merged cells as an office draws them) and seed 004 as Word paragraphs."""
    rows = [line.split("\t") for line in read_text(seed_path("000")).split("\n")]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "序号")
    table = folder / "任务台账.docx"
    table_docx(table, [r[0] for r in rows[:header_at] if r[0].strip()],
               [r for r in rows[header_at:] if any(c.strip() for c in r)])
    document = docx.Document(str(table))
    document.add_paragraph("")  # LibreOffice drops a table that ends the document when it saves .doc
    document.save(str(table))
    prose = prose_docx(folder / "工作要点.docx", read_text(seed_path("004")).split("\n"))
    return {"000": table, "004": prose}


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """(seed, suffix) → the sample file; one soffice per target format, side by side."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from tests.conftest import SEED_FILES

    base = tmp_path_factory.mktemp("plans")
    originals = _originals(SEED_FILES.__getitem__, base)
    jobs = {".doc": ("doc:MS Word 97", [originals["000"], originals["004"]]),
            ".odt": ("odt", [originals["000"]]), ".rtf": ("rtf", [originals["000"]])}
    procs = [subprocess.Popen([SOFFICE, "--headless", "--norestore",
                               f"-env:UserInstallation={(base / 'profiles' / suffix[1:]).as_uri()}",
                               "--convert-to", target, "--outdir", str(base / "made"), *map(str, sources)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for suffix, (target, sources) in jobs.items()]
    for proc in procs:
        proc.wait(timeout=180)
    files = {(key, ".docx"): path for key, path in originals.items()}
    for suffix, (_, sources) in jobs.items():
        for source in sources:
            key = next(k for k, p in originals.items() if p == source)
            files[(key, suffix)] = base / "made" / f"{source.stem}{suffix}"
    return files


@needs_soffice
@pytest.mark.parametrize(("key", "suffix"), [("000", ".doc"), ("000", ".odt"), ("000", ".rtf"), ("004", ".doc")])
def test_converted_plans_import_as_their_docx(samples, key, suffix):
    path = samples[(key, suffix)]
    before = path.read_bytes()
    got = read_plan(path)
    assert golden_view(got) == golden_view(read_plan(samples[(key, ".docx")]))
    assert_matches_golden(got, key)
    assert path.read_bytes() == before  # the clerk's file is only ever copied


@pytest.mark.parametrize(("name", "label"), [("要点.doc", "Word 97-2003 文档（.doc）"), ("要点.wps", "WPS 文字文档（.wps）")])
def test_without_a_converter_the_line_says_install_libreoffice_or_save_as_docx(tmp_path, monkeypatch, name, label):
    monkeypatch.setenv("LEDGERDESK_SOFFICE", "")  # as test_convert does: find_converter() is None
    old = tmp_path / name
    old.write_bytes(WORD97)  # WPS 文字 writes .wps in the Word 97 format
    with pytest.raises(InputError) as err:
        read_plan(old)
    assert str(err.value) == (f"{name}：{label}，本机未安装 LibreOffice，无法读取；"
                              "请安装 LibreOffice 后重试，或用 WPS 或 Word 打开后另存为 .docx 再导入")


def test_a_path_without_soffice_is_no_converter(tmp_path, monkeypatch):
    monkeypatch.delenv("LEDGERDESK_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    if find_converter() is not None:
        pytest.skip("LibreOffice is installed where find_converter looks besides PATH")
    rtf = tmp_path / "要点.rtf"
    rtf.write_bytes(rb"{\rtf1\ansi\ansicpg936 \'d2\'aa\'b5\'e3\par}")
    with pytest.raises(InputError) as err:
        read_plan(rtf)
    assert "本机未安装 LibreOffice" in str(err.value) and str(err.value).startswith("要点.rtf：")


def test_a_docx_named_doc_needs_no_converter(seed_path, tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGERDESK_SOFFICE", "")
    originals = _originals(seed_path, tmp_path)
    renamed = tmp_path / "台账.doc"
    renamed.write_bytes(originals["000"].read_bytes())
    assert_matches_golden(read_plan(renamed), "000")


def test_a_pdf_named_doc_is_read_as_the_pdf_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGERDESK_SOFFICE", "")
    renamed = tmp_path / "台账.doc"
    renamed.write_bytes((FIXTURES / "000_table.pdf").read_bytes())
    assert_matches_golden(read_plan(renamed), "000")


@pytest.mark.parametrize(("name", "data", "says"), [
    ("乱码.doc", bytes(range(256)) * 16, "文件已损坏，或不是真正的Word 97-2003 文档（.doc）；请用 WPS 或 Word 打开后另存为 .docx 再导入"),
    ("说明.wps", "只是一段文字，不是文档。".encode("gb18030"), "但内容实际是纯文本，不是 Word 文档"),
    ("照片.odt", b"\xff\xd8\xff\xe0" + bytes(600), "但内容实际是图片"),
])
def test_garbage_and_mislabelled_files_are_refused_in_one_line(tmp_path, monkeypatch, name, data, says):
    monkeypatch.setenv("LEDGERDESK_SOFFICE", "")  # refused from their bytes, before any converter
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_converted_word(path)
    message = str(err.value)
    assert message.startswith(f"{name}：") and says in message and "\n" not in message


def test_a_workbook_named_doc_says_it_is_a_spreadsheet(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGERDESK_SOFFICE", "")
    path = tmp_path / "台账.doc"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError) as err:
        read_converted_word(path)
    assert str(err.value) == ("台账.doc：Word 97-2003 文档（.doc），但内容实际是电子表格，不是 Word 文档；"
                              "请把扩展名改为 .xlsx 后导入")


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in converter is a shell script")
def test_a_hanging_converter_gives_the_timeout_line(tmp_path, monkeypatch):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("LEDGERDESK_SOFFICE", str(fake))
    rtf = tmp_path / "要点.rtf"
    rtf.write_bytes(rb"{\rtf1\ansi \par}")
    with pytest.raises(InputError) as err:
        read_converted_word(rtf, timeout=1)
    assert "转换超时（超过 1 秒）" in str(err.value) and "另存为 .docx 再导入" in str(err.value)
