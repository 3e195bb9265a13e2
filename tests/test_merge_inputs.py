"""Only regular files of a sane size are read by the merge: a FIFO, /dev/zero behind a symlink named
x.xlsx or a huge file would hang or exhaust memory. Each gets its line; the good file is merged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.ledger import Ledger
from app.returns import MAX_RETURN_BYTES, merge_files
from app.sending import make_sheets
from tests.merge_fixtures import make_ledger

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def ledger_and_sheet(tmp_path: Path) -> tuple[Path, Path]:
    path = make_ledger(tmp_path)
    with Ledger.open(path) as led:
        [sheet] = make_sheets(led, tmp_path / "sheets", units=["县民政局"])
    return path, sheet


@pytest.mark.skipif(os.name == "nt", reason="FIFOs and /dev/zero are POSIX")
def test_fifo_device_symlink_and_huge_files_are_refused_with_a_line_each(ledger_and_sheet, tmp_path):
    ledger, sheet = ledger_and_sheet
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / sheet.name).write_bytes(sheet.read_bytes())
    os.mkfifo(folder / "管道.xlsx")
    (folder / "x.xlsx").symlink_to("/dev/zero")
    with open(folder / "巨大.xlsx", "wb") as fh:
        fh.truncate(MAX_RETURN_BYTES + 1)  # sparse: no disk used
    # in a child with a timeout: a regression would hang on the FIFO or /dev/zero
    code = (f"import sys, json; sys.path.insert(0, {str(REPO)!r});"
            "from pathlib import Path; from app.ledger import Ledger; from app.returns import merge_files;"
            f"led = Ledger.open(Path({str(ledger)!r}));"
            f"r = merge_files(led, [Path({str(folder)!r})]); led.close();"
            "print(json.dumps([(f.file, f.outcome, f.messages[:1]) for f in r.files], ensure_ascii=False))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    import json

    files = {name: (outcome, msgs) for name, outcome, msgs in json.loads(done.stdout)}
    assert files[sheet.name][0] == "merged"
    for name, why in (("管道.xlsx", "不是普通文件"), ("x.xlsx", "不是普通文件"), ("巨大.xlsx", "文件过大")):
        outcome, [message] = files[name]
        assert outcome == "rejected" and message.startswith(f"{name}：") and why in message, (name, message)


def test_a_missing_file_has_its_line(ledger_and_sheet, tmp_path):
    ledger, _sheet = ledger_and_sheet
    with Ledger.open(ledger) as led:
        report = merge_files(led, [tmp_path / "没有这个文件.xlsx"])
    [f] = report.files
    assert f.outcome == "rejected" and "文件不存在" in f.messages[0]
