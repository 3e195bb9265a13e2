"""read_plan end to end on small real files: which Word tables belong to the task table,
impossible deadlines, and text damage the repairs could not undo."""

from __future__ import annotations

import docx

from app.formats.plan import read_plan

HEADER = ["序号", "重点工作", "主要内容", "责任单位", "配合单位", "完成时限"]


def _add_table(document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def test_word_joins_only_tables_that_continue_the_task_table(tmp_path):
    document = docx.Document()
    document.add_paragraph("某县2024年政务公开工作要点任务台账")
    _add_table(document, [HEADER, ["1", "公开预算", "公开部门预算。", "县财政局", "", "2024年6月底"],
                          ["2", "公开决算", "公开部门决算。", "县财政局", "", "2024年9月底"]])
    document.add_paragraph("")  # Word split the table at a page break: blank paragraph only
    _add_table(document, [["3", "公开采购", "公开采购信息。", "县财政局", "", "2024年10月底"]])
    document.add_paragraph("（续表）")  # text between, but the header row is repeated
    _add_table(document, [HEADER, ["4", "公开审计", "公开审计结果。", "县审计局", "", "2024年12月底"]])
    document.add_paragraph("附：各单位联络员名单")
    _add_table(document, [["张三", "县财政局", "联络员", "0954-1234567", "13800000000", "2024年1月"],
                          ["李四", "县审计局", "联络员", "0954-7654321", "13900000000", "2024年1月"]])
    path = tmp_path / "台账.docx"
    document.save(path)

    doc = read_plan(path)

    assert [(t.seq, t.content) for t in doc.tasks] == [
        ("1", "公开部门预算。"), ("2", "公开部门决算。"), ("3", "公开采购信息。"), ("4", "公开审计结果。")]
    assert doc.tasks[3].lead_units == ["县审计局"]
    everything = repr(doc)
    assert "张三" not in everything and "联络员" not in everything
    assert doc.warnings == []


def test_impossible_deadline_in_a_table_is_kept_and_warned(tmp_path):
    path = tmp_path / "台账.txt"
    path.write_text("\n".join("\t".join(r) for r in [
        ["某县2024年政务公开工作要点任务台账"], HEADER,
        ["1", "公开预算", "公开部门预算。", "县财政局", "", "2024年2月30日"],
        ["2", "公开决算", "公开部门决算。", "县财政局", "", "2024年2月29日"],
    ]), encoding="utf-8")

    doc = read_plan(path)

    bad, good = doc.tasks
    assert bad.deadline.text == "2024年2月30日" and bad.deadline.date is None
    assert good.deadline.date is not None and good.deadline.date.isoformat() == "2024-02-29"
    messages = [str(w) for w in doc.warnings]
    assert any("第3行" in m and "完成时限“2024年2月30日”不是有效日期" in m for m in messages), messages
    assert len(messages) == 1


def test_impossible_deadline_in_a_prose_plan_is_warned(tmp_path):
    path = tmp_path / "要点.txt"
    path.write_text("某县2024年政务公开工作要点\n一、深化公开\n（一）公开预算\n1.公开部门预算。\n(牵头部门:县财政局,责任部门:各部门;完成时限:2024年6月31日前)\n2.公开部门决算。\n(牵头部门:县财政局,责任部门:各部门;完成时限:2024年6月30日前)", encoding="utf-8")

    doc = read_plan(path)

    assert next(t.deadline.date for t in doc.tasks) is None
    assert doc.tasks[1].deadline.date.isoformat() == "2024-06-30"
    messages = [str(w) for w in doc.warnings]
    assert any("第4行" in m and "完成时限“2024年6月31日”不是有效日期" in m for m in messages), messages
    assert len(messages) == 1


def test_seed_003_damage_left_after_repair_is_warned_with_its_line(seed_path):
    doc = read_plan(seed_path("003"))

    by_seq = {t.seq: t for t in doc.tasks}
    assert "确?;貜质量。" in by_seq["20"].content  # the glued "(fù)" after "?" is gone
    assert "fù" not in by_seq["20"].content
    assert "兑现?!罢吖_讲”" in by_seq["14"].content  # kept as found, not guessed at
    damage = [str(w) for w in doc.warnings if "编码损坏" in w.message]
    assert damage == [
        "第43行：文字可能有编码损坏（“…兑现?!罢吖_讲…”），请核对原文",
        "第59行：文字可能有编码损坏（“…,确?;貜质量。”），请核对原文",
    ]


def test_damaged_table_cell_is_warned_with_its_row(tmp_path):
    path = tmp_path / "台账.txt"
    path.write_text("\n".join("\t".join(r) for r in [
        ["某县2024年政务公开工作要点任务台账"], HEADER,
        ["1", "公开预算", "公开部门预算,確?(bǎo)质量。", "县财政局", "", "2024年6月底"],
        ["2", "公开决算", "公开部门决算,兑现?!罢吖_讲。", "县财政局", "", "2024年9月底"],
        ["3", "公开采购", "公开采购信息\ufffd。", "县财政局", "", "2024年10月底"],
    ]), encoding="utf-8")

    doc = read_plan(path)

    assert doc.tasks[0].content == "公开部门预算,确质量。"  # glued pinyin after "?" removed, lone "?" too
    assert [str(w) for w in doc.warnings] == [
        "第4行：文字可能有编码损坏（“…兑现?!罢吖_讲…”），请核对原文",
        "第5行：文字可能有编码损坏（“…信息\ufffd。”），请核对原文",
    ]
