"""`ledgerdesk package` and merging liaison files back, end to end through the CLI with real files."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from app.core.records import Progress
from app.formats.returns import liaison as lf
from app.ledger import Ledger
from tests.merge_fixtures import FILE_KEYS, ROUND, UNIT, ledger_json, make_ledger, progress_of
from tests.merge_fixtures import rewrite_liaison as rewrite
from tests.merge_fixtures import run_main as run


def package(capsys, ledger: Path, out: Path, unit: str = UNIT) -> Path:
    code, stdout, err = run(capsys, "package", ledger, "--unit", unit, "-o", out, "--round", ROUND)
    assert code == 0 and str(out) in stdout, err
    return out


def by_seq(path: Path) -> dict[str, str]:
    return {t.seq: t.task_id for t in lf.load_liaison_file(path).tasks}


def merge_json(capsys, ledger: Path, *files: Path) -> tuple[int, dict]:
    code, out, _err = run(capsys, "merge", ledger, *files, "--json")
    return code, json.loads(out)


# ------------------------------------------------------------------------------ package
def test_package_writes_the_file_and_says_where(ledger, tmp_path, capsys):
    out = tmp_path / "民政局.ldpkg"
    code, stdout, _ = run(capsys, "package", ledger, "--unit", UNIT, "-o", out, "--round", ROUND)
    assert code == 0 and out.is_file() and str(out) in stdout and UNIT in stdout
    package_data = lf.load_liaison_file(out)
    assert (package_data.unit, package_data.round, len(package_data.tasks)) == (UNIT, ROUND, 36)  # 30 via 各部门（单位）


def test_package_into_a_folder_by_short_name(ledger, tmp_path, capsys):
    folder = tmp_path / "发出"
    folder.mkdir()
    code, stdout, _ = run(capsys, "package", ledger, "--unit", "民政局", "-o", folder, "--round", ROUND)
    expected = folder / f"{UNIT}_{ROUND}.ldpkg"
    assert code == 0 and expected.is_file() and str(expected) in stdout
    assert lf.load_liaison_file(expected).unit == UNIT


def test_package_without_suffix_gets_ldpkg(ledger, tmp_path, capsys):
    code, stdout, _ = run(capsys, "package", ledger, "--unit", UNIT, "-o", tmp_path / "给民政局", "--round", ROUND)
    assert code == 0 and (tmp_path / "给民政局.ldpkg").is_file() and "给民政局.ldpkg" in stdout


@pytest.mark.parametrize("argv, needle", [
    (["--unit", "县不存在局"], "县不存在局"),
    (["--unit", UNIT, "--round", "第九次报送"], "第九次报送"),
    (["--unit", UNIT, "-o", "X/没有的文件夹/a.ldpkg"], "所在文件夹不存在"),
    (["--unit", UNIT, "-o", "X/a.xlsx"], ".ldpkg"),
])
def test_package_bad_arguments_exit_2_with_one_line(ledger, tmp_path, capsys, argv, needle):
    argv = [str(a).replace("X/", f"{tmp_path}/") for a in argv]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "out.ldpkg")]
    before = ledger.read_bytes()
    code, out, err = run(capsys, "package", ledger, *argv)
    assert code == 2 and not out and needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.ldpkg")) and ledger.read_bytes() == before


def test_package_of_a_non_ledger_exit_2(tmp_path, capsys):
    bad = tmp_path / "假台账.ldg"
    bad.write_bytes(b"not a ledger at all" * 10)
    code, _, err = run(capsys, "package", bad, "--unit", UNIT, "-o", tmp_path / "a.ldpkg")
    assert code == 2 and "假台账.ldg" in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------------------ merge back
def test_filled_package_merges_then_is_a_duplicate(ledger, tmp_path, capsys):
    path = package(capsys, ledger, tmp_path / "民政局.ldpkg")
    ids = by_seq(path)
    lf.fill_liaison_file(path, {ids["3"]: {"status": "已完成", "text": "已公开低保名单", "done_date": "2023-09-05",
                                           "evidence": "网站截图.png"},
                                ids["1"]: {"status": "进行中", "text": "持续发布"}}, reporter="王五", phone="13800000000")
    code, data = merge_json(capsys, ledger, path)
    [f] = data["files"]
    assert code == 0 and {"batch", "dry_run", "files"} <= set(data) and FILE_KEYS <= set(f)
    assert (f["outcome"], f["unit"], f["round"], f["applied"], f["unchanged"], f["conflicts"], f["rejected"]) == \
        ("merged", UNIT, ROUND, 2, 34, 0, 0)
    assert any("王五" in m for m in f["messages"])
    assert progress_of(ledger) == {
        "3": {"status": "已完成", "text": "已公开低保名单", "done_date": "2023-09-05", "evidence": "网站截图.png"},
        "1": {"status": "进行中", "text": "持续发布", "done_date": None, "evidence": ""},
    }
    with Ledger.open(ledger, readonly=True) as led:
        entries = [p for p in led.document().progress if p.unit == UNIT]
    assert {p.reporter for p in entries} == {"王五"} and {p.source for p in entries} == {path.name}
    after = ledger_json(ledger)
    code, data = merge_json(capsys, ledger, path)
    assert code == 0 and data["files"][0]["outcome"] == "duplicate" and ledger_json(ledger) == after


def test_a_second_return_supersedes_the_first(ledger, tmp_path, capsys):
    path = package(capsys, ledger, tmp_path / "民政局.ldpkg")
    ids = by_seq(path)
    lf.fill_liaison_file(path, {ids["3"]: {"status": "进行中", "text": "推进中"}})
    merge_json(capsys, ledger, path)
    lf.fill_liaison_file(path, {ids["3"]: {"status": "已完成", "text": "已完成"}})
    code, data = merge_json(capsys, ledger, path)
    assert code == 0 and data["files"][0]["outcome"] == "merged" and data["files"][0]["applied"] == 1
    assert progress_of(ledger)["3"]["status"] == "已完成"


def test_package_of_another_ledger_is_rejected_and_changes_nothing(ledger, tmp_path, capsys):
    other = make_ledger(tmp_path, "另一本台账.ldg")  # same seed, its own ledger id
    path = package(capsys, other, tmp_path / "另一本.ldpkg")
    lf.fill_liaison_file(path, {t: {"status": "已完成"} for t in by_seq(path).values()})
    before = ledger_json(ledger)
    code, data = merge_json(capsys, ledger, path)
    [f] = data["files"]
    assert code == 2 and f["outcome"] == "rejected" and f["applied"] == 0
    assert any("另一本台账" in m for m in f["messages"]) and ledger_json(ledger) == before


def test_tampered_locked_field_refuses_the_row_and_holds_the_rest(ledger, tmp_path, capsys):
    """A hand-edited task text breaks the file's own signed hashes: the edited row is refused and the
    liaison's other rows are held for the clerk (nothing written until accepted)."""
    path = package(capsys, ledger, tmp_path / "民政局.ldpkg")
    ids = by_seq(path)
    lf.fill_liaison_file(path, {ids["3"]: {"status": "已完成"}, ids["1"]: {"status": "进行中"}})

    def edit(data):
        task = next(t for t in data["tasks"] if t["seq"] == "3")
        task["content"] = "改过的任务内容"

    rewrite(path, edit)
    code, data = merge_json(capsys, ledger, path)
    [f] = data["files"]
    assert code == 0 and (f["outcome"], f["applied"], f["rejected"], f["held"]) == ("rejected", 0, 1, 1)
    assert any("主要内容" in m and "锁定列" in m for m in f["messages"])
    assert progress_of(ledger) == {}


def test_round_not_in_the_ledger_is_rejected(ledger, tmp_path, capsys):
    path = package(capsys, ledger, tmp_path / "民政局.ldpkg")
    rewrite(path, lambda d: d.update(round="第九次报送"))
    before = ledger_json(ledger)
    code, data = merge_json(capsys, ledger, path)
    assert code == 2 and data["files"][0]["outcome"] == "rejected"
    assert any("第九次报送" in m for m in data["files"][0]["messages"]) and ledger_json(ledger) == before


@pytest.mark.parametrize("case", ["random", "no_member", "corrupt"])
def test_broken_files_are_rejected_naming_the_file(ledger, tmp_path, capsys, case):
    path = tmp_path / "民政局报回.ldpkg"
    if case == "random":
        path.write_bytes(bytes(range(256)) * 4)
    elif case == "no_member":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hello")
    else:
        good = package(capsys, ledger, tmp_path / "好.ldpkg").read_bytes()
        path.write_bytes(good[:len(good) // 2] + b"\0" * 64 + good[len(good) // 2 + 64:])
    before = ledger_json(ledger)
    code, data = merge_json(capsys, ledger, path)
    [f] = data["files"]
    assert code == 2 and f["outcome"] == "rejected" and f["applied"] == 0
    assert any(m.startswith("民政局报回.ldpkg：") for m in f["messages"]) and ledger_json(ledger) == before
    assert not (tmp_path / "台账_备份").exists()  # nothing merged: no backup either


def test_clerk_edit_meanwhile_is_a_conflict(ledger, tmp_path, capsys):
    path = package(capsys, ledger, tmp_path / "民政局.ldpkg")
    ids = by_seq(path)
    with Ledger.open(ledger) as led:
        led.apply_progress([Progress(task_id=ids["3"], unit=UNIT, round=ROUND, status="进行中", text="办公室补录")])
    lf.fill_liaison_file(path, {ids["3"]: {"status": "已完成", "text": "单位填报"}, ids["1"]: {"status": "进行中"}})
    code, data = merge_json(capsys, ledger, path)
    [f] = data["files"]
    assert code == 0 and (f["applied"], f["conflicts"]) == (1, 1)
    assert progress_of(ledger)["3"]["text"] == "办公室补录"  # ours kept until the clerk chooses
    with Ledger.open(ledger, readonly=True) as led:
        [conflict] = led.conflicts()
    assert conflict.task_id == ids["3"] and conflict.theirs.text == "单位填报" and conflict.ours.text == "办公室补录"


def test_folder_with_sheets_and_packages_merges_both(ledger, tmp_path, capsys):
    from tests.merge_fixtures import fill_xlsx

    back = tmp_path / "报回"
    back.mkdir()
    main(["sheets", str(ledger), "-o", str(tmp_path / "sent"), "--unit", "县司法局", "--round", ROUND])
    fill_xlsx(tmp_path / "sent" / f"县司法局_{ROUND}.xlsx", {}, back / f"县司法局_{ROUND}.xlsx")
    path = package(capsys, ledger, back / "民政局.ldpkg")
    lf.fill_liaison_file(path, {by_seq(path)["3"]: {"status": "已完成"}})
    code, data = merge_json(capsys, ledger, back)
    outcomes = {f["file"]: (f["outcome"], f["applied"]) for f in data["files"]}
    assert code == 0 and outcomes == {"民政局.ldpkg": ("merged", 1), f"县司法局_{ROUND}.xlsx": ("merged", 0)}


def test_dry_run_reports_without_changing(ledger, tmp_path, capsys):
    path = package(capsys, ledger, tmp_path / "民政局.ldpkg")
    lf.fill_liaison_file(path, {by_seq(path)["3"]: {"status": "已完成"}})
    before = ledger_json(ledger)
    code, out, _ = run(capsys, "merge", ledger, path, "--dry-run", "--json")
    data = json.loads(out)
    assert code == 0 and data["dry_run"] is True and data["files"][0]["applied"] == 1 and ledger_json(ledger) == before


def test_group_tasks_travel_and_merge_when_asked_for(ledger, tmp_path, capsys):
    out = tmp_path / "民政局.ldpkg"
    code, _, err = run(capsys, "package", ledger, "--unit", UNIT, "-o", out, "--round", ROUND, "--with-group-tasks")
    assert code == 0, err
    tasks = lf.load_liaison_file(out).tasks
    group = next(t for t in tasks if t.role.startswith("配合（各部门"))
    assert len(tasks) > 6
    lf.fill_liaison_file(out, {group.task_id: {"status": "进行中", "text": "按要求配合"}})
    code, data = merge_json(capsys, ledger, out)
    assert code == 0 and (data["files"][0]["applied"], data["files"][0]["rejected"]) == (1, 0)
    assert progress_of(ledger)[group.seq]["text"] == "按要求配合"


def test_ledger_without_rounds_gets_the_first_round(tmp_path, capsys):
    from app.formats.plan import read_plan
    from tests.merge_fixtures import SEED_000

    doc = read_plan(SEED_000)
    doc.rounds = []
    path = tmp_path / "无轮次.ldg"
    Ledger.create_from_document(path, doc, source="test").close()
    code, out, err = run(capsys, "package", path, "--unit", UNIT, "-o", tmp_path / "a.ldpkg")
    assert code == 0 and "第一次报送" in out, err
    assert lf.load_liaison_file(tmp_path / "a.ldpkg").round == "第一次报送"
    with Ledger.open(path, readonly=True) as led:
        assert [r.name for r in led.document().rounds] == ["第一次报送"]


def test_unit_without_tasks_is_refused(tmp_path, capsys):
    from app.core.records import Unit
    from app.formats.plan import read_plan
    from tests.merge_fixtures import SEED_000

    doc = read_plan(SEED_000)
    doc.units.append(Unit("县档案馆"))
    path = tmp_path / "台账.ldg"
    Ledger.create_from_document(path, doc, source="test").close()
    code, out, err = run(capsys, "package", path, "--unit", "县档案馆", "-o", tmp_path / "a.ldpkg", "--no-group-tasks")
    assert code == 2 and not out and "县档案馆" in err and "没有牵头或配合的任务" in err
    assert not (tmp_path / "a.ldpkg").exists()
    code, out, err = run(capsys, "package", path, "--unit", "县档案馆", "-o", tmp_path / "a.ldpkg")
    assert code == 0, err  # by default a department gets the tasks of 各部门（单位）
    assert {t.role for t in lf.load_liaison_file(tmp_path / "a.ldpkg").tasks} == {"配合（各部门（单位））", "牵头（各部门（单位））"}


def test_an_older_copy_of_a_package_merged_after_the_newer_is_kept_as_conflicts(ledger, tmp_path, capsys):
    from datetime import datetime, timezone

    path = package(capsys, ledger, tmp_path / "民政局.ldpkg")
    ids = by_seq(path)
    lf.fill_liaison_file(path, {ids["3"]: {"status": "进行中", "text": "旧版"}},
                         now=datetime(2023, 9, 1, 9, 0, tzinfo=timezone.utc))
    old = tmp_path / "民政局_旧.ldpkg"
    shutil.copy(path, old)
    lf.fill_liaison_file(path, {ids["3"]: {"status": "已完成", "text": "新版"}},
                         now=datetime(2023, 9, 1, 10, 0, tzinfo=timezone.utc))
    _, data = merge_json(capsys, ledger, path)
    assert data["files"][0]["saved_at"] == "2023-09-01T10:00:00+00:00"
    assert data["files"][0]["saved_from"] == "数据包中的保存时间"
    _, data = merge_json(capsys, ledger, old)
    [f] = data["files"]
    assert (f["outcome"], f["applied"], f["conflicts"]) == ("merged", 0, 1)
    assert f"此文件比已合并的《{path.name}》更早保存，差异作为冲突保留（older than a merged return）" in f["messages"]
    assert progress_of(ledger)["3"]["text"] == "新版"


def test_package_edited_outside_the_program_is_held_and_its_edited_task_refused(ledger, tmp_path, capsys):
    """Hashes blanked and a task's content edited by unzipping the file: the signature no longer fits,
    so nothing is applied; the edited task is refused against what the ledger sent, the other waits in review."""
    path = package(capsys, ledger, tmp_path / "民政局.ldpkg")
    ids = by_seq(path)
    lf.fill_liaison_file(path, {ids["3"]: {"status": "已完成"}, ids["1"]: {"status": "进行中"}})

    def edit(data):
        for task in data["tasks"]:
            task["columns"] = {}
        next(t for t in data["tasks"] if t["seq"] == "3")["content"] = "改过的任务内容"

    rewrite(path, edit)
    code, data = merge_json(capsys, ledger, path)
    [f] = data["files"]
    assert code == 0 and (f["outcome"], f["applied"], f["rejected"], f["held"]) == ("rejected", 0, 1, 1)
    assert f["signature"] == "invalid" and any("锁定列“主要内容”被修改" in m for m in f["messages"])
    assert progress_of(ledger) == {}
