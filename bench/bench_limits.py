"""The largest inputs the readers accept and the bombs they refuse, each with time and peak memory.

Run by hand: `python bench/bench_limits.py [--only NAME ...] [--out FILE]`. Every input is
built in a temporary folder, then read once by read_plan or read_return_file in a child
process with 1.5 GB of address space (tests/hostile/isolated.py), which reports its own time
and peak RSS (getrusage). Prints one JSON object: the limits in force, the idle child's
memory (Python and the app imported), and per input its size, outcome and figures.
Target: every accepted input under 500 MB, every bomb refused in seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from app.formats import limits
from tests.hostile import builders as b
from tests.hostile.isolated import read_isolated
from tests.hostile.returns_fixture import return_files

SHEET = "xl/worksheets/sheet1.xml"
Build = Callable[[Path], Path]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _prose(megabytes: float) -> list[str]:
    """bench_import's plan (seeds 004 and 002 repeated, sections renumbered) of about `megabytes` of text."""
    from bench_import import build_plan

    repeat = max(1, int(megabytes * 1_000_000 / 51_000))  # each repeat adds about 51 KB
    return build_plan(repeat)


def _xlsx_edit(name: str, edit: Callable[[bytes], bytes]) -> Build:
    def build(tmp: Path) -> Path:
        src = b.write_xlsx(tmp / "plain.xlsx", b.table_rows(3))
        return b.rewrite_zip(src, tmp / name, b.edit_member(SHEET, edit))
    return build


def _big_xlsx(tmp: Path, rows: int, name: str) -> Path:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    for row in b.table_rows(rows):
        ws.append(row)
    wb.save(tmp / name)
    return tmp / name


def _inflating_xlsx(tmp: Path) -> Path:
    src = b.write_xlsx(tmp / "plain.xlsx", b.table_rows(3))
    return b.replace_member(src, tmp / "膨胀150MiB.xlsx", SHEET, b.sheet_rows_xml(1_000_000, 9, refs=False))


def _lying_docx(tmp: Path) -> Path:
    src = b.write_docx_table(tmp / "plain.docx", b.table_rows(3))
    body = lambda: b.bomb_stream(2 << 30, b"<w:p/>", b'<w:document xmlns:w="x"><w:body>', b"</w:body></w:document>")
    return b.replace_member(src, tmp / "谎报2GiB.docx", "word/document.xml", body, declared_size=4096)


def _widest_range(tmp: Path) -> Path:
    """Two cells spanning the largest grid accepted (rows × cols = MAX_SHEET_CELLS): calamine's dense range."""
    cols = limits.MAX_SHEET_CELLS // limits.MAX_SHEET_ROWS
    letters = "".join(chr(65 + (cols - 1) // 26 - 1) if cols > 26 else "") + chr(65 + (cols - 1) % 26)
    far = b.far_cell_xml(f"{letters}{limits.MAX_SHEET_ROWS}")
    return _xlsx_edit("最大区域.xlsx", far)(tmp)


def _many_elements_docx(tmp: Path) -> Path:
    """A Word body just under the element limit (paragraphs of 40 runs, under the line limit): lxml's tree
    at its largest."""
    paragraphs = (limits.PLAN_ZIP.xml_elements - 10_000) // 81
    src = b.write_docx_prose(tmp / "plain.docx", b.seed_lines("004"))
    with __import__("zipfile").ZipFile(src) as archive:
        xml = archive.read("word/document.xml")
    head, tail = xml.split(b"<w:body>", 1)
    extra = (b"<w:p>" + b"<w:r><w:t>\xe5\xb7\xa5\xe4\xbd\x9c</w:t></w:r>" * 40 + b"</w:p>") * paragraphs
    new = head + b"<w:body>" + tail.replace(b"</w:body>", extra + b"</w:body>", 1)
    return b.rewrite_zip(src, tmp / "两百万元素.docx", b.edit_member("word/document.xml", lambda _: new))


def _many_elements_return(tmp: Path) -> Path:
    """The Word return sheet padded with paragraphs to just under the element limit (python-docx's tree)."""
    paragraphs = (limits.RETURN_ZIP.xml_elements - 20_000) // 81
    extra = (b"<w:p>" + b"<w:r><w:t>\xe5\xb7\xa5\xe4\xbd\x9c</w:t></w:r>" * 40 + b"</w:p>") * paragraphs
    pad = lambda xml: xml.replace(b"</w:body>", extra + b"</w:body>", 1) if b"<w:sectPr" not in xml else \
        xml.replace(b"<w:sectPr", extra + b"<w:sectPr", 1)
    return b.rewrite_zip(return_files()["docx"], tmp / "县民政局_大.docx", b.edit_member("word/document.xml", pad))


def _text(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _return_span(tmp: Path) -> Path:
    wide = lambda xml: xml.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="1000000000"/>', 1)
    return b.rewrite_zip(return_files()["docx"], tmp / "跨十亿列.docx", b.edit_member("word/document.xml", wide))


def _liaison_bomb(tmp: Path) -> Path:
    body = lambda: b.bomb_stream(1 << 30, b" ", b"{", b"}")
    return b.replace_member(return_files()["ldpkg"], tmp / "膨胀1GiB.ldpkg", "liaison.json", body)


def _deep_liaison(tmp: Path) -> Path:
    body = b"[" * 4_000_000 + b"]" * 4_000_000
    return b.rewrite_zip(return_files()["ldpkg"], tmp / "深层.ldpkg", b.edit_member("liaison.json", lambda _: body))


def _many_members(tmp: Path) -> Path:
    members = [b.RawMember(f"m{i}.xml", b.deflate(b"<a/>")) for i in range(50_000)]
    return b.write_raw_zip(tmp / "五万条目.xlsx", members)


ROWS = limits.MAX_TABLE_ROWS - 10
LINES = limits.MAX_PLAN_LINES - 100
SHORT = "一、工作\n（一）事项\n1、做事（县政府办公室负责，2024年底前完成）\n其他文字\n"

ACCEPTED: dict[str, tuple[str, Build]] = {
    f"plan xlsx {ROWS:,} task rows": ("plan", lambda tmp: _big_xlsx(tmp, ROWS, "两万行.xlsx")),
    f"plan csv {ROWS:,} task rows": ("plan", lambda tmp: _csv(tmp / "两万行.csv", b.table_rows(ROWS))),
    f"plan txt table {ROWS:,} rows": ("plan", lambda tmp: b.write_tsv(tmp / "两万行.txt", b.table_rows(ROWS))),
    "plan xls 10,000 task rows": ("plan", lambda tmp: b.write_xls(tmp / "一万行.xls", b.table_rows(10_000))),
    "plan ods 10,000 task rows": ("plan", lambda tmp: b.write_ods(tmp / "一万行.ods", b.table_rows(10_000))),
    "plan txt prose 4.9 MB (about 800 pages)": ("plan", lambda tmp: _text(tmp, "长文.txt", "\n".join(_prose(4.9)))),
    f"plan txt {LINES:,} short task lines": ("plan", lambda tmp: _text(tmp, "短行.txt", SHORT * (LINES // 4))),
    "plan html prose 4.9 MB of text": ("plan", lambda tmp: b.write_html(tmp / "长文.html", _prose(4.9))),
    "plan docx prose 4.9 MB of text": ("plan", lambda tmp: b.write_docx_prose(tmp / "长文.docx", _prose(4.9))),
    f"plan xlsx used range {limits.MAX_SHEET_ROWS:,} rows x {limits.MAX_SHEET_CELLS // limits.MAX_SHEET_ROWS} cols":
        ("plan", _widest_range),
    f"plan docx of {limits.PLAN_ZIP.xml_elements:,} XML elements": ("plan", _many_elements_docx),
    f"return docx of {limits.RETURN_ZIP.xml_elements:,} XML elements": ("return", _many_elements_return),
    "return xlsx (sheets)": ("return", lambda tmp: return_files()["xlsx"]),
    "return docx (sheets)": ("return", lambda tmp: return_files()["docx"]),
    "return ldpkg (package)": ("return", lambda tmp: return_files()["ldpkg"]),
}

REFUSED: dict[str, tuple[str, Build]] = {
    "xlsx cell at XFD1048576": ("plan", _xlsx_edit("XFD.xlsx", b.far_cell_xml("XFD1048576"))),
    "xlsx cell at Z1000000": ("plan", _xlsx_edit("Z1000000.xlsx", b.far_cell_xml("Z1000000"))),
    "xlsx dimension lies (A1:F4, cell at A300000)": ("plan", _xlsx_edit("谎报区域.xlsx", b.far_cell_xml(
        "A300000", dimension="A1:F4"))),
    "xlsx inflating to 150 MiB": ("plan", _inflating_xlsx),
    "xlsx 100,000 task rows (shared strings, as Excel writes)": ("plan", lambda tmp: b.write_xlsx_shared(
        tmp / "十万行.xlsx", b.table_rows(100_000))),
    "xlsx 100,000 task rows (openpyxl, inline strings)": ("plan", lambda tmp: _big_xlsx(tmp, 100_000, "十万行内联.xlsx")),
    "csv 100,000 task rows": ("plan", lambda tmp: _csv(tmp / "十万行.csv", b.table_rows(100_000))),
    "docx declaring 4 KB, inflating to 2 GiB": ("plan", _lying_docx),
    "zip of 50,000 members": ("plan", _many_members),
    "ods 999,999 repeated rows of 100 cells": ("plan", lambda tmp: b.write_ods(tmp / "重复行.ods", b.table_rows(3), extra_rows=(
        '<table:table-row table:number-rows-repeated="999999">' + b.ods_cell("x", 100) + "</table:table-row>"))),
    "xls cell at row 65000, column 250": ("plan", lambda tmp: b.write_xls(tmp / "远处.xls", b.table_rows(3),
                                                                        extra_cells=[(65000, 250, "x")])),
    "xls DIMENSIONS of 1e9 rows": ("plan", lambda tmp: b.write_xls(tmp / "声明区域.xls", b.table_rows(3),
                                                                 dimensions=(0, 1_000_000_000, 0, 200))),
    "xls looping directory chain": ("plan", lambda tmp: b.write_xls(tmp / "循环.xls", b.table_rows(3),
                                                                  directory_loop=True)),
    "xls that makes calamine panic": ("plan", lambda tmp: b.write_xls(tmp / "恐慌.xls", b.table_rows(3),
                                                                    sheet_shift=100_000)),
    "txt of 50 MB": ("plan", lambda tmp: _text(tmp, "五十兆.txt", "一、工作要点\n" * 2_800_000)),
    "txt of 4 MB short lines": ("plan", lambda tmp: _text(tmp, "四兆短行.txt", SHORT * 50_000)),
    "return docx with gridSpan 1e9": ("return", _return_span),
    "ldpkg inflating to 1 GiB": ("return", _liaison_bomb),
    "ldpkg with JSON nested 4,000,000 deep": ("return", _deep_liaison),
}


def measure(name: str, kind: str, build: Build, tmp: Path) -> dict:
    folder = tmp / f"case{abs(hash(name))}"
    folder.mkdir()
    path = build(folder)
    outcome = read_isolated(kind, path, timeout=300)
    return {"input": name, "reader": kind, "file_bytes": path.stat().st_size, "outcome": outcome.outcome,
            "seconds": outcome.seconds, "peak_rss_mb": outcome.peak_mb,
            **({"tasks": outcome.detail["tasks"]} if outcome.detail and "tasks" in outcome.detail else {}),
            "message": outcome.message[:200]}


def idle_child(tmp: Path) -> dict:
    """The floor: a child that imports everything and reads a three-task .txt."""
    path = b.write_tsv(tmp / "三行.txt", b.table_rows(3))
    outcome = read_isolated("plan", path)
    return {"seconds": outcome.seconds, "peak_rss_mb": outcome.peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="run only inputs whose name contains one of these words")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-limits-") as work:
        tmp = Path(work)
        report = {"limits": {k: v for k, v in vars(limits).items() if k.isupper() and isinstance(v, int)},
                  "zip_limits": {"plan": vars(limits.PLAN_ZIP), "return": vars(limits.RETURN_ZIP)},
                  "idle_child": idle_child(tmp), "accepted": [], "refused": []}
        for group, cases in (("accepted", ACCEPTED), ("refused", REFUSED)):
            for name, (kind, build) in cases.items():
                if args.only and not any(word in name for word in args.only):
                    continue
                report[group].append(measure(name, kind, build, tmp))
                print(f"{group:8} {report[group][-1]['outcome']:8} {report[group][-1]['seconds']:7.2f} s "
                      f"{report[group][-1]['peak_rss_mb']:5} MB  {name}", file=sys.stderr)
    text = json.dumps(report, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
