"""The small ledger the window tests drive."""

from __future__ import annotations


def sample_document():
    """Three tasks in two sections, three units and a group task ("各部门（单位）" cooperates on task 3),
    two rounds; as of 2023-10-01 task 2 is overdue, task 3 long-term."""
    from datetime import date

    from app.core.records import Deadline, Heading, LedgerDocument, Round, Task, Unit, new_id

    doc = LedgerDocument(title="测试县2023年政务公开工作要点任务落实台账", year=2023)
    one = Heading(new_id(), "一、", "深化重点领域信息公开")
    two = Heading(new_id(), "二、", "完善政策解读")
    doc.headings = [one, two]
    doc.units = [Unit("县民政局"), Unit("县司法局"), Unit("县人民政府办公室"), Unit("各部门（单位）", "group")]
    doc.rounds = [Round("第一次报送", date(2023, 9, 10)), Round("第二次报送", date(2023, 12, 1))]
    doc.tasks = [
        Task(new_id(), "1", one.id, "围绕民生", "加密社会救助政策推送。", metric="查看网站信息发布情况",
             lead_units=["县民政局"], coop_units=["县人民政府办公室"],
             deadline=Deadline("2023年10月10日", date(2023, 10, 10), "date")),
        Task(new_id(), "2", one.id, "围绕法治", "推动法治政府建设。", lead_units=["县司法局"],
             deadline=Deadline("2023年6月底", date(2023, 6, 30), "date")),
        Task(new_id(), "3", two.id, "解读", "提升解读质量。", lead_units=["县人民政府办公室"],
             coop_units=["各部门（单位）"], deadline=Deadline("长期坚持", None, "long_term")),
    ]
    return doc
