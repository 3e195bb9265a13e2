"""`ledgerdesk import`: a ledger from a plan, a summary, and clean refusals of foreign files."""

from __future__ import annotations

import random
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from app.cli import main
from app.ledger import Ledger

REPO = Path(__file__).resolve().parents[2]


def test_import_seed_000_creates_ledger_and_prints_summary(tmp_path, seed_path, capsys):
    out = tmp_path / "西吉.ledger"
    assert main(["import", str(seed_path("000")), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "任务（tasks）：38 项" in printed
    assert "章节（sections）：4 个" in printed
    assert "第一次报送（2023-09-10）" in printed and "第二次报送（2023-12-01）" in printed
    with Ledger.open(out, readonly=True) as ledger:
        doc = ledger.document()
    assert len(doc.tasks) == 38
    assert doc.title == "西吉县2023年政务公开工作要点任务落实台账"
    assert [r.name for r in doc.rounds] == ["第一次报送", "第二次报送"]
    assert doc.tasks[0].lead_units == ["县人民政府办公室"]


def test_summary_lists_every_warning(tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    plan.write_text("序号,重点工作,主要内容,责任单位,完成时限\n1,公开预算,公开预算。,,\n2,公开决算,公开决算。,县财政局,2024年底\n",
                    encoding="utf-8")
    assert main(["import", str(plan), "-o", str(tmp_path / "p.ledger")]) == 0
    printed = capsys.readouterr().out
    assert "警告（warnings）：2 条" in printed
    assert "第2行（序号1）：未找到责任单位" in printed
    assert "第2行（序号1）：未找到完成时限" in printed


def test_runs_as_a_module_without_traceback(tmp_path, seed_path):
    out = tmp_path / "o.ledger"
    done = subprocess.run([sys.executable, "-m", "app", "import", str(seed_path("001")), "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "任务（tasks）：16 项" in done.stdout
    assert out.is_file()


def _foreign_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    rng = random.Random(5)
    wb.active.append(["姓名", "年龄", "城市"])
    for _ in range(30):
        wb.active.append([f"人{rng.randint(1, 999)}", rng.randint(18, 80), rng.choice(["银川", "固原"])])
    wb.save(path)


def _docx_without_tasks(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("会议通知")
    document.add_paragraph("定于下周一上午召开全体干部会议，请准时参加。")
    document.save(path)


def _png_as_docx(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _unknown(path: Path) -> None:
    path.write_bytes(b"%PDF-1.4 whatever")


def _zip_as_xlsx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")


@pytest.mark.parametrize(
    ("name", "make"),
    [("数据.xlsx", _foreign_xlsx), ("通知.docx", _docx_without_tasks), ("照片.docx", _png_as_docx),
     ("空.txt", _empty), ("plan.pdf", _unknown), ("plan.rtf", _unknown), ("假表.xlsx", _zip_as_xlsx)],
)
def test_foreign_files_refused_in_one_line_without_ledger(tmp_path, capsys, name, make):
    source = tmp_path / name
    make(source)
    out = tmp_path / "out.ledger"
    assert main(["import", str(source), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert name in err and "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name not in (name,)]  # no temp files left


def test_existing_ledger_refused_then_untouched_on_failed_force(tmp_path, seed_path, capsys):
    out = tmp_path / "o.ledger"
    assert main(["import", str(seed_path("001")), "-o", str(out)]) == 0
    before = out.read_bytes()
    assert main(["import", str(seed_path("000")), "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    bad = tmp_path / "bad.docx"
    _png_as_docx(bad)
    assert main(["import", str(bad), "-o", str(out), "--force"]) == 2
    assert out.read_bytes() == before


def test_force_replaces_existing_ledger(tmp_path, seed_path):
    out = tmp_path / "o.ledger"
    assert main(["import", str(seed_path("001")), "-o", str(out)]) == 0
    assert main(["import", str(seed_path("000")), "-o", str(out), "--force"]) == 0
    with Ledger.open(out, readonly=True) as ledger:
        assert len(ledger.document().tasks) == 38


def test_exported_ledger_xlsx_imports_back_with_same_ids_and_tasks(tmp_path, seed_path):
    from app.core.plan.table import parse_task_table
    from app.formats.table_in import read_table_rows
    from tests.golden_files import assert_matches_golden

    first = tmp_path / "a.ledger"
    exported = tmp_path / "a.xlsx"
    again = tmp_path / "b.ledger"
    assert main(["import", str(seed_path("000")), "-o", str(first)]) == 0
    assert main(["export", str(first), "--format", "xlsx", "-o", str(exported)]) == 0
    assert main(["import", str(exported), "-o", str(again)]) == 0
    with Ledger.open(first, readonly=True) as a, Ledger.open(again, readonly=True) as b:
        doc_a, doc_b = a.document(), b.document()
    assert [t.id for t in doc_b.tasks] == [t.id for t in doc_a.tasks]
    assert_matches_golden(doc_b, "000")
    # Read as a plain task table (hidden ids lost, e.g. retyped by hand): still the same tasks.
    sheet = next(rows for rows in read_table_rows(exported) if any("序号" in c for r in rows[:10] for c in r))
    assert_matches_golden(parse_task_table(sheet, source_name=exported.name), "000")
