"""Realistic synthetic ledgers for tests and benchmarks (no file or store needed).

`make_document(n_tasks=…)` builds a county ledger shaped like seed 000: four
sections, some with (一)-style sub-sections, runs of tasks sharing a key work,
real unit names with group units, the deadline kinds of the contract, two
reporting rounds and progress from lead and cooperating units.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.records import Deadline, Heading, LedgerDocument, Progress, Round, Task, Unit

if TYPE_CHECKING:
    from app.ledger import Ledger

SECTIONS = (
    "深化重点领域信息公开",
    "完善政策发布推送和解读咨询机制",
    "完善决策政民互动和公众参与机制",
    "完善公开标准化规范化和保障机制",
)
SUBSECTIONS = ("加强政策解读", "优化政务服务")
KEY_WORKS = (
    "围绕高质量发展推进信息公开",
    "围绕民生持续改善推进信息公开",
    "围绕政府自身建设推进信息公开",
    "规范政策集中发布",
    "扩大政策精准推送",
    "推行政策多元解读",
    "优化政民互动主渠道建设",
    "规范公开平台建设",
)
CONTENTS = (
    "推动“就业创业促进年”活动，深入推进面向高校毕业生、农民工、退役军人、就业困难群体的支持政策公开。",
    "加密社会救助、医疗保险等重点民生政策推送，提高信息公开覆盖度和查阅便利度。",
    "推动社会组织信息公开，按年度公开社会组织评估等级结果和年检结论信息，及时发布慈善组织认定名单。",
    "深化公共财政事权信息公开，围绕打造高标准高质量“阳光财政”，依法扩大预决算公开范围，扎实推进部门所属单位预算、决算及相关报表公开。",
    "严格落实网络意识形态责任制，加强政府网站和政务新媒体内容管理，抓好信息审核、内容监测和安全防护、应急保障，做好日常巡查与维护，确保政府网站和各类政务新媒体安全平稳运行。",
    "持续推动适老化与无障碍改造，政府网站适老化与无障碍阅读达到100%。规范做好“我为政府网站找错”网民留言办理答复。",
)
METRICS = (
    "查看网站、政务新媒体信息发布情况，参考报送的相关资料",
    "查看网站信息发布情况",
    "依据实际掌握情况，参考报送的相关资料",
)
UNITS = (
    Unit("县人民政府办公室", "department", ["县政府办"], "马丽", "0954-3012345"),
    Unit("县民政局", "department", ["民政局"], "李强", "0954-3023456"),
    Unit("县司法局", "department", ["司法局"], "王芳", "13909541234"),
    Unit("县财政局", "department", ["财政局"], "张伟", ""),
    Unit("县人力资源社会保障局", "department", ["县人社局", "人力资源社会保障局"], "", ""),
    Unit("县医保局", "department", ["医保局"], "", ""),
    Unit("县发展改革局", "department", ["发展改革局"], "", ""),
    Unit("县审批服务管理局", "department", ["审批服务管理局"], "", ""),
    Unit("各部门（单位）", "group", [], "", ""),
    Unit("各乡镇（镇）人民政府", "group", ["各乡镇人民政府"], "", ""),
    Unit("吉强镇人民政府", "township", ["吉强镇"], "", ""),
)
DEADLINES = (
    Deadline("2023年12月底", date(2023, 12, 31), "date"),
    Deadline("2023年6月底前", date(2023, 6, 30), "date"),
    Deadline("长期坚持", None, "long_term"),
    Deadline("每季度", None, "recurring"),
    Deadline("按上级要求时限推进", None, "per_superior"),
    Deadline("2023年10月", date(2023, 10, 31), "date"),
)
ROUNDS = (Round("第一次报送", date(2023, 9, 10)), Round("第二次报送", date(2023, 12, 1)))
TEXTS = (
    "已在县人民政府门户网站集中公开相关政策文件12件，发布解读材料5篇。",
    "正在梳理目录清单，计划10月底前完成。",
    "已完成专栏建设，定期更新。",
)


def make_document(n_tasks: int = 20, *, with_progress: bool = True, seed: int = 7) -> LedgerDocument:
    """A ledger of `n_tasks` tasks in document order, ids stable for a given seed."""
    rng = random.Random(seed)
    doc = LedgerDocument(title="西吉县2023年政务公开工作要点", year=2023, office="县人民政府办公室",
                         ledger_id=f"ledger-{seed}")
    doc.units = [Unit(u.name, u.kind, list(u.aliases), u.liaison, u.phone) for u in UNITS]
    doc.rounds = [Round(r.name, r.due) for r in ROUNDS]
    numbers = "一二三四"
    for i, title in enumerate(SECTIONS):
        doc.headings.append(Heading(f"h{i + 1}", f"{numbers[i]}、", title, None, 1))
    # Section 二 has two (一)-style sub-sections.
    for j, title in enumerate(SUBSECTIONS):
        doc.headings.append(Heading(f"h2-{j + 1}", f"（{'一二'[j]}）", title, "h2", 2))
    homes = ["h1", "h2-1", "h2-2", "h3", "h4"]
    per_home = max(1, n_tasks // len(homes))
    dept_names = [u.name for u in UNITS if u.kind == "department"]
    key = ""
    for n in range(n_tasks):
        home = homes[min(n // per_home, len(homes) - 1)]
        if n % per_home == 0 or rng.random() < 0.3:
            key = rng.choice(KEY_WORKS)
        lead = rng.sample(dept_names, 2 if rng.random() < 0.2 else 1)
        coop = rng.choice([["各部门（单位）", "各乡镇（镇）人民政府"], ["县财政局", "吉强镇人民政府"], []])
        coop = [c for c in coop if c not in lead]
        task = Task(
            id=f"t{n + 1:05d}",
            seq=str(n + 1),
            heading_id=home,
            key_work=key,
            content=rng.choice(CONTENTS) + ("" if rng.random() < 0.7 else rng.choice(CONTENTS)),
            metric=rng.choice(METRICS),
            lead_units=lead,
            coop_units=coop,
            deadline=Deadline(**vars(rng.choice(DEADLINES))),
            notes="" if n % 7 else "需与上级部门对接",
        )
        doc.tasks.append(task)
        if with_progress:
            _add_progress(doc, task, rng)
    return doc


def _add_progress(doc: LedgerDocument, task: Task, rng: random.Random) -> None:
    for r_index, rnd in enumerate(doc.rounds):
        for unit in [*task.lead_units, *task.coop_units[:1]]:
            if rng.random() < 0.25:
                continue
            done = r_index == 1 and rng.random() < 0.5
            doc.progress.append(
                Progress(
                    task_id=task.id,
                    unit=unit,
                    round=rnd.name,
                    status="已完成" if done else rng.choice(["进行中", "未开始", "长期坚持"]),
                    text=rng.choice(TEXTS),
                    done_date=date(2023, 11, 20) if done else None,
                    evidence="网站截图.pdf" if done else "",
                    updated_at=datetime(2023, 9 + 3 * r_index, 8, 10, 0, rng.randrange(60)),
                    source=f"{unit}_{rnd.name}.xlsx",
                    reporter=rng.choice(["", "马丽", "李强"]),
                )
            )


def made_ledger(folder: Path, n_tasks: int = 25, *, source: str = "factory") -> Ledger:
    """A ledger file of `make_document(n_tasks)` in `folder`, open for writing (use it in a `with`)."""
    from app.ledger import Ledger

    path = folder / "factory.ledger"
    Ledger.create_from_document(path, make_document(n_tasks), source=source).close()
    return Ledger.open(path)
