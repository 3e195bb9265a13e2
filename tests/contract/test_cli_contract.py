"""The command-line contract (shared/contracts/CLI.md), checked from outside.

Every call goes through a real process: `python -m app ...`, and the installed console script
`ledgerdesk` where the contract says the two are identical. Inputs are the seed documents.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.contract.harness import (
    CJK,
    DEADLINE_KINDS,
    PROGRESS_KEYS,
    ROUND1,
    TASK_KEYS,
    TOP_KEYS,
    UNIT,
    assert_unchanged,
    export_json,
    ok,
    one_line_error,
    png_size,
    run,
    run_many,
    seed,
    snapshot,
    stray_files,
    tasks_of,
    xlsx_rows,
)

COMMANDS = ["new", "import", "export", "sheets", "package", "merge", "stats", "gui", "undo-merge"]
LEDGER_HEADERS = ["序号", "重点工作", "主要内容", "量化指标", "责任单位", "配合单位", "完成时限", "进展落实情况"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """Seeds 000, 002 and 003 imported through the CLI, and their contract JSON (built once)."""
    folder = tmp_path_factory.mktemp("built")
    keys = ("000", "002", "003")
    imports = run_many([("import", seed(k), "-o", folder / f"{k}.ledger") for k in keys])
    for result in imports:
        ok(result)
    exports = run_many([("export", folder / f"{k}.ledger", "--format", "json", "-o", folder / f"{k}.json")
                        for k in keys])
    for result in exports:
        ok(result)
    data = {k: json.loads((folder / f"{k}.json").read_text(encoding="utf-8")) for k in keys}
    return {"folder": folder, "imports": dict(zip(keys, imports)), "json": data,
            "ledger": {k: folder / f"{k}.ledger" for k in keys}}


@pytest.fixture
def ledger(built, tmp_path) -> Path:
    """A private copy of the seed-000 ledger, in a folder of its own."""
    path = tmp_path / "work" / "台账.ledger"
    path.parent.mkdir()
    shutil.copyfile(built["ledger"]["000"], path)
    return path


# ---------------------------------------------------------------- entry points and --help



@pytest.fixture(scope="module")
def helps() -> dict:
    return dict(zip(COMMANDS, run_many([(cmd, "--help") for cmd in COMMANDS])))


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_contract_command_has_help(helps, cmd):
    result = ok(helps[cmd])
    assert f"usage: ledgerdesk {cmd}" in result.out and CJK.search(result.out), str(result)
    assert result.err == "", str(result)


def test_console_script_and_module_are_the_same_program(ledger, built):
    by_module, by_script = run("--help"), run("--help", script=True)
    assert by_module.code == by_script.code == 0 and by_module.out == by_script.out
    module_stats = ok(run("stats", ledger, "--json", "--as-of", "2023-10-01"))
    script_stats = ok(run("stats", ledger, "--json", "--as-of", "2023-10-01", script=True))
    assert json.loads(module_stats.out) == json.loads(script_stats.out)
    out = ledger.parent / "by_script.json"
    ok(run("export", ledger, "--format", "json", "-o", out, script=True))
    assert json.loads(out.read_text(encoding="utf-8")) == built["json"]["000"]


def test_console_script_reports_bad_input_in_one_line(tmp_path):
    result = run("stats", tmp_path / "缺失.ledger", script=True)
    one_line_error(result, "缺失.ledger")


# ---------------------------------------------------------------- new

def test_new_creates_an_empty_ledger(tmp_path):
    path = tmp_path / "新台账.ledger"
    ok(run("new", path, "--title", "测试县2024年政务公开工作要点任务落实台账", "--year", "2024"))
    data = export_json(path, tmp_path / "new.json")
    assert data["format"] == "ledgerdesk/1"
    assert (data["title"], data["year"]) == ("测试县2024年政务公开工作要点任务落实台账", 2024)
    assert data["tasks"] == [] and data["rounds"] == [] and data["units"] == []
    assert stray_files(tmp_path) == []


def test_new_refuses_an_existing_ledger(ledger):
    before = snapshot(ledger.parent)
    one_line_error(run("new", ledger, "--title", "另一本"), ledger.name)
    assert_unchanged(before, ledger.parent)


# ---------------------------------------------------------------- import

def test_import_prints_the_summary(built):
    result = built["imports"]["000"]
    assert seed("000").name in result.out
    for word, count in (("章节", "4"), ("任务", "38"), ("单位", "31"), ("轮次", "2")):
        assert re.search(rf"{word}[^\n]*?(?<!\d){count}(?!\d)", result.out), f"no {word} {count} in summary\n{result}"
    assert "第一次报送" in result.out and "2023" in result.out


def test_import_prints_every_warning(built):
    """Seed 002 has two tasks without a deadline; each is a warning line, and the count matches."""
    result = built["imports"]["002"]
    lines = result.out.splitlines()
    header = next(ln for ln in lines if "警告" in ln)
    count = int(re.search(r"(\d+)", header).group(1))
    warnings = lines[lines.index(header) + 1:]
    assert len(warnings) == count > 0, str(result)
    no_deadline = [t for t in built["json"]["002"]["tasks"] if t["deadline"]["kind"] == "none"]
    assert len(no_deadline) == 2
    assert sum("时限" in w for w in warnings) >= len(no_deadline), warnings
    for task in no_deadline:
        assert any(task["content"][:12] in w for w in warnings), f"no warning for {task['content'][:20]}"


def test_import_leaves_nothing_behind(built):
    assert stray_files(built["folder"]) == []


# ---------------------------------------------------------------- export --format json

def test_export_json_has_the_contract_shape(built):
    for key, data in built["json"].items():
        assert TOP_KEYS <= set(data), key
        assert data["format"] == "ledgerdesk/1"
        assert isinstance(data["title"], str) and data["title"]
        assert isinstance(data["year"], int)
        for rnd in data["rounds"]:
            assert {"name", "due"} <= set(rnd) and isinstance(rnd["name"], str)
            assert rnd["due"] is None or date.fromisoformat(rnd["due"])
        for unit in data["units"]:
            assert {"name", "aliases"} <= set(unit) and isinstance(unit["aliases"], list)
        names = {u["name"] for u in data["units"]}
        for task in data["tasks"]:
            assert TASK_KEYS <= set(task), (key, sorted(TASK_KEYS - set(task)))
            assert isinstance(task["id"], str) and task["id"]
            assert isinstance(task["path"], list) and all(isinstance(p, str) and p for p in task["path"])
            for field in ("key_work", "content", "metric"):
                assert isinstance(task[field], str)
            assert task["content"]
            assert set(task["lead_units"]) | set(task["coop_units"]) <= names, key
            dl = task["deadline"]
            assert {"text", "date", "kind"} <= set(dl) and dl["kind"] in DEADLINE_KINDS
            assert dl["date"] is None or date.fromisoformat(dl["date"])
            for entry in task["progress"]:
                assert PROGRESS_KEYS <= set(entry)
        ids = [t["id"] for t in data["tasks"]]
        assert len(set(ids)) == len(ids), f"{key}: task ids are not unique"


def test_export_json_content_of_seed_000(built):
    data = built["json"]["000"]
    assert data["title"] == "西吉县2023年政务公开工作要点任务落实台账" and data["year"] == 2023
    assert [(r["name"], r["due"]) for r in data["rounds"]] == [("第一次报送", "2023-09-10"), ("第二次报送", "2023-12-01")]
    assert len(data["tasks"]) == 38
    first = data["tasks"][0]
    assert first["path"] == ["一、深化重点领域信息公开"] and first["key_work"] == "围绕高质量发展推进信息公开"
    assert first["content"].startswith("聚焦乡村振兴") and first["content"].endswith("提振市场信心。")
    assert first["metric"] == "查看网站、政务新媒体信息发布情况，参考报送的相关资料"
    assert first["lead_units"] == ["县人民政府办公室"] and "各乡镇人民政府" in first["coop_units"]
    assert first["deadline"] == {"text": "2023年12月底", "date": "2023-12-31", "kind": "date"}
    groups = {u["name"]: u for u in data["units"]}
    assert "各乡镇人民政府" in groups and "各部门（单位）" in groups


def test_export_json_seq_is_the_documents_number(built):
    """000 numbers its tasks 1..38; prose plans restart per heading, unnumbered tasks get one in order."""
    assert [t["seq"] for t in built["json"]["000"]["tasks"]] == [str(n) for n in range(1, 39)]
    for key in ("002", "003"):
        tasks = built["json"][key]["tasks"]
        assert all(re.fullmatch(r"\d+", t["seq"]) for t in tasks), [t["seq"] for t in tasks]
        previous: dict[tuple, int] = {}
        for task in tasks:
            path, seq = tuple(task["path"]), int(task["seq"])
            assert seq > previous.get(path, 0), f"{key}: seq {seq} under {path} is out of document order"
            previous[path] = seq


def test_export_json_deadline_kinds(built):
    def find(key: str, text: str) -> dict:
        return next(t["deadline"] for t in built["json"][key]["tasks"] if text in t["deadline"]["text"])

    assert find("000", "长期坚持")["kind"] == "long_term"
    assert find("002", "2018年6月30日前完成并长期坚持") == {
        "text": "2018年6月30日前完成并长期坚持", "date": "2018-06-30", "kind": "long_term"}
    assert find("002", "闭幕后5天内")["kind"] == "relative"
    assert find("002", "相关要求时限推进")["kind"] == "per_superior"
    assert find("003", "2023年10月") == {"text": "2023年10月", "date": "2023-10-31", "kind": "date"}
    none = [t["deadline"] for t in built["json"]["002"]["tasks"] if t["deadline"]["kind"] == "none"]
    assert none and all(d["date"] is None for d in none)
    for data in built["json"].values():
        for task in data["tasks"]:
            if task["deadline"]["kind"] == "date":
                assert task["deadline"]["date"], task["deadline"]


def test_export_json_is_stable_across_exports_and_an_xlsx_round_trip(ledger, built, tmp_path):
    again = export_json(ledger, tmp_path / "again.json")
    assert again == built["json"]["000"]
    ok(run("export", ledger, "--format", "xlsx", "-o", tmp_path / "台账.xlsx"))
    ok(run("import", tmp_path / "台账.xlsx", "-o", tmp_path / "reimported.ledger"))
    back = export_json(tmp_path / "reimported.ledger", tmp_path / "back.json")
    assert [t["id"] for t in back["tasks"]] == [t["id"] for t in again["tasks"]]
    fields = ("seq", "path", "key_work", "content", "metric", "lead_units", "coop_units", "deadline")
    assert [{f: t[f] for f in fields} for t in back["tasks"]] == [{f: t[f] for f in fields} for t in again["tasks"]]


def test_export_json_unit_filter(ledger, built, tmp_path):
    data = export_json(ledger, tmp_path / "unit.json", "--unit", UNIT)
    expected = [t["id"] for t in tasks_of(built["json"]["000"], UNIT)]
    assert [t["id"] for t in data["tasks"]] == expected and len(expected) == 6


# ---------------------------------------------------------------- export xlsx / docx

def _ledger_table_rows(path: Path) -> tuple[list, list[list]]:
    rows = xlsx_rows(path)
    h = next(i for i, row in enumerate(rows) if [str(v) for v in row[:8]] == LEDGER_HEADERS)
    tasks = [r for r in rows[h + 1:] if r[0] is not None and re.fullmatch(r"\d+", str(r[0]).strip())]
    return rows[h], tasks


def test_export_xlsx_is_the_standard_ledger_table(ledger, built, tmp_path):
    out = tmp_path / "台账.xlsx"
    ok(run("export", ledger, "--format", "xlsx", "-o", out))
    _, tasks = _ledger_table_rows(out)
    data = built["json"]["000"]
    assert [str(r[0]).strip() for r in tasks] == [t["seq"] for t in data["tasks"]]
    first = tasks[0]
    assert first[1] == data["tasks"][0]["key_work"] and first[2] == data["tasks"][0]["content"]
    assert first[4] == "县人民政府办公室" and first[6] == "2023年12月底"
    rows = xlsx_rows(out)
    assert any(data["title"] in str(v) for row in rows[:3] for v in row if v)


def test_export_xlsx_and_docx_for_one_unit(ledger, built, tmp_path):
    results = run_many([("export", ledger, "--format", "xlsx", "-o", tmp_path / "u.xlsx", "--unit", UNIT),
                        ("export", ledger, "--format", "docx", "-o", tmp_path / "u.docx", "--unit", UNIT,
                         "--round", ROUND1)])
    for result in results:
        ok(result)
    expected = [t["seq"] for t in tasks_of(built["json"]["000"], UNIT)]
    _, tasks = _ledger_table_rows(tmp_path / "u.xlsx")
    assert [str(r[0]).strip() for r in tasks] == expected

    import docx

    table = docx.Document(str(tmp_path / "u.docx")).tables[0]
    assert [c.text.strip() for c in table.rows[0].cells][:8] == LEDGER_HEADERS
    seqs = [row.cells[0].text.strip() for row in table.rows[1:]]
    assert [s for s in seqs if re.fullmatch(r"\d+", s)] == expected


# ---------------------------------------------------------------- stats

def test_stats_json_by_unit_status_and_overdue(ledger, built):
    data = built["json"]["000"]
    early, late = run_many([("stats", ledger, "--json", "--as-of", "2023-06-01"),
                            ("stats", ledger, "--json", "--as-of", "2024-01-01")])
    early, late = json.loads(ok(early).out), json.loads(ok(late).out)
    assert early["as_of"] == "2023-06-01" and late["as_of"] == "2024-01-01"
    for report in (early, late):
        assert report["tasks"] == 38 and sum(report["by_status"].values()) == 38
    overdue = {t["id"] for t in data["tasks"] if t["deadline"]["kind"] == "date" and t["deadline"]["date"] < "2024-01-01"}
    assert {t["id"] for t in late["overdue"]} == overdue and len(overdue) == 37
    assert early["overdue"] == []
    for row in late["by_unit"]:
        led = sum(row["unit"] in t["lead_units"] for t in data["tasks"])
        coop = sum(row["unit"] in t["coop_units"] and row["unit"] not in t["lead_units"] for t in data["tasks"])
        assert (row["led"], row["cooperating"]) == (led, coop), row


def test_stats_text_report(ledger):
    result = ok(run("stats", ledger, "--as-of", "2024-01-01"))
    assert "2024-01-01" in result.out and "县人民政府办公室" in result.out and "38" in result.out


# ---------------------------------------------------------------- gui --screenshot

def test_gui_screenshot_renders_offscreen_and_leaves_the_ledger_alone(ledger, tmp_path):
    before = snapshot(ledger.parent)
    shots = tmp_path / "shots"
    shots.mkdir()
    with_ledger, empty = run_many([("gui", ledger, "--screenshot", shots / "ledger.png"),
                                   ("gui", "--screenshot", shots / "empty.png")])
    ok(with_ledger), ok(empty)
    for name in ("ledger.png", "empty.png"):
        width, height = png_size(shots / name)
        assert width >= 640 and height >= 400
    assert (shots / "ledger.png").read_bytes() != (shots / "empty.png").read_bytes()
    assert_unchanged(before, ledger.parent)
