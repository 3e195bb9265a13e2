"""Bad input, for every contract command: non-zero exit, exactly one Chinese line on stderr naming
the file, no traceback, and every file next to the ledger byte-for-byte as it was (no -journal,
.lock or .tmp left behind, no half-written output).

All cases run once, side by side, in a module fixture (each is a process start); the tests then
read the recorded outcome, one test per case and rule so that a report names exactly what broke.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import pytest

from tests.contract.harness import (
    ROUND1,
    UNIT,
    assert_unchanged,
    ok,
    one_line_error,
    png_bytes,
    run,
    run_many,
    seed,
    snapshot,
    stray_files,
)

LEDGER = "台账.ledger"


@dataclass
class Case:
    id: str
    argv: tuple[str, ...]
    names: tuple[str, ...]
    marks: list = field(default_factory=list)
    names_ledger: bool = False  # an unknown unit/round: the ledger is the file involved


CASES = [
    # new
    Case("new-existing", ("new", "{L}", "--title", "另一本"), (LEDGER,)),
    Case("new-year-not-a-number", ("new", "{D}/新.ledger", "--title", "X", "--year", "abc"), ("abc",)),
    # import
    Case("import-missing-doc", ("import", "{D}/缺失.docx", "-o", "{D}/新.ledger"), ("缺失.docx",)),
    Case("import-png-as-xlsx", ("import", "{D}/picture.xlsx", "-o", "{D}/新.ledger"), ("picture.xlsx",)),
    Case("import-not-a-plan", ("import", "{D}/notes.ledger", "-o", "{D}/新.ledger"), ("notes.ledger",)),
    Case("import-over-existing", ("import", "{SEED}", "-o", "{L}"), (LEDGER,)),
    Case("import-force-bad-doc", ("import", "{D}/picture.xlsx", "-o", "{L}", "--force"), ("picture.xlsx",)),
    # export
    Case("export-missing-ledger", ("export", "{D}/缺失.ledger", "-f", "json", "-o", "{D}/x.json"), ("缺失.ledger",)),
    Case("export-not-a-ledger", ("export", "{D}/notes.ledger", "-f", "json", "-o", "{D}/x.json"), ("notes.ledger",)),
    Case("export-png-as-ledger", ("export", "{D}/picture.xlsx", "-f", "xlsx", "-o", "{D}/x.xlsx"), ("picture.xlsx",)),
    Case("export-unknown-unit", ("export", "{L}", "-f", "xlsx", "-o", "{D}/x.xlsx", "--unit", "不存在局"),
         ("不存在局",), names_ledger=True),
    Case("export-unknown-round", ("export", "{L}", "-f", "docx", "-o", "{D}/x.docx", "--round", "第九次报送"),
         ("第九次报送",), names_ledger=True),
    Case("export-bad-as-of", ("export", "{L}", "-f", "xlsx", "-o", "{D}/x.xlsx", "--as-of", "2023-02-30"),
         ("2023-02-30",)),
    Case("export-missing-out-folder", ("export", "{L}", "-f", "json", "-o", "{D}/无此文件夹/x.json"), ("x.json",)),
    Case("export-unknown-format", ("export", "{L}", "-f", "pdf", "-o", "{D}/x.pdf"), ("pdf",)),
    # sheets
    Case("sheets-missing-ledger", ("sheets", "{D}/缺失.ledger", "-o", "{D}/out"), ("缺失.ledger",)),
    Case("sheets-not-a-ledger", ("sheets", "{D}/notes.ledger", "-o", "{D}/out"), ("notes.ledger",)),
    Case("sheets-unknown-round", ("sheets", "{L}", "-o", "{D}/out", "--round", "第九次报送"), ("第九次报送",),
         names_ledger=True),
    Case("sheets-unknown-unit", ("sheets", "{L}", "-o", "{D}/out", "--unit", "不存在局", "--round", ROUND1),
         ("不存在局",), names_ledger=True),
    Case("sheets-out-is-a-file", ("sheets", "{L}", "-o", "{D}/notes.ledger", "--round", ROUND1), ("notes.ledger",)),
    # package
    Case("package-missing-ledger", ("package", "{D}/缺失.ledger", "--unit", UNIT, "-o", "{D}/p.ldpkg"),
         ("缺失.ledger",)),
    Case("package-not-a-ledger", ("package", "{D}/notes.ledger", "--unit", UNIT, "-o", "{D}/p.ldpkg"),
         ("notes.ledger",)),
    Case("package-unknown-unit", ("package", "{L}", "--unit", "不存在局", "-o", "{D}/p.ldpkg"), ("不存在局",),
         names_ledger=True),
    Case("package-wrong-extension", ("package", "{L}", "--unit", UNIT, "-o", "{D}/p.dat"), ("p.dat",)),
    # merge
    Case("merge-missing-ledger", ("merge", "{D}/缺失.ledger", "{D}/picture.xlsx"), ("缺失.ledger",)),
    Case("merge-not-a-ledger", ("merge", "{D}/notes.ledger", "{D}/picture.xlsx"), ("notes.ledger",)),
    Case("merge-png-as-xlsx", ("merge", "{L}", "{D}/picture.xlsx"), ("picture.xlsx",)),
    Case("merge-png-as-xlsx-json", ("merge", "{L}", "{D}/picture.xlsx", "--json"), ("picture.xlsx",)),
    Case("merge-missing-file", ("merge", "{L}", "{D}/缺失.xlsx"), ("缺失.xlsx",)),
    Case("merge-missing-folder", ("merge", "{L}", "{D}/无此文件夹"), ("无此文件夹",)),
    Case("merge-empty-folder", ("merge", "{L}", "{D}/空文件夹"), ("空文件夹",)),
    # stats
    Case("stats-missing-ledger", ("stats", "{D}/缺失.ledger"), ("缺失.ledger",)),
    Case("stats-not-a-ledger", ("stats", "{D}/notes.ledger", "--json"), ("notes.ledger",)),
    Case("stats-png-as-ledger", ("stats", "{D}/picture.xlsx"), ("picture.xlsx",)),
    Case("stats-bad-as-of-date", ("stats", "{L}", "--as-of", "2023-02-30"), ("2023-02-30",)),
    Case("stats-bad-as-of-word", ("stats", "{L}", "--json", "--as-of", "yesterday"), ("yesterday",)),
    # gui
    Case("gui-missing-ledger", ("gui", "{D}/缺失.ledger", "--screenshot", "{D}/shot.png"), ("缺失.ledger",)),
    Case("gui-not-a-ledger", ("gui", "{D}/notes.ledger", "--screenshot", "{D}/shot.png"), ("notes.ledger",)),
    # undo-merge
    Case("undo-unknown-batch", ("undo-merge", "{L}", "no-such-batch"), ("no-such-batch",)),
    Case("undo-not-a-ledger", ("undo-merge", "{D}/notes.ledger", "no-such-batch"), ("notes.ledger",)),
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, seed000) -> dict:
    """Run every case in a folder of its own: a ledger, a text file, a PNG named .xlsx, an empty folder."""
    root = tmp_path_factory.mktemp("bad")
    template = seed000.path
    jobs, folders = [], {}
    for case in CASES:
        folder = root / case.id
        (folder / "空文件夹").mkdir(parents=True)
        shutil.copyfile(template, folder / LEDGER)
        (folder / "notes.ledger").write_text("这不是台账，只是一段文字。\n", encoding="utf-8")
        (folder / "picture.xlsx").write_bytes(png_bytes())
        subst = {"{L}": str(folder / LEDGER), "{D}": str(folder), "{SEED}": str(seed("000"))}
        argv = []
        for arg in case.argv:
            for key, value in subst.items():
                arg = arg.replace(key, value)
            argv.append(arg)
        folders[case.id] = (folder, snapshot(folder))
        jobs.append(tuple(argv))
    results = run_many(jobs)
    return {case.id: (result, *folders[case.id]) for case, result in zip(CASES, results)}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_fails_and_changes_nothing(outcomes, case):
    result, folder, before = outcomes[case.id]
    assert result.code != 0, str(result)
    assert "Traceback" not in result.out + result.err, str(result)
    assert_unchanged(before, folder)
    assert stray_files(folder) == []


@pytest.mark.parametrize("case", [pytest.param(c, marks=c.marks, id=c.id) for c in CASES])
def test_bad_input_is_one_chinese_line_naming_the_file(outcomes, case):
    result, _, _ = outcomes[case.id]
    one_line_error(result, *case.names)


NAMING = [c for c in CASES if c.names_ledger]


@pytest.mark.parametrize("case", [pytest.param(c, marks=[], id=c.id)
                                  for c in NAMING])
def test_unknown_unit_or_round_names_the_ledger(outcomes, case):
    result, _, _ = outcomes[case.id]
    one_line_error(result, LEDGER)


def test_failed_import_creates_no_ledger(outcomes):
    for case_id in ("import-missing-doc", "import-png-as-xlsx", "import-not-a-plan"):
        _, folder, _ = outcomes[case_id]
        assert not (folder / "新.ledger").exists(), case_id


def test_a_ledger_opened_by_a_failed_command_still_opens(outcomes, tmp_path):
    """After the failures the ledger is not only byte-identical, it is still a working ledger."""
    _, folder, _ = outcomes["import-force-bad-doc"]
    shutil.copyfile(folder / LEDGER, tmp_path / LEDGER)
    ok(run("stats", tmp_path / LEDGER, "--json", "--as-of", "2023-10-01"))
    assert stray_files(tmp_path) == []
