"""Prose plans as Word files: read_docx + parse_prose_plan gives the golden result.

Covers the plain form (numbers typed in the text) for 002/003/004 and the forms where
Word's automatic list numbering produces "一、"/"（一）" (and "1．") instead.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from app.core.plan import parse_prose_plan
from app.formats.plan.docx_in import read_docx
from tests.conftest import SEED_FILES
from tests.formats.docx_factory import (
    HALFWIDTH_LEVELS,
    prose_docx,
    prose_docx_auto_numbered,
)
from tests.golden_files import assert_matches_golden


def seed_lines(key: str) -> list[str]:
    return SEED_FILES[key].read_text(encoding="utf-8").split("\n")


def parse_docx(path: Path):
    return parse_prose_plan(read_docx(path).paragraphs, source_name=path.name)


@pytest.mark.parametrize("key", ["002", "003", "004"])
def test_plain_docx_gives_golden_result(tmp_path: Path, key):
    path = prose_docx(tmp_path / f"{key}.docx", seed_lines(key))
    assert_matches_golden(parse_docx(path), key)


def test_auto_numbered_headings_004(tmp_path: Path):
    path = prose_docx_auto_numbered(tmp_path / "004_auto.docx", seed_lines("004"))
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    # the numbers really are gone from the text: Word draws them
    assert "深入推进“五公开”，促进行政依法依规" in texts
    assert not any(t.lstrip("　 ").startswith(("一、", "（一）", "八、")) for t in texts)
    assert_matches_golden(parse_docx(path), "004")


def test_auto_numbered_headings_and_items_004(tmp_path: Path):
    path = prose_docx_auto_numbered(tmp_path / "004_all.docx", seed_lines("004"), outline_levels=(1, 2, 3))
    assert_matches_golden(parse_docx(path), "004")


def test_auto_numbered_halfwidth_headings_002(tmp_path: Path):
    path = prose_docx_auto_numbered(tmp_path / "002_auto.docx", seed_lines("002"), levels=HALFWIDTH_LEVELS)
    doc = parse_docx(path)
    assert_matches_golden(doc, "002")
    assert doc.path_of(doc.tasks[0]) == ["一、围绕建设法治政府,深入推进“五公开”", "(一)加强行政决策公开"]
