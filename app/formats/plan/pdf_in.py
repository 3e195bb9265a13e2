"""PDF plans (text PDFs with paragraphs and ruled tables) as a Word-like body. Not yet written."""

from __future__ import annotations

from pathlib import Path

from app.errors import InputError
from app.formats.plan.docx_in import DocxContent


def read_pdf(path: Path) -> DocxContent:
    """The PDF's paragraphs and tables in reading order; InputError naming the file when unreadable."""
    raise InputError(path, "暂不支持 PDF 格式（.pdf），请先另存为 .docx")
