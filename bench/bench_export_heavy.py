"""A heavy, realistic ledger for looking at the printed exports (run by hand).

Seed 000 imported through the facade, then every unit named by a task (lead and
cooperating) reports at length in both rounds, so rows need far more than Excel's
409 pt and tables run over many pages. Writes the ledger and both exports, and times
the exports:

    python bench/bench_export_heavy.py OUT_FOLDER [--as-of 2023-12-31]

Render and look:  soffice --headless --convert-to pdf --outdir OUT OUT/heavy.xlsx
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.records import Progress
from app.formats.plan import read_plan
from app.ledger import Ledger

SEED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds" / "000_0bb927241a205331.txt"
SENTENCES = (
    "已在县人民政府门户网站“政府信息公开”专栏集中公开相关政策文件{n}件，同步推送至政务新媒体",
    "组织召开专题推进会{n}次，逐项明确责任人和完成时限，建立周调度、月通报工作机制",
    "围绕群众关注的热点问题发布政策解读材料{n}篇，其中图解、短视频等形式解读占比达到六成以上",
    "对照年度任务清单开展自查，发现栏目更新不及时、链接失效等问题{n}个，已全部整改到位",
    "依托12345政务服务便民热线和网站留言板受理群众咨询{n}件，按期办结率100%，满意率持续提升",
    "制定印发工作方案，成立由主要负责同志任组长的工作专班，统筹推进各项公开任务落实",
    "下一步将继续加大公开力度，拓展公开渠道，及时回应社会关切，确保全年任务按期完成",
    "结合乡村振兴、县域经济等重点工作，及时公开重大项目审批、实施、验收等全过程信息{n}条",
    "开展政务公开业务培训{n}期，培训工作人员{n}人次，进一步提升信息发布规范化水平",
)
STATUSES = ("进行中", "已完成", "长期坚持", "进行中")


def long_text(rng: random.Random, sentences: int) -> str:
    """A report of several sentences, like the long 进展落实情况 texts units really send."""
    picked = [rng.choice(SENTENCES).format(n=rng.randint(2, 60)) for _ in range(sentences)]
    return "；".join(picked) + "。"


def heavy_progress(doc, rng: random.Random) -> list[Progress]:
    """Every unit of every task reports in both rounds, at length."""
    entries = []
    for r_index, rnd in enumerate(doc.rounds):
        for task in doc.tasks:
            for unit in dict.fromkeys([*task.lead_units, *task.coop_units]):
                status = rng.choice(STATUSES) if r_index else "进行中"
                entries.append(Progress(task.id, unit, rnd.name, status, long_text(rng, rng.randint(2, 6)),
                                        updated_at=datetime(2023, 9 + 3 * r_index, 8, 10, 0), source="bench"))
    return entries


def build_heavy_ledger(path: Path, seed: int = 3) -> Path:
    """Seed 000 as a .ledger file with heavy progress, built through the facade."""
    doc = read_plan(SEED)
    if path.exists():
        path.unlink()
    Ledger.create_from_document(path, doc, source="bench").close()
    with Ledger.open(path) as ledger:
        ledger.apply_progress(heavy_progress(ledger.document(), random.Random(seed)))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--as-of", default="2023-12-31")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ledger = build_heavy_ledger(args.out / "heavy.ledger")
    with Ledger.open(ledger, readonly=True) as opened:
        doc = opened.document()
    print(f"{len(doc.tasks)} tasks, {len(doc.progress)} progress entries, "
          f"{sum(len(p.text) for p in doc.progress)} characters of progress")
    from app.commands.export import export_document

    as_of = date.fromisoformat(args.as_of)
    for fmt in ("xlsx", "docx"):
        start = time.perf_counter()
        export_document(doc, args.out / f"heavy.{fmt}", fmt, as_of=as_of)
        print(f"export {fmt:<5}{time.perf_counter() - start:6.2f} s")


if __name__ == "__main__":
    main()
