"""Old Word and WPS plans (.doc .wps .odt .rtf) read through a converter to .docx.

No pure-Python reader of .doc/.wps is good enough on real files, so a *copy* is converted
by LibreOffice headless (app/formats/office_convert.py: it looks at the bytes, not the name,
uses a throw-away profile and kills the converter on timeout) and the result is read by
read_docx like any Word plan. What the bytes say comes first: a .doc that is really a .docx
needs no converter, one that is really a PDF is read as one; a web page saved as .doc goes
through LibreOffice's HTML import. Without LibreOffice, or when it fails, the clerk gets one
line saying to install it or save the file as .docx.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from app.errors import InputError
from app.formats.limits import reader_guard
from app.formats.office_convert import Wording, convert_for_reading, kind_label, sniff_kind
from app.formats.plan.docx_in import DocxContent, read_docx

SAVE_AS = "请用 WPS 或 Word 打开后另存为 .docx 再导入"
PLANS = Wording(
    save_as={".docx": SAVE_AS, ".xlsx": "请用 WPS 或 Excel 打开后另存为 .xlsx 再导入"},
    no_converter={".docx": "请安装 LibreOffice 后重试，或用 WPS 或 Word 打开后另存为 .docx 再导入",
                  ".xlsx": "请安装 LibreOffice 后重试，或用 WPS 或 Excel 打开后另存为 .xlsx 再导入"},
    encrypted="请取消密码后另存为 .docx 再导入",
    empty="请确认文件是否完整",
    other_content="不是 Word 文档；请确认选择的文件，或另存为 .docx 再导入",
)
TIMEOUT = 120.0  # seconds LibreOffice may take for one plan (a 200-page .doc takes about 10)


def read_converted_word(path: Path, *, timeout: float = TIMEOUT) -> DocxContent:
    """The document's body after conversion to .docx; InputError naming the file when no converter works."""
    path = Path(path)
    with reader_guard(path, f"{kind_label(path)}，无法读取；{SAVE_AS}"):
        if sniff_kind(path) == "pdf":  # a PDF saved under a Word name
            from app.formats.plan.pdf_in import read_pdf

            return read_pdf(path)
        with tempfile.TemporaryDirectory(prefix="ledgerdesk-plan-") as work:
            readable = convert_for_reading(path, Path(work), wording=PLANS, timeout=timeout)
            if readable.suffix.lower() != ".docx":  # the bytes were a workbook (an .xlsx or .xls named .doc)
                raise InputError(path, f"{kind_label(path)}，但内容实际是电子表格，不是 Word 文档；"
                                       f"请把扩展名改为 {readable.suffix} 后导入")
            return read_docx(readable)
