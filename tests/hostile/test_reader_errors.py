"""Damaged inputs that used to escape the readers as raw library errors (the CLI's "内部错误", exit 3,
naming no file) or as a Rust panic (a traceback, exit 1): each now ends in one InputError whose
one-line message starts with the file's name.

Every case is built from a plain file of the same kind, damaged in one place.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.errors import InputError
from app.formats.limits import is_library_failure, reader_guard
from app.formats.plan import read_plan
from app.formats.returns import read_return_file, saved_time
from app.formats.returns.layout import DOCX_META_PREFIX
from app.formats.returns.liaison import package_saved_at
from tests.hostile import builders as b
from tests.hostile.returns_fixture import return_files

Build = Callable[[Path], Path]


def _docx(tmp: Path, name: str = "计划.docx") -> Path:
    return b.write_docx_table(tmp / name, b.table_rows(3))


def _edit_docx_xml(old: bytes, new: bytes, member: str = "word/document.xml") -> Build:
    def build(tmp: Path) -> Path:
        src = _docx(tmp, "plain.docx")
        return b.rewrite_zip(src, tmp / "计划.docx", b.edit_member(member, lambda x: x.replace(old, new, 1)))
    return build


def _raw_member_docx(**member: object) -> Build:
    """A docx whose document.xml is written by hand (method, flags, declared size), the rest as Word wrote it."""
    def build(tmp: Path) -> Path:
        src = _docx(tmp, "plain.docx")
        with zipfile.ZipFile(src) as archive:
            parts = {i.filename: archive.read(i) for i in archive.infolist()}
        doc = parts.pop("word/document.xml")
        data = member.pop("data", b.deflate(doc))
        crc = zipfile.crc32(doc)
        raws = [b.RawMember(n, b.deflate(v), crc=zipfile.crc32(v)) for n, v in parts.items()]
        raws.append(b.RawMember("word/document.xml", data, crc=crc, declared_size=len(doc), **member))
        return b.write_raw_zip(tmp / "计划.docx", raws)
    return build


def _html(data: bytes) -> Build:
    def build(tmp: Path) -> Path:
        path = tmp / "网页.html"
        path.write_bytes(data)
        return path
    return build


def _xlsx_sheet(fn: Callable[[bytes], bytes]) -> Build:
    def build(tmp: Path) -> Path:
        src = b.write_xlsx(tmp / "plain.xlsx", b.table_rows(3))
        return b.rewrite_zip(src, tmp / "台账.xlsx", b.edit_member("xl/worksheets/sheet1.xml", fn))
    return build


def _duration_overflow(tmp: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in b.table_rows(3):
        ws.append(row)
    ws["G3"] = 1e308
    ws["G3"].number_format = "[h]:mm"  # a duration of 1e308 days: datetime.timedelta overflows
    wb.save(tmp / "台账.xlsx")
    return tmp / "台账.xlsx"


def _xls_panic(tmp: Path) -> Path:
    return b.write_xls(tmp / "旧表.xls", b.table_rows(3), sheet_shift=100_000)  # calamine slices past the stream


PLAN_CASES: dict[str, Build] = {
    # web pages: a BOM that does not fit what follows
    "html-utf16le-bom-odd-length": _html(b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00a"),
    "html-utf16be-bom-odd-length": _html(b"\xfe\xff\x00<\x00h\x00t\x00m\x00l\x00>a"),
    "html-utf8-bom-invalid-utf8": _html(b"\xef\xbb\xbf<html><body>\xff\xfe\xfd\x80</body></html>"),
    # Word: the zip
    "docx-deflate-damaged": _raw_member_docx(data=b"\x05" + b"\xff" * 200),
    "docx-deflate-truncated": lambda tmp: _raw_member_docx(data=b.deflate(b"<w:document>" * 400)[:40])(tmp),
    "docx-unknown-compression": _raw_member_docx(method=99),
    "docx-encrypted-flag": _raw_member_docx(flags=0x1),
    # Word: numbers that are no numbers
    "docx-gridspan-not-a-number": _edit_docx_xml(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="abc"/>'),
    "docx-gridbefore-not-a-number": _edit_docx_xml(b"<w:tr>", b'<w:tr><w:trPr><w:gridBefore w:val="x"/></w:trPr>'),
    "docx-ilvl-not-a-number": _edit_docx_xml(
        b"<w:p>", b'<w:p><w:pPr><w:numPr><w:ilvl w:val="un"/><w:numId w:val="1"/></w:numPr></w:pPr>'),
    # spreadsheets
    "xlsx-duration-overflow": _duration_overflow,
    "xlsx-sheet-xml-garbage": _xlsx_sheet(lambda x: x[: len(x) // 2] + b"<<<>>>"),
    "xlsx-sheet-xml-bad-ref": _xlsx_sheet(lambda x: x.replace(b'r="A1"', b'r="A0"', 1)),
    "xls-calamine-panic": _xls_panic,
}


@pytest.mark.parametrize("case", sorted(PLAN_CASES))
def test_damaged_plan_reads_or_gives_one_line_naming_the_file(tmp_path, case):
    path = PLAN_CASES[case](tmp_path)
    try:
        doc = read_plan(path)
    except InputError as exc:
        assert str(exc).startswith(f"{path.name}：") and "\n" not in str(exc), str(exc)
        return
    assert doc.tasks  # a damaged number read leniently: the plan is still there


# ------------------------------------------------------------------------------ returns


def _docx_meta(tmp: Path, fn: Callable[[dict], object] | None = None, raw: str | None = None) -> Path:
    """The Word return sheet with its hidden JSON replaced."""
    src = return_files(tmp)["docx"]
    with zipfile.ZipFile(src) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    start = xml.index(DOCX_META_PREFIX) + len(DOCX_META_PREFIX)
    end = xml.index("</w:t>", start)
    meta = json.loads(xml[start:end].replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    text = raw if raw is not None else json.dumps(fn(meta) if fn else meta, ensure_ascii=False)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    new = xml[:start] + text + xml[end:]
    return b.rewrite_zip(src, tmp / "县民政局_回执.docx", b.edit_member("word/document.xml", lambda _: new.encode("utf-8")))


def _set(key: str, value: object) -> Callable[[dict], dict]:
    def fn(meta: dict) -> dict:
        meta[key] = value
        return meta
    return fn


def _first_row(index: int, value: object) -> Callable[[dict], dict]:
    def fn(meta: dict) -> dict:
        meta["rows"][0][index] = value
        return meta
    return fn


def _liaison(tmp: Path, fn: Callable[[dict], object] | None = None, raw: bytes | None = None) -> Path:
    src = return_files(tmp)["ldpkg"]
    with zipfile.ZipFile(src) as archive:
        data = json.loads(archive.read("liaison.json"))
    body = raw if raw is not None else json.dumps(fn(data), ensure_ascii=False).encode("utf-8")
    return b.rewrite_zip(src, tmp / "县民政局_联络员.ldpkg", b.edit_member("liaison.json", lambda _: body))


def _xlsx_hidden_row(tmp: Path, value: str) -> Path:
    import openpyxl

    src = return_files(tmp)["xlsx"]
    wb = openpyxl.load_workbook(src)
    hidden = wb[wb.sheetnames[-1]]
    for row in hidden.iter_rows():
        if row[0].value == "task_id":
            hidden.cell(row=row[0].row + 1, column=2, value=value)  # the sent row number
            break
    wb.save(tmp / "县民政局_回执.xlsx")
    return tmp / "县民政局_回执.xlsx"


RETURN_CASES: dict[str, Build] = {
    "docx-meta-deep-json": lambda tmp: _docx_meta(tmp, raw="[" * 50_000 + "]" * 50_000),
    "docx-meta-rows-not-a-list": lambda tmp: _docx_meta(tmp, _set("rows", 5)),
    "docx-meta-row-number-infinite": lambda tmp: _docx_meta(tmp, _first_row(1, "1e400")),
    "xlsx-hidden-row-number-infinite": lambda tmp: _xlsx_hidden_row(tmp, "1e400"),
    "ldpkg-deep-json": lambda tmp: _liaison(tmp, raw=b"[" * 50_000 + b"]" * 50_000),
    "xls-calamine-panic": lambda tmp: b.write_xls(tmp / "回执.xls", b.table_rows(3), sheet_shift=100_000),
}


@pytest.mark.parametrize("case", sorted(RETURN_CASES))
def test_damaged_return_gives_one_line_naming_the_file_or_reads(tmp_path, case):
    path = RETURN_CASES[case](tmp_path)
    try:
        sheet = read_return_file(path)
    except InputError as exc:
        assert str(exc).startswith(f"{path.name}：") and "\n" not in str(exc)
        return
    for value in (sheet.ledger_id, sheet.unit, sheet.round, sheet.dispatch_id, sheet.signature):
        assert value is None or isinstance(value, str)


@pytest.mark.parametrize("value", [["a", "list"], {"a": 1}, 12.5, True])
def test_hidden_data_of_odd_types_reads_as_text_or_nothing(tmp_path, value):
    path = _docx_meta(tmp_path, lambda meta: {**meta, "ledger_id": value, "unit": value, "round": value,
                                              "dispatch_id": value, "signature": value})
    sheet = read_return_file(path)
    for field in (sheet.ledger_id, sheet.unit, sheet.round, sheet.dispatch_id, sheet.signature):
        assert field is None or isinstance(field, str)
    for sent in sheet.sent.values():
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in sent.columns.items())


FAR = "9999-12-31T23:59:59-23:59"  # fine as ISO, overflows on the way to UTC


def _far_core(name: str, body: bytes) -> bytes:
    if name != "docProps/core.xml":
        return body
    return re.sub(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>",
                  rb"<dcterms:modified\1>" + FAR.encode() + rb"</dcterms:modified>", body)


def test_saved_time_of_a_far_date_falls_back_to_the_file_time(tmp_path):
    path = b.rewrite_zip(return_files(tmp_path)["xlsx"], tmp_path / "远日期.xlsx", _far_core)
    with zipfile.ZipFile(path) as archive:
        assert FAR.encode() in archive.read("docProps/core.xml")
    when, how = saved_time(path)
    assert when is not None and how == "文件修改时间"


def test_package_saved_at_of_a_far_date_falls_back_to_created_at(tmp_path):
    path = _liaison(tmp_path, _set("saved_at", FAR))
    found = package_saved_at(path)
    assert found is not None and found.year < 9999


# ------------------------------------------------------------------------------ the guard itself


@pytest.mark.parametrize("exc", [ValueError("x"), RecursionError(), OverflowError(), zipfile.BadZipFile(),
                                 UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")])
def test_guard_turns_library_errors_into_one_input_error(tmp_path, exc):
    with pytest.raises(InputError) as info, reader_guard(tmp_path / "甲.docx", "不是有效的 Word 文档"):
        raise exc
    assert str(info.value).startswith("甲.docx：不是有效的 Word 文档：") and type(exc).__name__ in str(info.value)


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(1), MemoryError()])
def test_guard_lets_interrupts_and_memory_errors_through(tmp_path, exc):
    assert not is_library_failure(exc)
    with pytest.raises(type(exc)), reader_guard(tmp_path / "甲.docx", "x"):
        raise exc


def test_guard_catches_a_rust_panic_by_its_class(tmp_path):
    panic = type("PanicException", (BaseException,), {})
    assert is_library_failure(panic())
    with pytest.raises(InputError), reader_guard(tmp_path / "甲.xls", "x"):
        raise panic("index out of bounds")


# ------------------------------------------------------------------------------ what the merge gets


def _merge_dry_run(path: Path):
    import shutil

    from app.ledger import Ledger
    from app.returns import merge_files

    ledger = path.parent / "台账副本.ledger"
    shutil.copy(return_files()["ledger"], ledger)
    with Ledger.open(ledger, readonly=True) as opened:
        return merge_files(opened, [path], dry_run=True)


@pytest.mark.parametrize("kind", ["docx", "ldpkg"])
def test_a_non_ascii_signature_is_a_failed_signature_not_a_crash(tmp_path, kind):
    """hmac.compare_digest raises TypeError on non-ASCII text; hidden data reaches it as typed."""
    path = (_docx_meta(tmp_path, _set("signature", "签名已改")) if kind == "docx"
            else _liaison(tmp_path, _set("signature", "签名已改")))
    sheet = read_return_file(path)
    assert sheet.signature is not None and sheet.signature.isascii()
    report = _merge_dry_run(path)
    assert len(report.files) == 1


def test_merge_of_a_docx_with_damaged_content_types_gives_one_line(tmp_path):
    with zipfile.ZipFile(return_files()["docx"]) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    members = [b.RawMember(name, b"\x05" + b"\xff" * 60 if name == "[Content_Types].xml" else b.deflate(body),
                           crc=zipfile.crc32(body), declared_size=len(body)) for name, body in parts.items()]
    path = b.write_raw_zip(tmp_path / "县民政局_回执.docx", members)
    with pytest.raises(InputError):
        read_return_file(path)  # the reader itself refuses it with one line
    report = _merge_dry_run(path)
    assert report.files[0].messages[0].startswith(path.name)
