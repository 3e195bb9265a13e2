"""Saved web pages: seeds 002/003/004 wrapped in page chrome give the same ledger as the .txt."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from app.core.plan import parse_prose_plan
from app.errors import InputError
from app.formats.plan.html_in import html_lines, read_html
from tests.conftest import SEED_FILES
from tests.golden_files import assert_matches_golden

MENU = """<div class="top"><ul><li><a href="/">首页</a></li><li><a href="/xxgk">政府信息公开</a></li>
<li><a href="/news">新闻中心</a></li><li><a href="/bs">网上办事</a></li></ul></div>
<nav><a href="/a">互动交流</a> <a href="/b">走进县域</a></nav>"""
FOOTER = """<div class="bottom"><p>扫一扫在手机打开当前页</p><p>联系电话：0954-5025777</p>
<ul><li><a href="http://a">中卫市网站</a></li><li><a href="http://b">自治区网站</a></li></ul>
<p>版权所有：某县人民政府办公室　宁ICP备05001234号</p></div>
<footer>主办单位：某县人民政府</footer>"""


def seed_page(key: str, *, charset: str | None, encoding: str) -> bytes:
    lines = SEED_FILES[key].read_text(encoding="utf-8").split("\n")
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" if line.strip() else "<p>&nbsp;</p>" for line in lines)
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    page = (
        f"<!DOCTYPE html><html><head>{meta}<title>政务公开</title><style>p {{ margin: 0 }}</style>"
        f"<script>var menu = '首页 新闻';</script></head><body>{MENU}"
        f'<div class="article"><div class="content">{paragraphs}</div></div>{FOOTER}'
        "<script>document.write('扫一扫')</script></body></html>"
    )
    return page.encode(encoding)


VARIANTS = [
    ("002", None, "gb18030"),  # GBK without any declaration: detected
    ("003", "utf-8", "utf-8"),
    ("004", "gb2312", "gb18030"),  # declared gb2312, characters beyond it
]


@pytest.mark.parametrize(("key", "charset", "encoding"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_seed_page_gives_golden_result(tmp_path: Path, key, charset, encoding):
    page = tmp_path / f"{key}.html"
    page.write_bytes(seed_page(key, charset=charset, encoding=encoding))
    lines = read_html(page)
    assert not any("首页" in line or "ICP" in line or "主办单位" in line for line in lines)
    doc = parse_prose_plan(lines, source_name=page.name)
    assert_matches_golden(doc, key)
    assert not any("扫一扫" in str(w) or "联系电话" in str(w) for w in doc.warnings)


def test_block_elements_make_lines_and_inline_elements_do_not():
    markup = """<html><body><div><h1>某县2024年政务公开<span>工作要点</span></h1>
    <p>一、加强
    决策公开</p><p>1.第一项<br>第二行</p><table><tr><th>序号</th><th>内容</th></tr>
    <tr><td>1</td><td>做好<b>公开</b></td></tr></table></div></body></html>"""
    assert html_lines(markup) == ["某县2024年政务公开工作要点", "一、加强决策公开", "1.第一项", "第二行", "序号\t内容", "1\t做好公开"]


def test_hidden_and_furniture_elements_are_dropped():
    markup = """<html><body><div id="breadcrumb">首页 > 意见征集</div>
    <div style="display:none">隐藏文字</div><div class="share-box">分享到微信</div>
    <!-- 注释 --><p>正文</p></body></html>"""
    assert html_lines(markup) == ["正文"]


def test_a_list_with_text_is_kept():
    markup = "<html><body><ul><li>第一条要求</li><li><a href='#'>链接</a>说明</li></ul></body></html>"
    assert html_lines(markup) == ["第一条要求", "链接说明"]


def test_bom_and_utf16(tmp_path: Path):
    page = tmp_path / "p.htm"
    page.write_bytes("<html><body><p>一、标题</p></body></html>".encode("utf-16"))
    assert read_html(page) == ["一、标题"]


@pytest.mark.parametrize("content", [b"", b"   \n"])
def test_empty_page_is_an_input_error(tmp_path: Path, content):
    page = tmp_path / "empty.html"
    page.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_html(page)
    assert "empty.html" in str(err.value)


def test_missing_file_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError):
        read_html(tmp_path / "nope.html")


def test_tables_come_as_grids_with_rowspan_and_colspan_resolved():
    from app.formats.plan.html_in import html_content

    markup = """<html><body><p>某县任务表</p><table>
    <tr><th rowspan="2">序号</th><th colspan="2">责任单位</th></tr><tr><th>牵头</th><th>配合</th></tr>
    <tr><td>1</td><td rowspan="2"><p>县财政局</p><p>县审计局</p></td><td>各部门</td></tr>
    <tr><td>2</td><td>各乡镇</td></tr></table><p>说明：按月报送。</p>
    <table><tr><td><table><tr><td>嵌套</td></tr></table></td></tr></table></body></html>"""
    content, lines = html_content(markup)
    assert content.blocks[0] == "某县任务表"
    grid = content.blocks[1]
    assert [list(r) for r in grid] == [["序号", "责任单位", ""], ["", "牵头", "配合"],
                                       ["1", "县财政局\n县审计局", "各部门"], ["2", "", "各乡镇"]]
    assert grid.carried_from(1, 0) == 0 and grid.spread_from(0, 2) == 1 and grid.carried_from(3, 1) == 2
    assert content.blocks[2] == "说明：按月报送。"
    assert [list(r) for r in content.blocks[3]] == [["嵌套"]]  # the layout table around it is no data table
    assert "序号\t责任单位" in lines  # the plain line view is unchanged


def test_a_colspan_bomb_is_bounded():
    from app.formats.plan.html_in import MAX_HTML_SPAN, html_content

    content, _ = html_content("<table><tr><td colspan='99999' rowspan='99999'>x</td></tr></table>")
    assert [len(r) for r in content.blocks[0]] == [MAX_HTML_SPAN]


# --- a web system's "Excel" export that is an HTML page (issue 11) ---------------------------------

_EXPORT_PAGE = """<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head><body>
<table border="1"><tr><td colspan="5">东坪镇2026年政务公开任务清单</td></tr>
<tr><td>序号</td><td>工作任务</td><td>责任单位</td><td>配合单位</td><td>完成时限</td></tr>
<tr><td>1</td><td>公开镇级财政预决算。</td><td>镇财政所</td><td>各村委会</td><td>2026年6月30日</td></tr>
<tr><td>2</td><td>更新便民服务指南。</td><td>镇便民服务中心</td><td></td><td>每季度</td></tr>
</table></body></html>"""


@pytest.mark.parametrize("suffix", [".xls", ".xlsx"])
def test_an_excel_export_that_is_html_is_read_as_a_web_page(tmp_path, suffix):
    from app.formats.plan.read import read_plan

    path = tmp_path / f"导出{suffix}"
    path.write_text(_EXPORT_PAGE, encoding="utf-8")
    doc = read_plan(path)
    assert [t.content for t in doc.tasks] == ["公开镇级财政预决算。", "更新便民服务指南。"]
    assert doc.tasks[0].lead_units == ["镇财政所"] and doc.tasks[0].coop_units == ["各村委会"]


@pytest.mark.parametrize("head", [b"", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])  # no magic / a broken OLE file
def test_a_spreadsheet_of_garbage_bytes_is_refused_in_one_chinese_line(tmp_path, head):
    from app.formats.plan.read import read_plan

    path = tmp_path / "台账.xls"
    path.write_bytes(head + b"\x00\x13garbage-not-a-workbook" * 20)
    with pytest.raises(InputError) as info:
        read_plan(path)
    message = str(info.value)
    assert "Cfb" not in message and "OLE" not in message and "\n" not in message
    assert "不是 Excel" in message or "已损坏" in message


def _mht(page: str) -> str:
    import quopri

    body = quopri.encodestring(page.encode("utf-8")).decode("ascii")
    return ("MIME-Version: 1.0\nContent-Type: multipart/related; boundary=\"b1\"\n\n--b1\n"
            "Content-Type: text/html; charset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n\n"
            f"{body}\n--b1--\n")


@pytest.mark.parametrize("suffix", [".mht", ".xls"])
def test_an_mht_web_archive_is_read_as_its_page(tmp_path, suffix):
    from app.formats.plan.read import read_plan

    path = tmp_path / f"导出{suffix}"
    path.write_text(_mht(_EXPORT_PAGE), encoding="ascii")
    doc = read_plan(path)
    assert [t.content for t in doc.tasks] == ["公开镇级财政预决算。", "更新便民服务指南。"]
    assert doc.tasks[1].deadline.kind == "recurring"
