"""What a spreadsheet's bytes really are: web systems export "Excel" files that are HTML pages.

A 督办 system's "导出Excel" often writes an HTML table (or an MHT web archive) and names
it .xls; calamine then fails with a library message ("Cfb error: Invalid OLE…") the clerk
cannot act on. `sheet_bytes_kind` looks at the first bytes so such a file is read as the
web page it is, and anything else that is no workbook gets one Chinese line.
"""

from __future__ import annotations

import codecs
from pathlib import Path

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEAD = 4096
_HTML_MARKS = ("<html", "<!doctype html", "<table", "<?xml", "<head", "<body", "<meta", "<div", "<style")

NOT_A_WORKBOOK = ("文件扩展名是表格（{suffix}），但内容不是 Excel/WPS 表格，也不是网页："
                  "可能已损坏或扩展名被改过；请用 Excel 或 WPS 打开后另存为 .xlsx 再导入")
DAMAGED_WORKBOOK = "表格文件已损坏或不是 Excel/WPS 能打开的格式，无法读取；请用 Excel 或 WPS 打开后另存为 .xlsx 再导入"


def _text_head(head: bytes) -> str:
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(enc, "ignore")
    if len(head) > 4 and head[1:2] == b"\x00" and head[3:4] == b"\x00":
        return head.decode("utf-16-le", "ignore")  # UTF-16 without a BOM
    return head.decode("latin-1")


def sheet_bytes_kind(path: Path) -> str:
    """"workbook" (zip or OLE), "html", "mht", "empty" or "other" for a file named like a spreadsheet."""
    with Path(path).open("rb") as fh:
        head = fh.read(_HEAD)
    if not head.strip():
        return "empty"
    if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC):
        return "workbook"
    text = _text_head(head).lstrip().lower()
    if text.startswith("mime-version:") or "multipart/related" in text[:1024]:
        return "mht"
    if text.startswith("<") and any(mark in text for mark in _HTML_MARKS):
        return "html"
    return "other"
