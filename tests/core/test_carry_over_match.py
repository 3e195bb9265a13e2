"""Carry-over on records: which tasks are carried, how they are marked, and how they match next year's plan.

The near-miss pairs are real: tasks of Xiji 2023 (seed 000) against Xingqing 2023 (seed 003).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from app.annual_report import build_report
from app.carry_over import (
    CARRY_HEADING,
    CONTAINED_MIN_CHARS,
    MATCH_RATIO,
    carry_into,
    carry_new,
    carry_notes,
    match_key,
    next_title,
    similarity,
    tasks_to_carry,
)
from app.core.records import Deadline, Heading, LedgerDocument, Progress, Round, Task, Unit
from app.formats.plan import read_plan
from tests.factories import make_document

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


@pytest.fixture(scope="module")
def xiji() -> LedgerDocument:
    return read_plan(SEEDS / "000_0bb927241a205331.txt")


@pytest.fixture(scope="module")
def xingqing() -> LedgerDocument:
    return read_plan(SEEDS / "003_034e019e2b7995d9.txt")


def _content(doc: LedgerDocument, seq: str) -> str:
    return next(t.content for t in doc.tasks if t.seq == seq)


def _score(a: str, b: str) -> tuple[bool, float]:
    return similarity(match_key(a), match_key(b))


def test_near_miss_pairs_from_the_seeds(xiji, xingqing) -> None:
    # the same task reworded by another county: linked
    for old, new in (("12", "11"), ("17", "15"), ("11", "9"), ("23", "21")):
        ok, score = _score(_content(xiji, old), _content(xingqing, new))
        assert ok and score >= MATCH_RATIO, (old, new, score)
    # two tasks opening alike ("打造政策精准推送…机制": 接力 vs 专题): not linked, however close
    ok, score = _score(_content(xiji, "13"), _content(xingqing, "11"))
    assert not ok and 50 < score < MATCH_RATIO
    # a task folded whole into a larger one (Xingqing merged Xiji 27 and 29): linked
    assert _score(_content(xiji, "29"), _content(xingqing, "25"))[0]
    assert _score(_content(xiji, "30"), _content(xingqing, "26"))[0]
    # unrelated tasks of the same plan family
    assert not _score(_content(xiji, "1"), _content(xingqing, "27"))[0]


def test_short_texts_do_not_match_every_task_containing_them() -> None:
    short = "做好政务公开工作"
    long = "各单位要深入挖掘提炼本单位在政务公开创新做法和典型经验，积极向政府办公室推介，做好政务公开工作。"
    assert len(match_key(short)) < CONTAINED_MIN_CHARS
    assert not similarity(match_key(short), match_key(long))[0]


def test_punctuation_width_and_traditional_characters_do_not_matter() -> None:
    a = "推动社会组织信息公开，按年度公开社会组织评估等级结果和年检结论信息，及时发布慈善组织认定名单。"
    b = "推動社會組織信息公開,按年度公開社會組織評估等級結果和年檢結論信息,及時發佈慈善組織認定名單"
    assert match_key(a) == match_key(b)
    assert _score(a, b) == (True, 100.0)
    assert not _score("", a)[0]


def _doc_with(statuses: dict[str, list[str]], kinds: dict[str, str]) -> LedgerDocument:
    doc = LedgerDocument(title="某县2023年政务公开工作要点", year=2023, ledger_id="old-ledger",
                         headings=[Heading("h1", "一、", "第一部分")],
                         units=[Unit("甲局"), Unit("乙局")], rounds=[Round("第一次"), Round("第二次")])
    for seq, units in statuses.items():
        kind = kinds.get(seq, "date")
        deadline = Deadline("长期坚持", None, "long_term") if kind == "long_term" else Deadline(
            "2023年12月底", date(2023, 12, 31), "date")
        doc.tasks.append(Task(f"t{seq}", seq, "h1", content=f"任务{seq}的内容，写得足够长以便比较相似度和区分不同任务。",
                              lead_units=["甲局", "乙局"][:len(units)], deadline=deadline))
        for unit, status in zip(["甲局", "乙局"], units):
            if status:
                doc.progress.append(Progress(f"t{seq}", unit, "第二次", status=status, text=f"{unit}说{seq}",
                                             updated_at=datetime(2023, 12, 1)))
    return doc


def test_which_tasks_are_carried() -> None:
    doc = _doc_with({"1": ["已完成"], "2": ["进行中"], "3": ["已完成", "进行中"], "4": ["已完成"], "5": [""]},
                    {"4": "long_term"})
    assert [t.seq for t in tasks_to_carry(doc)] == ["2", "3", "4", "5"]  # 1 done; 4 done but long-term


def test_notes_name_the_old_task_and_each_units_last_word() -> None:
    doc = _doc_with({"3": ["已完成", "进行中"], "5": [""]}, {})
    doc.tasks[0].notes = "需与上级部门对接"
    notes = carry_notes(doc, doc.tasks[0]).split("\n")
    assert notes == ["上年延续：某县2023年政务公开工作要点 序号 3",
                     "上年最后进展：甲局（第二次）：已完成，甲局说3",
                     "上年最后进展：乙局（第二次）：进行中，乙局说3",
                     "原备注：需与上级部门对接"]
    assert carry_notes(doc, doc.tasks[1]).split("\n")[1] == "上年最后进展：未报送"


def test_carry_into_links_matches_and_adds_the_rest_under_one_heading(xiji, xingqing) -> None:
    before = [(t.id, t.notes) for t in xingqing.tasks]
    result = carry_into(xiji, xingqing)  # no progress: every Xiji task is carried
    assert [(t.id, t.notes) for t in xingqing.tasks] == before  # the plan itself is not changed
    linked = {link.old_seq: link.task_id for link in result.linked}
    seq_of = {t.id: t.seq for t in result.doc.tasks}
    assert seq_of[linked["4"]] == "4" and seq_of[linked["8"]] == "6" and seq_of[linked["12"]] == "11"
    assert "13" not in linked  # the near miss is added, not linked
    by_id = {t.id: t for t in result.doc.tasks}
    merged = by_id[linked["27"]]  # two old tasks folded into one new one: both lines
    assert linked["29"] == merged.id
    assert merged.notes.count("上年延续：") == 2
    heading = [h for h in result.doc.headings if h.title == CARRY_HEADING]
    assert len(heading) == 1 and heading[0].number == "五、" and heading[0].parent_id is None
    added = [t for t in result.doc.tasks if t.heading_id == heading[0].id]
    assert len(added) == len(xiji.tasks) - len(result.linked)
    assert [t.seq for t in added] == [str(n) for n in range(33, 33 + len(added))]
    assert all(t.notes.startswith("上年延续：") for t in added)
    names = {u.name for u in result.doc.units}
    assert all(u in names for t in added for u in (*t.lead_units, *t.coop_units))


def test_carry_new_keeps_the_headings_it_needs_and_moves_the_rounds_on() -> None:
    doc = make_document(30, seed=3)
    doc.rounds = [Round("第一次报送", date(2024, 2, 29)), Round("第二次报送", date(2023, 12, 1))]
    result = carry_new(doc)
    assert result.doc.year == 2024 and result.doc.title == "西吉县2024年政务公开工作要点"
    assert [r.due for r in result.doc.rounds] == [date(2025, 2, 28), date(2024, 12, 1)]
    carried = tasks_to_carry(doc)
    assert [t.content for t in result.doc.tasks] == [t.content for t in carried]
    old_paths = [doc.path_of(t) for t in carried]
    assert [result.doc.path_of(t) for t in result.doc.tasks] == old_paths  # sub-sections kept under parents
    assert {t.id for t in result.doc.tasks}.isdisjoint({t.id for t in doc.tasks})
    assert next_title(LedgerDocument(title="工作要点", year=2023), 2024) == "工作要点（2024年延续）"


def test_report_rolls_sub_sections_up_and_keeps_tasks_without_heading() -> None:
    doc = make_document(25, seed=5)
    doc.tasks[-1].heading_id = None
    report = build_report(doc, as_of=date(2024, 1, 10))
    titles = [s.title for s in report.sections]
    assert titles[:4] == [h.title for h in doc.headings if h.parent_id is None][:4]
    assert titles[-1] == "其他任务"
    second = report.sections[1]
    assert second.tasks == sum(1 for t in doc.tasks if t.heading_id in ("h2", "h2-1", "h2-2"))
    assert sum(s.tasks for s in report.sections) == 25
    for s in report.sections:
        assert s.done + s.in_progress + s.not_done == s.tasks
        assert len(s.unfinished) == s.not_done
