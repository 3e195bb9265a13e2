"""Old Word and WPS plans (.doc .wps .odt .rtf) read through a converter to .docx. Not yet written."""

from __future__ import annotations

from pathlib import Path

from app.errors import InputError
from app.formats.plan.docx_in import DocxContent


def read_converted_word(path: Path) -> DocxContent:
    """The document's body after conversion to .docx; InputError naming the file when no converter works."""
    raise InputError(path, f"不支持 {path.suffix} 格式，请先另存为 .docx")
