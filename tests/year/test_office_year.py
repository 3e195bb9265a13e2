"""The office's year on seed 000, end to end through the CLI only (`app.cli.main`), real files in and out.

The year (one module fixture runs it once, in order; each test checks one claim of the issue):

1. `import` seed 000 → 西吉2023.ledger (its plan brings 第一次报送 and 第二次报送); `rounds due` moves
   第二次报送 to 2024-01-05 (the year-end report, due after the tasks' 2023年12月底, so open tasks
   are overdue in it); `sheets` writes round 1: one .xlsx per unit, and a Word sheet for 县融媒体中心.
2. Round 1: every unit but 县财政局 (MISSING) returns; 县医保局 (LATE) returns after the due day; the
   others on time; 县融媒体中心 returns its .docx. Liaisons fill the sheets with openpyxl / python-docx.
3. `notice --kind remind` names exactly 县财政局.
4. `review --return-entry` sends 县人力资源社会保障局's round-1 report on task 4 back; its round-2
   sheet shows 审核意见 "退回修改：<reason>" on that row; it returns the row changed, the merge closes
   the rework item (state "fixed") and says so.
5. 县司法局 asks in round 2 for more time on task 6 (申请延期至 / 延期理由); `review --accept`
   approves it; the exports' 完成时限 read "原定2023年12月底，县司法局经批准延期至2024年3月31日" and the
   JSON export carries the unit deadline.
6. `scores`: every unit's per-round score is recomputed here from the facts above and the weights
   `scores --weights` shows; `--set-weight 每项完成=3` moves each total by exactly done × 1.
7. `report`: per-section counts recomputed from `export --format json`.
8. `carry-over` into a ledger imported from seed 003: unfinished tasks arrive marked 上年延续, matching
   tasks are linked (not duplicated), no task twice.

Time: a return counts as returned when its merge batch was written (app/dispatch_status.py,
app/core/scores.py: the batch time against the round's due day). The test passes the days honestly:
around each CLI step it monkeypatches the clock the store stamps batches with
(`app.store.operations.now`) to the day the step happens — sheets sent, a file arriving and merged,
the review — so 县医保局's merge on 2023-09-14 is late for a round due 2023-09-10, and nothing depends
on the day the test runs. Report dates are passed as --as-of / --date. (A dispatch's own 发出 time is
stamped apart, by app/formats/returns/layout.py with datetime.now(), so the 催报 letter's 发出日期 is
the real day; nothing here asserts it.)
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.commands.year_fixtures import SEED_000, SEED_003
from tests.merge_fixtures import fill_docx, set_saved_time

R1, R2 = "第一次报送", "第二次报送"
R1_DUE, R2_DUE = date(2023, 9, 10), date(2024, 1, 5)
AS_OF = date(2024, 1, 10)
MISSING = "县财政局"
LATE_R1 = "县医保局"
LATE_R2 = "县民政局"
WORD_UNIT = "县融媒体中心"
REWORK_UNIT, REWORK_SEQ = "县人力资源社会保障局", "4"
REWORK_REASON = "请补充已公开政策的条数和专栏网址"
REWORK_FIX = "已公开就业创业政策15条，专栏网址：www.nxxj.gov.cn/zwgk/jycy。"
EXT_UNIT, EXT_SEQ = "县司法局", "6"
EXT_TO, EXT_DATE, EXT_REASON = "2024-03-31", date(2024, 3, 31), "法治政府建设示范创建材料待市级审核"
# round 2 is sent to these units only (the others' round-1 reports stand)
ROUND2_UNITS = ("县人民政府办公室", REWORK_UNIT, EXT_UNIT, LATE_R2, LATE_R1, MISSING, WORD_UNIT)
# round 2: what each unit reports, seq → (status, text); 已完成 rows get a 完成日期
ROUND2 = {
    "县人民政府办公室": {"1": ("已完成", "重大项目信息已集中公开。"), "11": ("已完成", "政策文件已集中发布。"),
                     "18": ("已完成", "政策推送专栏已上线。"), "26": ("已完成", "已完成专栏建设，定期更新。"),
                     "7": ("长期坚持", "按季度公开考核结果。"), "12": ("未按期完成", "因平台升级改造，未能按期完成。")},
    REWORK_UNIT: {REWORK_SEQ: ("进行中", REWORK_FIX), "19": ("已完成", "已公开征集意见3次。")},
    EXT_UNIT: {"5": ("已完成", "年度决策计划已公开。"), "24": ("已完成", "已组织申请办理培训2次。"),
               EXT_SEQ: ("进行中", "示范创建材料已报市级。")},
    LATE_R2: {"3": ("已完成", "已推送社会救助政策12条。")},
    LATE_R1: {"3": ("已完成", "医保政策已推送。")},
    MISSING: {"8": ("已完成", "财政预决算已公开。")},
    WORD_UNIT: {"16": ("进行中", "解读品牌栏目已开设。")},
}
DONE_DATE = "2023-12-20"


def cli(*argv: object, ok: bool = True) -> tuple[int, str, str]:
    """Run the CLI in-process, capturing stdout/stderr (module scope has no capsys)."""
    import contextlib
    import io

    from app.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code
    if ok:
        assert code == 0, f"{argv}: {err.getvalue()}"
    return code, out.getvalue(), err.getvalue()


@contextmanager
def clock(mp: pytest.MonkeyPatch, when: datetime):
    """The store stamps batches with app.store.operations.now(): make it `when` for one step."""
    from app.store import operations

    mp.setattr(operations, "now", lambda: when)
    try:
        yield
    finally:
        mp.undo()


# --- the liaisons' side: reading and filling return sheets --------------------------------------------------


def header_row(ws) -> int:
    for r in range(1, 21):
        if ws.cell(r, 1).value == "序号":
            return r
    raise AssertionError("no header row")


def sheet_table(path: Path) -> tuple[dict[str, int], dict[str, dict[str, object]]]:
    """(header → column, seq → {header: value}) of an xlsx return sheet."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    top = header_row(ws)
    cols = {ws.cell(top, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(top, c).value}
    rows = {}
    for r in range(top + 1, ws.max_row + 1):
        seq = ws.cell(r, 1).value
        if seq:
            rows[str(seq)] = {name: ws.cell(r, c).value for name, c in cols.items()}
    return cols, rows


def fill_sheet(src: Path, dst: Path, fills: dict[str, dict[str, str]], saved: datetime) -> Path:
    """A liaison fills cells by header name (the review columns too) and saves (at `saved`)."""
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    top = header_row(ws)
    cols = {ws.cell(top, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(top + 1, ws.max_row + 1):
        seq = ws.cell(r, 1).value
        for name, value in fills.get(str(seq), {}).items():
            ws.cell(r, cols[name], value)
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return set_saved_time(dst, saved)


def row_fill(status: str, text: str) -> dict[str, str]:
    out = {"状态": status, "进展落实情况": text}
    if status == "已完成":
        out["完成日期"] = DONE_DATE
    return out


def leads(roles: dict[str, dict]) -> list[str]:
    """The seqs the unit leads as its sheet says (牵头, or 牵头（各部门（单位））)."""
    return [seq for seq, row in roles.items() if str(row["本单位职责"]).startswith("牵头")]


def round1_fills(unit: str, rows: dict[str, dict]) -> dict[str, tuple[str, str]]:
    """Round 1: each unit reports its led tasks 进行中 (人社局 finished task 2); a unit leading
    nothing reports on its first row."""
    led = leads(rows) or [next(iter(rows))]
    out = {seq: ("进行中", f"{unit}正在推进第{seq}项。") for seq in led}
    if unit == REWORK_UNIT:
        out["2"] = ("已完成", "就业创业支持政策已全部公开。")
    return out


# --- the year ------------------------------------------------------------------------------------------------


@dataclass
class Year:
    folder: Path
    ledger: Path
    units: list[str] = field(default_factory=list)  # the units round 1 was sent to
    led: dict[str, list[str]] = field(default_factory=dict)  # unit → seqs it leads (from its sheet)
    reported: dict[tuple[str, str], dict[str, tuple[str, str]]] = field(default_factory=dict)  # (unit, round)
    out: dict[str, object] = field(default_factory=dict)  # step → CLI output (parsed JSON or text)
    files: dict[str, Path] = field(default_factory=dict)  # documents the year made


def run_year(folder: Path) -> Year:
    mp = pytest.MonkeyPatch()
    ledger = folder / "西吉2023.ledger"
    year = Year(folder, ledger)
    day = datetime

    # 1. the plan, the rounds, round 1's sheets
    with clock(mp, day(2023, 3, 1, 9)):
        cli("import", SEED_000, "-o", ledger)
        cli("rounds", ledger, "due", R1, R1_DUE.isoformat())
        cli("rounds", ledger, "due", R2, R2_DUE.isoformat())
    year.out["rounds"] = json.loads(cli("rounds", ledger, "--json")[1])
    sent1, sent1_word = folder / "发出1", folder / "发出1_word"
    with clock(mp, day(2023, 9, 1, 9)):
        cli("sheets", ledger, "-o", sent1, "--round", R1)
        cli("sheets", ledger, "-o", sent1_word, "--round", R1, "--unit", WORD_UNIT, "--format", "docx")
    sheets1 = {p.stem.rsplit("_", 1)[0]: p for p in sorted(sent1.glob("*.xlsx"))}
    year.units = list(sheets1)

    # 2. round 1 comes back: on time (2023-09-08), late (2023-09-14), one never
    back1, late1 = folder / "交回1", folder / "交回1_逾期"
    for unit, path in sheets1.items():
        _cols, rows = sheet_table(path)
        year.led[unit] = leads(rows)
        if unit == MISSING or unit == WORD_UNIT:
            continue
        fills = round1_fills(unit, rows)
        year.reported[(unit, R1)] = fills
        target = (late1 if unit == LATE_R1 else back1) / path.name
        fill_sheet(path, target, {s: row_fill(*v) for s, v in fills.items()},
                   saved=day(2023, 9, 13 if unit == LATE_R1 else 7, 16))
    [word_sheet] = sent1_word.glob("*.docx")
    _cols, word_rows = sheet_table(sheets1[WORD_UNIT])
    word_fills = round1_fills(WORD_UNIT, word_rows)
    year.reported[(WORD_UNIT, R1)] = word_fills
    fill_docx(word_sheet, {s: row_fill(*v) for s, v in word_fills.items()}, back1 / word_sheet.name)
    with clock(mp, day(2023, 9, 8, 10)):
        year.out["merge1"] = json.loads(cli("merge", ledger, back1, "--json")[1])
    with clock(mp, day(2023, 9, 14, 10)):
        year.out["merge1_late"] = json.loads(cli("merge", ledger, late1, "--json")[1])

    # 3. the 催报 letter for round 1
    remind = folder / "催报通知_第一次报送.docx"
    with clock(mp, day(2023, 9, 15, 9)):
        year.out["remind"] = cli("notice", ledger, "--kind", "remind", "--round", R1, "--date", "2023-09-15",
                                 "-o", remind)[1]
    year.files["remind"] = remind

    # 4. a report sent back for rework; round 2's sheets
    with clock(mp, day(2023, 9, 16, 9)):
        year.out["return_entry"] = cli("review", ledger, "--return-entry", REWORK_SEQ, "--unit", REWORK_UNIT,
                                       "--round", R1, "--reason", REWORK_REASON)[1]
    sent2 = folder / "发出2"
    with clock(mp, day(2023, 12, 20, 9)):
        cli("sheets", ledger, "-o", sent2, "--round", R2, *[a for u in ROUND2_UNITS for a in ("--unit", u)])
    sheets2 = {p.stem.rsplit("_", 1)[0]: p for p in sorted(sent2.glob("*.xlsx"))}
    year.files["sheet2"] = sheets2[REWORK_UNIT]
    year.out["sheet2_rows"] = {u: sheet_table(p)[1] for u, p in sheets2.items()}

    # 5. round 2 comes back (the rework fixed, an extension asked for); 县民政局 late
    back2, late2 = folder / "交回2", folder / "交回2_逾期"
    for unit, path in sheets2.items():
        reported = ROUND2[unit]
        year.reported[(unit, R2)] = reported
        fills = {s: row_fill(*v) for s, v in reported.items()}
        if unit == EXT_UNIT:
            fills[EXT_SEQ] |= {"申请延期至": EXT_TO, "延期理由": EXT_REASON}
        target = (late2 if unit == LATE_R2 else back2) / path.name
        fill_sheet(path, target, fills, saved=day(2024, 1, 7, 16) if unit == LATE_R2 else day(2023, 12, 27, 16))
    with clock(mp, day(2023, 12, 28, 10)):
        year.out["merge2"] = cli("merge", ledger, back2)[1]  # the text report the clerk reads
    with clock(mp, day(2024, 1, 8, 10)):
        year.out["merge2_late"] = json.loads(cli("merge", ledger, late2, "--json")[1])
    year.out["review_open"] = json.loads(cli("review", ledger, "--json")[1])
    [ext] = [i for i in year.out["review_open"]["items"] if i["kind"] == "extension"]
    with clock(mp, day(2024, 1, 9, 9)):
        year.out["accept"] = cli("review", ledger, "--accept", ext["id"])[1]
    year.out["review_all"] = json.loads(cli("review", ledger, "--json", "--all")[1])

    # exports
    for fmt in ("xlsx", "docx", "json"):
        path = folder / f"台账_年终.{fmt}"
        cli("export", ledger, "--format", fmt, "-o", path, "--as-of", AS_OF.isoformat())
        year.files[f"export_{fmt}"] = path
    year.out["export"] = json.loads(year.files["export_json"].read_text(encoding="utf-8"))

    # 6. scores
    year.out["weights"] = json.loads(cli("scores", ledger, "--weights", "--json")[1])
    scores_xlsx, scores_docx = folder / "考核得分.xlsx", folder / "考核得分.docx"
    year.out["scores"] = json.loads(cli("scores", ledger, "--json", "--as-of", AS_OF.isoformat(),
                                        "-o", scores_xlsx)[1])
    cli("scores", ledger, "--as-of", AS_OF.isoformat(), "-o", scores_docx)
    year.files["scores_xlsx"], year.files["scores_docx"] = scores_xlsx, scores_docx
    with clock(mp, day(2024, 1, 10, 9)):
        cli("scores", ledger, "--set-weight", "每项完成=3")
    year.out["weights_after"] = json.loads(cli("scores", ledger, "--weights", "--json")[1])
    year.out["scores_after"] = json.loads(cli("scores", ledger, "--json", "--as-of", AS_OF.isoformat())[1])

    # 7. the annual report's section; the 督办 notice
    report = folder / "年度报告_要点落实.docx"
    year.out["report"] = json.loads(cli("report", ledger, "-o", report, "--json", "--as-of", AS_OF.isoformat())[1])
    year.files["report"] = report
    supervise = folder / "督办通知.docx"
    cli("notice", ledger, "--kind", "supervise", "--as-of", AS_OF.isoformat(),
        "-o", supervise)
    year.files["supervise"] = supervise

    # 8. carry-over into next year's plan (seed 003)
    plan = folder / "兴庆2023.ledger"
    with clock(mp, day(2024, 1, 11, 9)):
        cli("import", SEED_003, "-o", plan)
    plan_json = folder / "计划_前.json"
    cli("export", plan, "--format", "json", "-o", plan_json)
    year.out["plan_before"] = json.loads(plan_json.read_text(encoding="utf-8"))
    old_bytes = ledger.read_bytes()
    with clock(mp, day(2024, 1, 12, 9)):
        year.out["carry"] = json.loads(cli("carry-over", ledger, "--into", plan, "--json")[1])
    year.out["old_unchanged"] = ledger.read_bytes() == old_bytes
    plan_after = folder / "计划_后.json"
    cli("export", plan, "--format", "json", "-o", plan_after)
    year.out["plan_after"] = json.loads(plan_after.read_text(encoding="utf-8"))
    return year


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Year:
    return run_year(tmp_path_factory.mktemp("year000"))


# --- what the year should have produced, computed here from the facts above --------------------------------


def state_of(year: Year, unit: str, round_name: str) -> str:
    if round_name == R1:
        return "missing" if unit == MISSING else "late" if unit == LATE_R1 else "on_time"
    if unit not in ROUND2_UNITS:
        return "not_sent"
    return "late" if unit == LATE_R2 else "on_time"


def tasks_by_seq(year: Year) -> dict[str, dict]:
    return {t["seq"]: t for t in year.out["export"]["tasks"]}


def latest_status(year: Year, unit: str, seq: str, upto: str) -> str | None:
    """The unit's last reported status of a task, in round order, up to `upto` (as the liaisons typed it)."""
    found = None
    for name in (R1, R2):
        if seq in year.reported.get((unit, name), {}):
            found = year.reported[(unit, name)][seq][0]
        if name == upto:
            break
    return found


def expected_round(year: Year, unit: str, round_name: str, w: dict) -> dict:
    """done / overdue / rework / score of one unit in one round, by app/core/scores.py's rules."""
    reported = year.reported.get((unit, round_name), {})
    done = sum(1 for status, _ in reported.values() if status == "已完成")
    due = R1_DUE if round_name == R1 else R2_DUE
    reference = min(due, AS_OF)
    tasks = tasks_by_seq(year)
    overdue = 0
    for seq in year.led[unit]:
        task = tasks[seq]
        own = [d for d in task["unit_deadlines"] if d["unit"] == unit]
        deadline = (own[0] if own else task)["deadline"]
        if deadline["kind"] != "date" or not deadline["date"]:
            continue
        if date.fromisoformat(deadline["date"]) < reference and latest_status(year, unit, seq, round_name) != "已完成":
            overdue += 1
    rework = 1 if (unit, round_name) == (REWORK_UNIT, R1) else 0
    state = state_of(year, unit, round_name)
    points = {"on_time": w["on_time"], "late": w["late"], "missing": w["missing"], "not_sent": 0}[state]
    return {"state": state, "done": done, "overdue": overdue, "rework": rework,
            "score": points + done * w["done"] + overdue * w["overdue"] + rework * w["rework"]}


# --- the claims --------------------------------------------------------------------------------------------


def test_the_ledger_has_two_rounds_with_their_due_days_and_every_unit_got_a_sheet(year):
    assert [(r["name"], r["due"]) for r in year.out["rounds"]] == [(R1, R1_DUE.isoformat()), (R2, R2_DUE.isoformat())]
    assert len(year.units) == 29 and MISSING in year.units and WORD_UNIT in year.units
    merged = year.out["merge1"]["files"] + year.out["merge1_late"]["files"]
    assert sorted(f["unit"] for f in merged) == sorted(u for u in year.units if u != MISSING)
    assert {f["outcome"] for f in merged} == {"merged"}
    word = [f for f in merged if f["unit"] == WORD_UNIT]
    assert word[0]["file"].endswith(".docx") and word[0]["applied"] == len(year.reported[(WORD_UNIT, R1)])
    for f in merged:  # every row a liaison filled was applied, nothing refused
        assert (f["applied"], f["conflicts"], f["rejected"]) == (len(year.reported[(f["unit"], R1)]), 0, 0), f["file"]


def test_the_remind_letter_names_exactly_the_unit_that_never_returned(year):
    assert "未报送 1 个单位（28 / 29 已报送）" in year.out["remind"]
    table = docx.Document(str(year.files["remind"])).tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert [r[1] for r in rows[1:]] == [MISSING]  # not 县医保局: it returned, late
    assert LATE_R1 not in year.out["remind"]


def test_late_and_on_time_are_measured_by_the_merge_day_against_the_due_day(year):
    by_round = {r["name"]: {u["unit"]: u for u in r["units"]} for r in year.out["scores"]["rounds"]}
    assert (by_round[R1][LATE_R1]["state"], by_round[R1][LATE_R1]["returned_at"]) == ("late", "2023-09-14T10:00:00")
    assert (by_round[R1][EXT_UNIT]["state"], by_round[R1][EXT_UNIT]["returned_at"]) == ("on_time", "2023-09-08T10:00:00")
    assert by_round[R1][MISSING]["state"] == "missing" and by_round[R1][MISSING]["returned_at"] is None
    assert (by_round[R2][LATE_R2]["state"], by_round[R2][LATE_R2]["returned_at"]) == ("late", "2024-01-08T10:00:00")


def test_a_returned_entry_shows_on_the_next_sheet_and_comes_back_fixed(year):
    assert f"序号{REWORK_SEQ}" in year.out["return_entry"] and REWORK_UNIT in year.out["return_entry"]
    rows = year.out["sheet2_rows"][REWORK_UNIT]
    assert rows[REWORK_SEQ]["审核意见"] == f"退回修改：{REWORK_REASON}"
    assert [s for s, r in rows.items() if r["审核意见"]] == [REWORK_SEQ]  # only that row carries a note
    assert not any(r["审核意见"] for r in year.out["sheet2_rows"][EXT_UNIT].values())
    assert f"退回修改的任务 {REWORK_SEQ} 已修改，退回事项已关闭" in year.out["merge2"]
    [item] = [i for i in year.out["review_all"]["items"] if i["kind"] == "rework"]
    assert (item["unit"], item["round"], item["state"]) == (REWORK_UNIT, R1, "fixed")
    assert not [i for i in year.out["review_open"]["items"] if i["kind"] == "rework"]  # closed by the merge
    fixed = [p for p in tasks_by_seq(year)[REWORK_SEQ]["progress"] if p["unit"] == REWORK_UNIT and p["round"] == R2]
    assert [p["text"] for p in fixed] == [REWORK_FIX]


def test_an_extension_asked_for_is_approved_and_shows_in_every_export(year):
    assert f"延期申请：任务 {EXT_SEQ} 申请延期至 {EXT_TO}" in year.out["merge2"]
    [item] = [i for i in year.out["review_open"]["items"] if i["kind"] == "extension"]
    assert (item["unit"], item["round"], item["state"]) == (EXT_UNIT, R2, "open")
    assert item["extension"] == {"extension_to": EXT_TO, "extension_date": EXT_TO, "extension_reason": EXT_REASON}
    assert "已批准延期至2024年3月31日" in year.out["accept"]
    [after] = [i for i in year.out["review_all"]["items"] if i["id"] == item["id"]]
    assert after["state"] == "accepted"

    task = tasks_by_seq(year)[EXT_SEQ]
    planned = task["deadline"]["text"]
    assert planned == "2023年12月底" and task["deadline"]["date"] == "2023-12-31"  # the plan's deadline stays
    [granted] = task["unit_deadlines"]
    assert granted["unit"] == EXT_UNIT and granted["reason"] == EXT_REASON
    assert granted["deadline"] == {"text": "2024年3月31日", "date": EXT_TO, "kind": "date"}
    assert granted["original"]["text"] == planned
    # the task has cooperating units, so the clause names the unit (app/core/deadlines_unit.deadline_cell)
    cell = f"原定{planned}，{EXT_UNIT}经批准延期至2024年3月31日"

    ws = openpyxl.load_workbook(year.files["export_xlsx"]).worksheets[0]
    top = header_row(ws)
    col = [ws.cell(top, c).value for c in range(1, ws.max_column + 1)].index("完成时限") + 1
    xlsx_cells = {str(ws.cell(r, 1).value): ws.cell(r, col).value for r in range(top + 1, ws.max_row + 1)}
    assert xlsx_cells[EXT_SEQ] == cell
    assert [s for s, v in xlsx_cells.items() if str(v).startswith("原定")] == [EXT_SEQ]

    table = docx.Document(str(year.files["export_docx"])).tables[0]
    header = [c.text for c in table.rows[0].cells]
    docx_cells = {row.cells[0].text: row.cells[header.index("完成时限")].text for row in table.rows[1:]}
    assert docx_cells[EXT_SEQ] == cell


def test_scores_are_what_the_weights_say_for_every_unit_and_round(year):
    weights = year.out["weights"]["weights"]
    assert weights == year.out["scores"]["weights"]
    scores = year.out["scores"]
    assert [r["name"] for r in scores["rounds"]] == [R1, R2]
    totals: dict[str, float] = {}
    for info in scores["rounds"]:
        got = {u["unit"]: u for u in info["units"]}
        assert sorted(got) == sorted(year.units), info["name"]
        for unit in year.units:
            want = expected_round(year, unit, info["name"], weights)
            assert {k: got[unit][k] for k in want} == want, (unit, info["name"])
            totals[unit] = totals.get(unit, 0) + want["score"]
    assert {u["unit"]: u["score"] for u in scores["units"]} == totals
    # the facts are what the story says: some late, one missing, rework and overdue counted
    assert expected_round(year, REWORK_UNIT, R1, weights)["rework"] == 1
    assert expected_round(year, LATE_R1, R1, weights)["state"] == "late"
    assert sum(expected_round(year, u, R2, weights)["overdue"] for u in year.units) > 20

    # the xlsx says the same: 汇总 (unit → 总分) and one sheet per round (unit → 得分)
    wb = openpyxl.load_workbook(year.files["scores_xlsx"])
    assert wb.sheetnames == ["汇总", R1, R2]

    def column(ws, name: str) -> dict[str, object]:
        top = next(r for r in range(1, 10) if ws.cell(r, 2).value == "单位")
        c = [ws.cell(top, c).value for c in range(1, ws.max_column + 1)].index(name) + 1
        return {ws.cell(r, 2).value: ws.cell(r, c).value for r in range(top + 1, ws.max_row + 1) if ws.cell(r, 2).value}

    assert column(wb["汇总"], "总分") == totals
    for name in (R1, R2):
        assert column(wb[name], "得分") == {u: expected_round(year, u, name, weights)["score"] for u in year.units}


def test_the_extension_spares_the_unit_an_overdue_task(year):
    by_round = {r["name"]: {u["unit"]: u for u in r["units"]} for r in year.out["scores"]["rounds"]}
    led_open = [s for s in year.led[EXT_UNIT] if latest_status(year, EXT_UNIT, s, R2) != "已完成"]
    assert EXT_SEQ in led_open
    assert by_round[R2][EXT_UNIT]["overdue"] == len(led_open) - 1  # all its open led tasks but the extended one


def test_changing_a_weight_moves_each_total_by_the_difference_times_the_count(year):
    before = {u["unit"]: u for u in year.out["scores"]["units"]}
    after = {u["unit"]: u for u in year.out["scores_after"]["units"]}
    assert year.out["weights_after"]["weights"] == {**year.out["weights"]["weights"], "done": 3}
    diff = 3 - year.out["weights"]["weights"]["done"]
    done = {u: sum(expected_round(year, u, r, year.out["weights"]["weights"])["done"] for r in (R1, R2))
            for u in year.units}
    assert {u: after[u]["score"] - before[u]["score"] for u in year.units} == {u: diff * done[u] for u in year.units}
    assert any(done.values())


def expected_report(year: Year) -> list[tuple[str, dict]]:
    """Per top-level section, from the JSON export: done when every lead unit's latest status is 已完成;
    not done when a lead unit reported 未按期完成 or the deadline (a lead unit's own, when approved) passed;
    in progress otherwise (long-term, reported 长期坚持, not yet due)."""
    order = {R1: 0, R2: 1}
    sections: dict[str, dict] = {}
    for task in year.out["export"]["tasks"]:
        counts = sections.setdefault(task["path"][0], {"tasks": 0, "done": 0, "in_progress": 0, "not_done": 0})
        counts["tasks"] += 1
        latest = {}
        for p in sorted(task["progress"], key=lambda p: order[p["round"]]):
            latest[p["unit"]] = p["status"]
        statuses = [latest.get(u) for u in task["lead_units"]]
        own = {d["unit"]: d["deadline"] for d in task["unit_deadlines"]}
        if all(s == "已完成" for s in statuses):
            kind = "done"
        elif "未按期完成" in statuses:
            kind = "not_done"
        elif task["deadline"]["kind"] == "long_term" or all(s == "长期坚持" for s in statuses):
            kind = "in_progress"
        else:
            passed = []
            for unit, status in zip(task["lead_units"], statuses):
                deadline = own.get(unit, task["deadline"])
                passed.append(status != "已完成" and deadline["date"] is not None
                              and date.fromisoformat(deadline["date"]) < AS_OF)
            kind = "not_done" if any(passed) else "in_progress"
        counts[kind] += 1
    return list(sections.items())


def test_the_annual_report_counts_each_section_from_the_ledger(year):
    data = year.out["report"]
    got = [(s["title"], {k: s[k] for k in ("tasks", "done", "in_progress", "not_done")}) for s in data["sections"]]
    want = expected_report(year)
    assert [t for t, _ in got] == [t for t, _ in want]
    assert sum(c["tasks"] for _, c in want) == 38 and sum(c["done"] for _, c in want) == 9
    assert got == want, "task 6 (县司法局, approved 延期 to 2024-03-31) is in progress on 2024-01-10, not 未完成"


def test_the_annual_report_document_has_the_counts(year):
    text = "\n".join(p.text for p in docx.Document(str(year.files["report"])).paragraphs)
    for title, counts in (( s["title"], s) for s in year.out["report"]["sections"]):
        assert (f"本方面共{counts['tasks']}项任务，已完成{counts['done']}项，推进中{counts['in_progress']}项，"
                f"未完成{counts['not_done']}项。") in text, title


def test_carry_over_links_matching_tasks_and_adds_the_rest_once(year):
    report = year.out["carry"]
    before, after = year.out["plan_before"], year.out["plan_after"]
    old = year.out["export"]
    title = old["title"]
    old_tasks = tasks_by_seq(year)
    unfinished = {s for s, kind in task_kinds(year).items()
                  if kind != "done" or old_tasks[s]["deadline"]["kind"] == "long_term"}
    assert report["carried"] == len(unfinished) == 29
    assert report["linked"] + report["added"] == report["carried"] and report["linked"] > 0 and report["added"] > 0
    assert year.out["old_unchanged"]
    # linked, not duplicated: the plan's tasks all stay (same ids, once each), only the unmatched are added
    before_ids = [t["id"] for t in before["tasks"]]
    after_ids = [t["id"] for t in after["tasks"]]
    assert len(after_ids) == len(set(after_ids)) == len(before_ids) + report["added"]
    assert set(before_ids) <= set(after_ids)
    lines = {}
    for t in after["tasks"]:
        for line in t["notes"].split("\n"):
            if line.startswith("上年延续："):
                assert line.startswith(f"上年延续：{title} 序号 ")
                lines.setdefault(line.rsplit(" ", 1)[1], []).append(t["id"])
    assert sorted(lines, key=int) == sorted(unfinished, key=int)
    assert all(len(ids) == 1 for ids in lines.values())  # no old task carried twice
    by_id = {t["id"]: t for t in after["tasks"]}
    for link in report["links"]:
        assert lines[link["old_seq"]] == [link["task"]]
        if link["how"] == "linked":
            assert link["task"] in before_ids
        else:
            assert link["how"] == "copied" and link["task"] not in before_ids
            assert len(by_id[link["task"]]["path"]) == 1 and by_id[link["task"]]["path"][0].endswith("上年延续任务")
            assert by_id[link["task"]]["content"] == tasks_by_seq(year)[link["old_seq"]]["content"]
    added = sorted(t["content"] for t in after["tasks"] if t["id"] not in before_ids)
    assert added == sorted(old_tasks[link["old_seq"]]["content"] for link in report["links"] if link["how"] == "copied")
    assert not set(added) & {t["content"] for t in before["tasks"]}  # nothing the plan already had was added


def task_kinds(year: Year) -> dict[str, str]:
    """seq → done / open (every lead unit's latest status 已完成, as app/core/status decides)."""
    order = {R1: 0, R2: 1}
    out = {}
    for task in year.out["export"]["tasks"]:
        latest = {}
        for p in sorted(task["progress"], key=lambda p: order[p["round"]]):
            latest[p["unit"]] = p["status"]
        out[task["seq"]] = "done" if all(latest.get(u) == "已完成" for u in task["lead_units"]) else "open"
    return out
