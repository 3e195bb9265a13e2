"""The other files liaisons send (.doc, .wps, .odt, .rtf, .et …) made readable for the merge.

The converting itself (sniffing the bytes, LibreOffice headless on a copy, timeouts,
temporary profiles) is app/formats/office_convert.py, shared with the plan reader; this
module words its refusals for a returned sheet (ask the liaison for the original, save it
as .docx/.xlsx "再合并") and says what every other file in a returns folder is
(`describe_unreadable`), so none is skipped silently. The liaison's file is evidence and is
never written to.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from app.errors import InputError
from app.formats.office_convert import (
    CONVERTIBLE,
    ENV_VAR,
    SHEET_FAMILY,
    Wording,
    find_converter,
    kind_label,
    needs_conversion,
    sniff_kind,
)
from app.formats.office_convert import convert_all as _convert_all

__all__ = ["CONVERTIBLE", "ENV_VAR", "RETURNS", "SHEET_FAMILY", "convert_all", "convert_for_reading",
           "describe_unreadable", "find_converter", "kind_label", "needs_conversion"]

_ADVICE = {".docx": "请用 WPS 或 Word 打开后另存为 .docx 再合并",
           ".xlsx": "请用 WPS 或 Excel 打开后另存为 .xlsx 再合并"}
_ASK_ORIGINAL = "请发回填好的 .xlsx 或 .docx 原表"
RETURNS = Wording(save_as=_ADVICE, no_converter=_ADVICE, encrypted="请对方取消密码后重新发送",
                  empty="可能没有传完整；请对方重新发送", other_content=f"不是报送表；{_ASK_ORIGINAL}")


def convert_for_reading(path: Path, work_dir: Path, *, timeout: float = 120) -> Path:
    """Convert (or copy) one returned file into work_dir and return the file for the reader; raises InputError."""
    result = convert_all([Path(path)], work_dir, timeout=timeout)[Path(path)]
    if isinstance(result, InputError):
        raise result
    return result


def convert_all(paths: Iterable[Path], work_dir: Path, *, timeout: float = 120) -> dict[Path, Path | InputError]:
    """office_convert.convert_all worded for a returned sheet: one soffice start per kind of conversion."""
    return _convert_all(paths, work_dir, wording=RETURNS, timeout=timeout)


# what other files in a returns folder are, for describe_unreadable
_OTHER_KINDS = [
    ({".pdf"}, "PDF 文件"),
    ({".ofd"}, "OFD 版式文件"),
    ({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".heif"},
     "图片（可能是佐证材料）"),
    ({".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".cab", ".iso"}, "压缩包"),
    ({".ppt", ".pptx", ".pptm", ".pps", ".ppsx", ".dps", ".dpt", ".odp"}, "演示文稿"),
    ({".txt", ".csv", ".tsv", ".log", ".md"}, "文本文件"),
    ({".htm", ".html", ".mht", ".mhtml", ".xml"}, "网页或 XML 文件"),
    ({".mp3", ".wav", ".amr", ".m4a", ".mp4", ".mov", ".avi", ".wmv", ".flv", ".mkv"}, "音视频文件"),
    ({".eml", ".msg"}, "邮件文件"),
    ({".lnk", ".url"}, "快捷方式"),
    ({".exe", ".msi", ".bat", ".cmd", ".com", ".scr", ".js", ".vbs", ".dll"}, "程序文件"),
]
_IGNORABLE_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
_TEMP_SUFFIXES = {".tmp", ".bak", ".wbk", ".asd", ".swp", ".crdownload", ".part"}


def describe_unreadable(path: Path) -> str:
    """One line for a file in a returns folder that is no return sheet (so it is not skipped silently)."""
    path = Path(path)
    name = path.name.lower()
    if name.startswith(("~$", ".~lock.")):
        return "Office 或 WPS 打开文档时生成的临时锁定文件，不是报送表，可忽略"
    if name in _IGNORABLE_NAMES or name.startswith("._"):
        return "系统生成的文件，不是报送表，可忽略"
    try:
        if path.stat().st_size == 0:
            return "空文件（0 字节），可能没有传完整；请对方重新发送"
    except OSError:
        return "文件无法打开（可能已被移走或无权限读取）"
    suffix = path.suffix.lower()
    if suffix in _TEMP_SUFFIXES:
        return "临时或备份文件，不是报送表，可忽略"
    if suffix in CONVERTIBLE:
        return f"{kind_label(path)}，需转换后才能读取；{_ADVICE[CONVERTIBLE[suffix]]}"
    for suffixes, what in _OTHER_KINDS:
        if suffix in suffixes:
            if what == "压缩包":
                return "压缩包，不是报送表；请解压后把其中的报送表放进本文件夹"
            if what == "快捷方式":
                return "快捷方式，不是文件本身；请把原文件复制到本文件夹"
            return f"{what}，不是报送表；{_ASK_ORIGINAL}"
    if not suffix:
        return _describe_suffixless(path)
    return f"{suffix} 文件，不是报送表；{_ASK_ORIGINAL}"


def _describe_suffixless(path: Path) -> str:
    """A file without a suffix (a mail or chat download lost it): say what it looks like inside."""
    try:
        kind = sniff_kind(path)
    except OSError:
        kind = "unknown"
    looks = {"docx": ".docx", "word97": ".doc", "rtf": ".rtf", "odt": ".odt", "xlsx": ".xlsx",
             "excel97": ".xls", "ods": ".ods"}.get(kind)
    if looks:
        return f"文件没有扩展名（看内容是 {looks} 文件）；请补上扩展名“{looks}”后再合并"
    return f"文件没有扩展名，无法识别；{_ASK_ORIGINAL}"


