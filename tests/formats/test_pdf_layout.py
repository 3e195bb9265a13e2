"""Glyphs back into lines, paragraphs and cell texts (app/formats/plan/pdf_layout.py), on made-up geometry.

Coordinates are PDF points, y downwards; a body line of 16-point type from x=80 to x=520,
one line every 28 points, as a 公文 page sets it.
"""

from __future__ import annotations

from app.formats.plan import pdf_layout as layout
from app.formats.plan.pdf_layout import Frame, Glyph, Line

SIZE = 16.0
LEFT, RIGHT, PITCH = 80.0, 520.0, 28.0
FRAME = Frame(left=LEFT, right=RIGHT, pitch=PITCH, height=842.0, bottom=760.0)


def line(text: str, row: int, *, x0: float = LEFT, x1: float | None = None, size: float = SIZE) -> Line:
    width = sum(0.5 if c.isascii() else 1.0 for c in text) * size
    return Line(text=text, x0=x0, x1=x0 + width if x1 is None else x1, top=100 + row * PITCH,
                bottom=100 + row * PITCH + size, size=size)


def paragraphs(lines: list[Line]) -> list[str]:
    state = layout.Paragraphs()
    for item in lines:
        layout.add_line(state, item, FRAME, same_page=True)
    layout.close(state)
    return state.done


def glyphs(text: str, x: float, top: float, size: float = SIZE) -> list[Glyph]:
    out, at = [], x
    for c in text:
        width = size * (0.5 if c.isascii() else 1.0)
        out.append(Glyph(c, at, at + width, top, top + size, size))
        at += width
    return out


def test_glyphs_on_one_baseline_are_one_line_in_x_order_and_fake_bold_is_dropped():
    row = glyphs("政务公开", 80, 100)
    doubled = [Glyph(g.text, g.x0 + 0.4, g.x1 + 0.4, g.top, g.bottom, g.size) for g in row]  # drawn twice
    below = glyphs("工作要点", 80, 128)
    lines = layout.lines_of(list(reversed(row)) + doubled + below)
    assert [(ln.text, ln.x0) for ln in lines] == [("政务公开", 80), ("工作要点", 80)]
    narrow = [Glyph("a", 80, 86.7, 100, 112, 12), Glyph("l", 86.7, 89.3, 100, 112, 12), Glyph("l", 89.3, 92, 100, 112, 12)]
    assert layout.lines_of(narrow)[0].text == "all"  # two narrow letters side by side are no fake bold


def test_a_wide_gap_is_a_space_but_justified_chinese_is_not_spaced():
    spread = [Glyph(c, 80 + i * 19, 99 + i * 19, 100, 116, SIZE) for i, c in enumerate("全面推进")]  # 3 pt apart
    assert layout.lines_of(spread)[0].text == "全面推进"
    apart = glyphs("联系人：", 80, 100) + glyphs("张三", 80 + 4 * SIZE + 3 * SIZE, 100)
    assert layout.lines_of(apart)[0].text == "联系人： 张三"
    words = glyphs("LedgerDesk", 80, 100) + glyphs("PDF", 80 + 5.5 * SIZE, 100)
    assert layout.lines_of(words)[0].text == "LedgerDesk PDF"


def test_wrapped_lines_join_without_a_space_and_indents_start_paragraphs():
    full = RIGHT - LEFT
    lines = [
        line("　" * 0 + "一、深化重点领域信息公开", 0, x0=LEFT + 2 * SIZE),
        line("围绕高质量发展推进信息公开，及时公开重大项目、重大平台、", 1, x0=LEFT + 2 * SIZE, x1=RIGHT),
        line("重要举措等信息。", 2),
        line("做好项目落地、重大政策创新等集中推介，释放政策信号，提振", 3, x0=LEFT + 2 * SIZE, x1=RIGHT),
        line("市场信心，推动经济运行整体好转。", 4, x1=LEFT + full - 3 * SIZE),
    ]
    assert paragraphs(lines) == [
        "一、深化重点领域信息公开",
        "围绕高质量发展推进信息公开，及时公开重大项目、重大平台、重要举措等信息。",
        "做好项目落地、重大政策创新等集中推介，释放政策信号，提振市场信心，推动经济运行整体好转。",
    ]


def test_an_outline_number_after_a_full_stop_starts_a_paragraph_even_without_indent():
    lines = [line("及时公开政府常务会议决定事项，做好解读工作，回应社会关切。", 0, x1=RIGHT),
             line("（二）加强政策解读。", 1)]
    assert paragraphs(lines) == ["及时公开政府常务会议决定事项，做好解读工作，回应社会关切。", "（二）加强政策解读。"]
    # a number that a wrap put at the start of a line, mid-sentence, is no heading
    wrapped = [line("推动政府信息公开工作向基层延伸，全年第", 0, x1=RIGHT), line("3、4季度完成目录编制。", 1)]
    assert paragraphs(wrapped) == ["推动政府信息公开工作向基层延伸，全年第3、4季度完成目录编制。"]


def test_a_line_short_only_by_what_could_not_be_split_still_wraps():
    # "2023年" did not fit: the line above ends three half-width digits short of the margin
    lines = [line("各乡镇、各部门（单位）要在", 0, x1=RIGHT - 2.2 * SIZE), line("2023年12月底前完成自查。", 1)]
    assert paragraphs(lines) == ["各乡镇、各部门（单位）要在2023年12月底前完成自查。"]
    # a character with the closing marks it keeps with it ("道），") was pulled down
    lines = [line("县级各部门，各乡镇（街", 0, x1=RIGHT - 2.6 * SIZE), line("道），经开区", 1)]
    assert paragraphs(lines) == ["县级各部门，各乡镇（街道），经开区"]
    # but a gap wider than the next piece ends the paragraph
    lines = [line("县级各部门", 0, x1=RIGHT - 6 * SIZE), line("经开区管委会", 1)]
    assert paragraphs(lines) == ["县级各部门", "经开区管委会"]


def test_a_paragraph_indented_as_a_whole_keeps_its_wrapped_lines():
    """Word's left indent (the annotation line under a task), lines set closer than the paragraph spacing."""
    frame = Frame(left=LEFT, right=RIGHT, pitch=PITCH, height=842.0, bottom=760.0)
    indent = LEFT + 3 * SIZE
    first = Line("责任单位：县财政局　配合单位：县审计局　完成时限：2025年8月底", indent, RIGHT, 100, 116, SIZE)
    wrapped = Line("前", indent, indent + SIZE, 118, 134, SIZE)  # 18 points below, paragraphs are 28 apart
    state = layout.Paragraphs()
    for item in (first, wrapped):
        layout.add_line(state, item, frame, same_page=True)
    layout.close(state)
    assert state.done == ["责任单位：县财政局　配合单位：县审计局　完成时限：2025年8月底前"]
    # the same two lines a full pitch apart are two indented paragraphs (a 公文 one-line paragraph)
    state = layout.Paragraphs()
    for item in (first, Line("做好解读。", indent, indent + 5 * SIZE, 128, 144, SIZE)):
        layout.add_line(state, item, frame, same_page=True)
    layout.close(state)
    assert len(state.done) == 2


def test_centred_title_lines_stand_alone_and_type_size_changes_break():
    title = line("某县2024年政务公开工作要点", 0, x0=200, x1=400, size=22)
    body = line("2024年全县政务公开工作的总体要求是：", 1, x0=LEFT + 2 * SIZE, x1=RIGHT)
    more = line("以习近平新时代中国特色社会主义思想为指导。", 2)
    assert paragraphs([title, body, more]) == ["某县2024年政务公开工作要点",
                                               "2024年全县政务公开工作的总体要求是：以习近平新时代中国特色社会主义思想为指导。"]


def test_latin_words_split_by_a_wrap_keep_their_space():
    assert layout.join("详见 www.gov", ".cn") == "详见 www.gov.cn"  # no letters on both sides
    assert layout.join("the plan", "office") == "the plan office"
    assert layout.join("政务", "公开") == "政务公开"


def test_cell_text_joins_wraps_and_keeps_items_apart():
    right = 300.0
    lines = [Line("2023年年底", 200, 252, 100, 110, 10.5), Line("2023年8月底", 200, 262, 112, 122, 10.5)]
    assert layout.cell_text(lines, right) == "2023年年底\n2023年8月底"  # "2023" would have fitted above
    lines[0].x1 = 280
    assert layout.cell_text(lines, right) == "2023年年底2023年8月底"  # it would not: the line wrapped
    wrapped = [Line("县发展改革局、教育体", 200, 299, 100, 110, 10.5), Line("育局", 200, 221, 112, 122, 10.5)]
    assert layout.cell_text(wrapped, right) == "县发展改革局、教育体育局"


def test_page_numbers_and_running_heads_are_furniture():
    for text in ("— 3 —", "- 12 -", "7", "第 3 页 共 9 页", "第3页", "3/9", "Page 2 of 5", "·4·"):
        assert layout.is_page_number(text), text
    for text in ("2023年", "一、总体要求", "3．加强政策解读"):
        assert not layout.is_page_number(text), text
    pages = []
    for n in range(4):
        lines = [Line("某县人民政府办公室文件", 200, 400, 30, 42, 12),
                 Line("正文第一行", 80, 200, 100, 116, 16),
                 Line("正文末一行", 80, 200, 700, 716, 16),
                 Line(f"— {n + 1} —", 280, 320, 800, 812, 12)]
        pages.append((lines, 842.0))
    found = layout.furniture(pages)
    assert found == {(n, i) for n in range(4) for i in (0, 3)}
    # a heading that happens to stand at the top of one page only is no running head
    single = [([Line("附件", 80, 112, 40, 56, 16), Line("正文", 80, 112, 100, 116, 16)], 842.0),
              ([Line("正文", 80, 112, 100, 116, 16)], 842.0)]
    assert layout.furniture(single) == set()


def test_frame_of_finds_margins_and_pitch():
    lines = [line("正文" * 13, r, x1=RIGHT) for r in range(8)] + [line("短行。", 8)]
    frame = layout.frame_of(lines, 595, 842)
    assert (frame.left, frame.right, frame.pitch) == (LEFT, RIGHT, PITCH)
