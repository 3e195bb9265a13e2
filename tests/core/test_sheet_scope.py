"""Which groups stand for every department or township (group names as they appear in seeds 000–004)."""

from __future__ import annotations

import pytest

from app.core.records import LedgerDocument, Task, Unit
from app.core.sheet_scope import group_member_kind, role_of, sheet_units, unit_tasks


@pytest.mark.parametrize("name, kind", [
    ("各部门（单位）", "department"), ("县级各部门", "department"), ("县政府各部门（单位）", "department"),
    ("政府各部门", "department"), ("县政府各部门", "department"),
    ("各乡镇人民政府", "township"), ("各乡镇（街道）", "township"), ("各乡镇", "township"), ("各乡镇街道", "township"),
    ("各乡（镇）人民政府", "township"), ("各乡镇(街道)", "township"),
    ("其他有关部门（单位）", None), ("各起草单位", None), ("政府各有关部门", None), ("各决策单位", None),
    ("县政府相关部门", None), ("县民政局", None), ("兴隆镇", None),
])
def test_group_member_kind(name, kind):
    assert group_member_kind(name) == kind


def test_members_get_their_groups_tasks_and_groups_get_no_sheet_by_default():
    doc = LedgerDocument(title="t")
    doc.units = [Unit("县民政局"), Unit("兴隆镇", "township"), Unit("县档案馆"), Unit("各部门（单位）", "group"),
                 Unit("各乡镇人民政府", "group"), Unit("有关部门", "group")]
    doc.tasks = [Task("a", "1", content="x", lead_units=["县民政局"], coop_units=["各乡镇人民政府"]),
                 Task("b", "2", content="y", lead_units=["各部门（单位）"]),
                 Task("c", "3", content="z", lead_units=["有关部门"])]
    assert [(t.id, r) for t, r in unit_tasks(doc, "县民政局")] == [("a", "牵头"), ("b", "牵头（各部门（单位））")]
    assert [(t.id, r) for t, r in unit_tasks(doc, "兴隆镇")] == [("a", "配合（各乡镇人民政府）")]
    assert [t.id for t, _ in unit_tasks(doc, "县民政局", include_groups=False)] == ["a"]
    assert role_of(doc, doc.tasks[2], "县档案馆") is None  # "有关部门" names only some departments
    assert sheet_units(doc) == ["县民政局", "兴隆镇", "县档案馆"]
    assert sheet_units(doc, include_groups=False) == ["县民政局"]
    assert sheet_units(doc, group_sheets=True) == ["县民政局", "兴隆镇", "县档案馆", "各部门（单位）", "各乡镇人民政府",
                                                   "有关部门"]
