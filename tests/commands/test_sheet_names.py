"""`sheets` and `package` with unit names that are no good as file names.

"县:民政局" and "县*民政局" both become "县_民政局…" (the second gets " (2)"), a name of 90
characters is shortened, a control character replaced, "NUL.局" and "con.txt" prefixed: every
sheet is written, `sheets` says what it renamed, the ledger records the names written, and
`merge` of the folder still finds each file's unit through the hidden data.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.core.records import Deadline, LedgerDocument, Progress, Round, Task, Unit
from app.formats.returns.layout import sheet_file_names
from app.formats.safe_names import INVALID_CHARS, STEM_BYTES, is_control, is_reserved
from app.ledger import Ledger
from tests.merge_fixtures import run_main

ROUND = "第一次报送"
LONG = "县" + "乡村振兴与农业农村现代化建设" * 7 + "局"  # 100 characters
AWKWARD = ("县:民政局", "县*民政局", LONG, LONG + "二", "县\x07司法局", "NUL.局", "con.txt", "Aux",
           "县财政局/县审计局", "ABC局", "abc局")
CLEAN = {"Aux", "ABC局"}  # their names need no change


def awkward_ledger(folder: Path) -> Path:
    """A ledger built through Ledger.create_from_document: one task led by each awkward unit."""
    doc = LedgerDocument(title="测试县2023年工作要点", year=2023, office="县人民政府办公室", ledger_id="L-names")
    doc.units = [Unit(name, "department") for name in AWKWARD]
    doc.rounds = [Round(ROUND, date(2023, 9, 10))]
    for i, unit in enumerate(AWKWARD, start=1):
        doc.tasks.append(Task(f"t{i:03d}", str(i), content=f"第{i}项任务的内容。", lead_units=[unit],
                              deadline=Deadline("2023年12月底", date(2023, 12, 31), "date")))
        doc.progress.append(Progress(f"t{i:03d}", unit, ROUND, status="进行中", text=f"第{i}项进展"))
    path = folder / "台账.ldg"
    Ledger.create_from_document(path, doc, source="test").close()
    return path


def windows_safe(name: str) -> bool:
    stem = name.rsplit(".", 1)[0]
    return (not any(ch in INVALID_CHARS or is_control(ch) for ch in name) and not is_reserved(name)
            and stem == stem.rstrip(". ") and len(stem.encode("utf-8")) <= STEM_BYTES)


@pytest.fixture
def ledger(tmp_path) -> Path:
    return awkward_ledger(tmp_path)


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_sheets_writes_one_safe_unique_file_per_unit_and_says_what_it_renamed(ledger, tmp_path, capsys, fmt):
    out = tmp_path / "out"
    code, stdout, err = run_main(capsys, "sheets", ledger, "-o", out, "--format", fmt)
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == len(AWKWARD) and f"共生成 {len(AWKWARD)} 份填报表" in stdout
    assert len({n.casefold() for n in names}) == len(names)
    assert all(windows_safe(n) for n in names), names
    assert f"单位“县:民政局”的文件名改为“县_民政局_{ROUND}.{fmt}”（文件名中不能含 :）" in stdout
    assert f"单位“县*民政局”的文件名改为“县_民政局_{ROUND} (2).{fmt}”" in stdout
    assert "与单位“县:民政局”的文件名" in stdout
    assert "单位“县\\x07司法局”的文件名改为" in stdout and "\x07" not in stdout
    assert f"“_NUL.局_{ROUND}.{fmt}”" in stdout and f"“_con.txt_{ROUND}.{fmt}”" in stdout
    assert f"“abc局_{ROUND} (2).{fmt}”（与单位“ABC局”的文件名“ABC局_{ROUND}.{fmt}”相同（Windows 不区分大小写））" in stdout
    renamed = [u for u in AWKWARD if f"单位“{u.replace(chr(7), chr(92) + 'x07')}”的文件名改为" in stdout]
    assert set(renamed) == set(AWKWARD) - CLEAN
    long_names = [n for n in names if n.startswith(LONG[:10])]
    assert len(long_names) == 2 and all(f"_{ROUND}" in n for n in long_names) and long_names[0] != long_names[1]
    with Ledger.open(ledger, readonly=True) as led:
        recorded = {d.unit: d.file_name for d in led.dispatches()}
    assert set(recorded) == set(AWKWARD) and sorted(recorded.values()) == names


def test_merge_of_the_folder_finds_every_unit_through_the_hidden_data(ledger, tmp_path, capsys):
    out = tmp_path / "out"
    assert run_main(capsys, "sheets", ledger, "-o", out)[0] == 0
    with Ledger.open(ledger, readonly=True) as led:
        unit_of = {d.file_name: d.unit for d in led.dispatches()}
    code, stdout, err = run_main(capsys, "merge", ledger, out, "--dry-run", "--json")
    assert code == 0, err
    files = json.loads(stdout)["files"]
    assert sorted(f["file"] for f in files) == sorted(unit_of)
    for f in files:
        assert f["unit"] == unit_of[f["file"]], f
        assert (f["identified_by"], f["signature"], f["doubts"]) == ("隐藏数据", "valid", []), f


def test_package_names_the_file_safely(ledger, tmp_path, capsys):
    out = tmp_path / "pkg"
    out.mkdir()
    for unit in ("县:民政局", LONG, "县\x07司法局", "NUL.局"):
        code, _stdout, err = run_main(capsys, "package", ledger, "--unit", unit, "-o", out)
        assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4 and all(windows_safe(n) for n in names), names
    assert f"县_民政局_{ROUND}.ldpkg" in names and f"_NUL.局_{ROUND}.ldpkg" in names
    with Ledger.open(ledger, readonly=True) as led:
        assert sorted(d.file_name for d in led.dispatches()) == names



@pytest.mark.parametrize("unit", ["CON", "prn.局", "Aux.txt", "nul", "COM1.x", "com9", "LPT1", "lpt9.局", "CON .txt"])
def test_windows_device_names_are_never_written(unit):
    """Alone a device name is reserved with any extension; "_轮次" saves most, those with a dot need the "_"."""
    [name] = sheet_file_names([unit], ROUND, ".xlsx")
    assert windows_safe(name.name) and not is_reserved(name.name)
    assert name.renamed == ("." in unit)  # "CON_第一次报送" is no device name, "CON.txt_第一次报送" is


@pytest.mark.parametrize("unit, why", [
    ("县:民政局", "文件名中不能含 :"), ("县<a>|?\"局", "文件名中不能含 < > | ? \""), ("县\t局", "文件名中不能含控制字符"),
    ("县\x7f局", "文件名中不能含控制字符"), (" 县局", "文件名开头不能是空格"), ("局" * 60, "名称过长"),
])
def test_every_rename_says_why(unit, why):
    [name] = sheet_file_names([unit], ROUND, ".xlsx")
    assert name.renamed and windows_safe(name.name) and any(r.startswith(why) for r in name.reasons), name


def test_names_are_unique_as_windows_compares_them_and_numbered_names_keep_the_limit():
    units = ["县:局", "县*局", "县?局", "Ab局", "aB局", "局" * 60, "局" * 60 + "乙"]
    names = sheet_file_names(units, ROUND, ".xlsx")
    assert [n.name for n in names[:3]] == [f"县_局_{ROUND}.xlsx", f"县_局_{ROUND} (2).xlsx", f"县_局_{ROUND} (3).xlsx"]
    assert names[4].name == f"aB局_{ROUND} (2).xlsx"
    assert len({n.name.casefold() for n in names}) == len(units) and all(windows_safe(n.name) for n in names)
    assert names[5].name.endswith(f"_{ROUND}.xlsx") and names[5].name != names[6].name
    [again] = sheet_file_names(["局" * 60], "轮" * 60, ".xlsx")
    assert windows_safe(again.name)


def test_packages_of_units_whose_names_collide_do_not_overwrite_each_other(tmp_path):
    """县:民政局 and 县*民政局 both become 县_民政局_…ldpkg: the second call must not replace the first."""
    from app.core.records import LedgerDocument, Round, Task, Unit
    from app.formats.returns import load_liaison_file
    from app.ledger import Ledger
    from app.sending import make_package

    units = ["县:民政局", "县*民政局"]
    doc = LedgerDocument(title="测试台账", units=[Unit(u) for u in units], rounds=[Round("第一次报送")],
                         tasks=[Task(id=f"t{i}", seq=str(i + 1), content=f"任务{i + 1}", lead_units=[u])
                                for i, u in enumerate(units)])
    path = tmp_path / "台账.ledger"
    Ledger.create_from_document(path, doc, source="test").close()
    out = tmp_path / "packages"
    out.mkdir()
    with Ledger.open(path) as led:
        written = [make_package(led, unit, out) for unit in units]
        again = make_package(led, units[0], out)  # a second package for the same unit replaces its own
    assert len(set(written)) == 2 and again == written[0]
    assert sorted(load_liaison_file(p).unit for p in out.iterdir()) == sorted(units)
