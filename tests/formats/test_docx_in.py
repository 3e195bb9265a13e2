"""Word documents: automatic list numbering rendered into the text, merged table cells."""

from __future__ import annotations

import zipfile

import docx
import pytest

from app.core.plan.outline import to_chinese_number as chinese_number
from app.errors import InputError
from app.formats.plan.docx_in import format_number, read_docx
from tests.formats.docx_builders import (
    add_num,
    add_numbering,
    set_numbering,
    style_with_numbering,
    table_docx,
)


def test_chinese_and_other_number_formats():
    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 99, 100, 105, 110)] == [
        "一", "十", "十一", "二十", "二十一", "九十九", "一百", "一百零五", "一百一十"]
    assert format_number(3, "decimalEnclosedCircle") == "③"
    assert format_number(2, "ideographTraditional") == "乙"
    assert format_number(4, "upperRoman") == "IV"
    assert format_number(12, "decimalFullWidth") == "１２"


def test_auto_numbered_paragraphs_rendered_with_counters_and_restarts(tmp_path):
    document = docx.Document()
    num = add_numbering(document)
    outline = [(0, "总体要求"), (1, "公开预算"), (2, "做好A"), (2, "做好B"), (1, "公开决算"), (2, "做好C"),
               (0, "保障措施"), (1, "加强领导"), (4, "圈一"), (4, "圈二")]
    for level, text in outline:
        set_numbering(document.add_paragraph(text), num, level)
    document.add_paragraph("正文没有编号。")
    path = tmp_path / "n.docx"
    document.save(path)
    assert read_docx(path).paragraphs == [
        "一、总体要求", "（一）公开预算", "1.做好A", "2.做好B", "（二）公开决算", "1.做好C",
        "二、保障措施", "（一）加强领导", "①圈一", "②圈二", "正文没有编号。"]


def test_numbering_inherited_from_heading_style_and_start_override(tmp_path):
    document = docx.Document()
    num = add_numbering(document, abstract_id=91, num_id=91, start_overrides={0: 3})
    style_with_numbering(document, "Heading 1", num, 0)
    document.add_heading("深化公开", 1)
    document.add_heading("强化保障", 1)
    path = tmp_path / "s.docx"
    document.save(path)
    assert read_docx(path).paragraphs == ["三、深化公开", "四、强化保障"]


def test_numbering_continues_across_nums_of_one_abstract_list(tmp_path):
    """Two w:num entries sharing abstractNum 90 are one list: 一、二、三, not 一、二、一."""
    document = docx.Document()
    first = add_numbering(document, abstract_id=90, num_id=90)
    second = add_num(document, 90, 91)
    for num, text in ((first, "第一节"), (second, "第二节"), (first, "第三节")):
        set_numbering(document.add_paragraph(text), num, 0)
    path = tmp_path / "shared.docx"
    document.save(path)
    assert read_docx(path).paragraphs == ["一、第一节", "二、第二节", "三、第三节"]


def test_start_override_restarts_only_where_its_num_is_first_used(tmp_path):
    document = docx.Document()
    first = add_numbering(document, abstract_id=90, num_id=90)
    restart = add_num(document, 90, 92, start_overrides={0: 1})
    outline = [(first, 0, "甲"), (first, 0, "乙"), (restart, 0, "丙"), (restart, 1, "丙一"),
               (restart, 0, "丁"), (first, 0, "戊")]
    for num, level, text in outline:
        set_numbering(document.add_paragraph(text), num, level)
    path = tmp_path / "restart.docx"
    document.save(path)
    assert read_docx(path).paragraphs == ["一、甲", "二、乙", "一、丙", "（一）丙一", "二、丁", "三、戊"]


def test_blocks_keep_body_order_and_merged_cells_appear_once(tmp_path):
    rows = [["序号", "重点工作", "主要内容"], ["<b>一、总</b>", "", ""], ["1", "甲", "内容1"], ["2", "", "内容2"]]
    path = tmp_path / "t.docx"
    table_docx(path, ["标题行"], rows)
    content = read_docx(path)
    assert content.blocks[0] == "标题行"
    assert content.tables == [[["序号", "重点工作", "主要内容"], ["<b>一、总</b>", "", ""],
                               ["1", "甲", "内容1"], ["2", "", "内容2"]]]


def test_cell_paragraphs_joined_by_newline(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "第一段"
    table.cell(0, 0).add_paragraph("第二段")
    path = tmp_path / "c.docx"
    document.save(path)
    assert read_docx(path).tables[0][0][0] == "第一段\n第二段"


@pytest.mark.parametrize("kind", ["png", "zip", "empty"])
def test_not_a_word_document_is_refused(tmp_path, kind):
    path = tmp_path / "假文档.docx"
    if kind == "png":
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    elif kind == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hi")
    else:
        path.write_bytes(b"")
    with pytest.raises(InputError) as info:
        read_docx(path)
    assert str(info.value).startswith("假文档.docx：不是有效的 Word 文档")


def test_merged_cells_are_recorded_as_covered_positions(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "一、标题"  # gridSpan over the row
    table.cell(1, 1).text = "合并"
    table.cell(1, 1).merge(table.cell(2, 1))  # vMerge over two rows
    table.cell(1, 0).text, table.cell(2, 0).text = "1", "2"
    path = tmp_path / "m.docx"
    document.save(path)
    grid = read_docx(path).tables[0]
    assert [list(r) for r in grid] == [["一、标题", "", ""], ["1", "合并", ""], ["2", "", ""]]
    assert grid.spans_known
    assert grid.spread_from(0, 1) == 0 and grid.spread_from(0, 2) == 0
    assert grid.carried_from(2, 1) == 1
    assert grid.carried_from(2, 0) is None and grid.carried_from(2, 2) is None
