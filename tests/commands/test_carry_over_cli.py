"""`ledgerdesk carry-over` (回头看): seed 000 after two rounds, carried into a ledger imported from seed 003."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.carry_over import CARRY_HEADING
from app.core.records import LedgerDocument
from app.ledger import Ledger
from tests.commands.year_fixtures import (
    DONE,
    HALF_DONE_TEXTS,
    SEED_003,
    STILL_GOING,
    STILL_GOING_TEXT,
    import_seed,
    progressed_ledger,
    run_main,
)

OLD_TITLE = "西吉县2023年政务公开工作要点任务落实台账"


class Quiet:  # module fixtures have no capsys; the import's summary is not under test here
    def readouterr(self):
        return "", ""


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("carry")
    return progressed_ledger(folder, Quiet()), import_seed(SEED_003, folder / "兴庆2023.ledger", Quiet())


@pytest.fixture
def files(templates, tmp_path) -> tuple[Path, Path]:
    """(old ledger, next year's plan ledger), copied for the test."""
    old, plan = (tmp_path / p.name for p in templates)
    for src, dst in zip(templates, (old, plan)):
        shutil.copy(src, dst)
    return old, plan


def read(path: Path) -> tuple[LedgerDocument, list]:
    with Ledger.open(path, readonly=True) as led:
        return led.document(), led.batches()


def by_seq(doc: LedgerDocument) -> dict:
    return {t.seq: t for t in doc.tasks}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def check_carried_into(doc: LedgerDocument, batches: list, old: LedgerDocument, plan: LedgerDocument) -> dict:
    """The assertions both --into modes share; returns the carry batch's meta."""
    old_seq = by_seq(old)
    tasks = by_seq(doc)
    # a matching task is linked: the 上年延续 line first, then last year's progress; no second copy
    four = tasks["4"]
    assert four.notes.split("\n")[:2] == [f"上年延续：{OLD_TITLE} 序号 4", "上年最后进展：未报送"]
    assert sum(1 for t in doc.tasks if t.content == old_seq["4"].content) == 0  # old wording not added
    assert sum(1 for t in doc.tasks if t.content == plan.tasks[3].content) == 1
    three = tasks["3"]  # half done last year: both units' last words
    for unit, text in HALF_DONE_TEXTS.items():
        assert f"上年最后进展：{unit}（第二次报送）：{'已完成' if unit == '县民政局' else '进行中'}，{text}" in three.notes
    # Xingqing 25 took in Xiji 27 (done: not carried) and 29 (open): only 29's line
    assert "序号 29" in tasks["25"].notes and "序号 27" not in tasks["25"].notes
    # an unfinished task with no match is added under 上年延续任务, once
    heading = [h for h in doc.headings if h.title == CARRY_HEADING]
    assert len(heading) == 1 and heading[0].parent_id is None
    added = [t for t in doc.tasks if t.heading_id == heading[0].id]
    five = [t for t in added if t.content == old_seq[STILL_GOING].content]
    assert len(five) == 1 and five[0].lead_units == ["县司法局"]
    assert five[0].notes.split("\n") == [f"上年延续：{OLD_TITLE} 序号 {STILL_GOING}",
                                         f"上年最后进展：县司法局（第二次报送）：进行中，{STILL_GOING_TEXT}"]
    # finished tasks are not carried; long-term task 7 is, though reported done
    carried_lines = [line for t in doc.tasks for line in t.notes.split("\n") if line.startswith("上年延续：")]
    carried = {line.rsplit(" ", 1)[1] for line in carried_lines}
    assert carried == {t.seq for t in old.tasks} - (DONE - {"7"})
    assert len(carried_lines) == len(carried)
    assert len(doc.tasks) == len(plan.tasks) + len(added)
    # the batch meta holds every link: new task → old ledger, old task
    carry = [b for b in batches if b.kind == "carry"]
    assert len(carry) == 1
    meta = carry[0].meta
    assert meta["format"] == "ledgerdesk-carry/1" and meta["old_ledger"] == old.ledger_id
    links = meta["links"]
    assert {link["old_seq"] for link in links} == carried
    ids = {t.id for t in doc.tasks}
    old_ids = {t.id: t.seq for t in old.tasks}
    for link in links:
        assert link["task"] in ids and link["old_ledger"] == old.ledger_id
        assert old_ids[link["old_task"]] == link["old_seq"]
    link4 = next(link for link in links if link["old_seq"] == "4")
    assert link4 == {**link4, "task": four.id, "how": "linked"}
    assert next(link for link in links if link["old_seq"] == STILL_GOING)["task"] == five[0].id
    assert {link["how"] for link in links if link["task"] in {t.id for t in added}} == {"copied"}
    return meta


def test_into_the_new_plan_links_matches_and_adds_the_rest(files, capsys) -> None:
    old_path, plan_path = files
    old, _ = read(old_path)
    plan, _ = read(plan_path)
    old_bytes = old_path.read_bytes()
    code, out, err = run_main(capsys, "carry-over", old_path, "--into", plan_path, "--json")
    assert code == 0, err
    report = json.loads(out)
    doc, batches = read(plan_path)
    meta = check_carried_into(doc, batches, old, plan)
    assert report["carried"] == 32 and report["linked"] + report["added"] == 32
    assert report["added"] == sum(1 for t in doc.tasks if t.heading_id not in {h.id for h in plan.headings})
    assert len(meta["batches"]) >= report["linked"] + report["added"]
    added_seqs = [link["seq"] for link in report["links"] if link["how"] == "copied"]
    assert added_seqs == [str(n) for n in range(33, 33 + report["added"])]  # numbered on by the plan
    assert old_path.read_bytes() == old_bytes
    # the carry can be undone as a whole through its batches
    with Ledger.open(plan_path) as led:
        led.undo_batches(list(reversed(meta["batches"])))
        after = led.document()
    assert [(t.id, t.notes) for t in after.tasks] == [(t.id, t.notes) for t in plan.tasks]


def test_into_with_output_writes_a_new_ledger_and_leaves_the_plan_alone(files, tmp_path, capsys) -> None:
    old_path, plan_path = files
    old, _ = read(old_path)
    plan, _ = read(plan_path)
    plan_bytes = plan_path.read_bytes()
    new_path = tmp_path / "兴庆2024.ledger"
    code, out, err = run_main(capsys, "carry-over", old_path, "--into", plan_path, "-o", new_path)
    assert code == 0, err
    assert "关联 15 项" in out and "新增 17 项" in out
    assert plan_path.read_bytes() == plan_bytes
    doc, batches = read(new_path)
    check_carried_into(doc, batches, old, plan)
    assert sorted(b.kind for b in batches) == ["carry", "import"]
    assert doc.ledger_id != plan.ledger_id


def test_a_new_ledger_of_the_carried_tasks(files, tmp_path, capsys) -> None:
    old_path, _ = files
    old, _ = read(old_path)
    new_path = tmp_path / "西吉2024.ledger"
    code, out, err = run_main(capsys, "carry-over", old_path, "-o", new_path, "--json")
    assert code == 0, err
    doc, batches = read(new_path)
    assert doc.year == 2024 and doc.title == "西吉县2024年政务公开工作要点任务落实台账"
    assert [t.seq for t in doc.tasks] == [t.seq for t in old.tasks if t.seq not in DONE - {"7"}]
    assert [doc.path_of(t) for t in doc.tasks] == [old.path_of(by_seq(old)[t.seq]) for t in doc.tasks]
    assert all(t.notes.startswith(f"上年延续：{OLD_TITLE} 序号 {t.seq}\n") for t in doc.tasks)
    assert doc.progress == [] and [r.due.year for r in doc.rounds] == [2024, 2024]
    meta = next(b for b in batches if b.kind == "carry").meta
    assert [(link["old_seq"], link["how"]) for link in meta["links"]] == [(t.seq, "copied") for t in doc.tasks]
    assert json.loads(out)["carried"] == len(doc.tasks) == 32


def test_dry_run_writes_nothing(files, tmp_path, capsys) -> None:
    old_path, plan_path = files
    before = snapshot(tmp_path)
    for extra in (["--into", plan_path], ["--into", plan_path, "-o", tmp_path / "n.ledger"], ["-o", tmp_path / "n.ledger"]):
        code, out, err = run_main(capsys, "carry-over", old_path, *extra, "--dry-run")
        assert code == 0, err
        assert out.startswith("试运行")
        assert snapshot(tmp_path) == before


def test_carrying_twice_into_the_same_plan_is_refused(files, capsys) -> None:
    old_path, plan_path = files
    assert run_main(capsys, "carry-over", old_path, "--into", plan_path)[0] == 0
    once = plan_path.read_bytes()
    code, _, err = run_main(capsys, "carry-over", old_path, "--into", plan_path)
    assert code == 2 and "已从上年台账" in err and plan_path.name in err
    assert plan_path.read_bytes() == once


@pytest.mark.parametrize("case", ["missing", "not_a_ledger", "output_exists", "into_missing", "into_not_a_ledger",
                                  "same_file", "no_target"])
def test_bad_input_one_line_exit_2_every_file_unchanged(case, files, tmp_path, capsys) -> None:
    old_path, plan_path = files
    bogus = tmp_path / "记事.ledger"
    bogus.write_text("不是台账", encoding="utf-8")
    new_path = tmp_path / "新台账.ledger"
    args: list[object] = ["carry-over", old_path, "-o", new_path]
    named = {
        "missing": "没有这个.ledger", "not_a_ledger": bogus.name, "output_exists": plan_path.name,
        "into_missing": "没有这个.ledger", "into_not_a_ledger": bogus.name, "same_file": old_path.name,
        "no_target": "-o",
    }[case]
    if case == "missing":
        args[1] = tmp_path / "没有这个.ledger"
    elif case == "not_a_ledger":
        args[1] = bogus
    elif case == "output_exists":
        args[3] = plan_path
    elif case == "into_missing":
        args = ["carry-over", old_path, "--into", tmp_path / "没有这个.ledger"]
    elif case == "into_not_a_ledger":
        args = ["carry-over", old_path, "--into", bogus]
    elif case == "same_file":
        args = ["carry-over", old_path, "--into", old_path]
    else:
        args = ["carry-over", old_path]
    before = snapshot(tmp_path)
    code, out, err = run_main(capsys, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("错误：") and named in err, err
    assert "Traceback" not in err and out == ""
    assert snapshot(tmp_path) == before


def test_a_failure_half_way_undoes_what_was_done(files, tmp_path, capsys, monkeypatch) -> None:
    old_path, plan_path = files
    plan, _ = read(plan_path)
    calls = []
    real_add_task = Ledger.add_task

    def failing_add_task(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # after the linked notes, the heading and two added tasks
            raise OSError("磁盘已满")
        return real_add_task(self, *args, **kwargs)

    monkeypatch.setattr(Ledger, "add_task", failing_add_task)
    code, _, err = run_main(capsys, "carry-over", old_path, "--into", plan_path)
    assert code == 3 and "磁盘已满" in err and len(err.strip().splitlines()) == 1
    after, batches = read(plan_path)
    assert [(t.id, t.seq, t.notes) for t in after.tasks] == [(t.id, t.seq, t.notes) for t in plan.tasks]
    assert [(h.id, h.title) for h in after.headings] == [(h.id, h.title) for h in plan.headings]
    assert {u.name for u in after.units} == {u.name for u in plan.units}
    assert "carry" not in {b.kind for b in batches}
    # -o: a failure after the file is written removes it again
    monkeypatch.setattr(Ledger, "record_batch", lambda self, **kw: (_ for _ in ()).throw(OSError("磁盘已满")))
    new_path = tmp_path / "新.ledger"
    code, _, err = run_main(capsys, "carry-over", old_path, "-o", new_path)
    assert code == 3 and not new_path.exists()
    assert not list(tmp_path.glob(".新.ledger*"))
