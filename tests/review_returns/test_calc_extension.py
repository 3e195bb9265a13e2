"""LibreOffice Calc plays the liaison once: types 申请延期至 and 延期理由 into the sheet sent, saves as .xls."""

from __future__ import annotations

import pytest

from app.core.dispatch import REVIEW_EXTENSION
from app.formats.returns.layout import EXTENSION_REASON, EXTENSION_TO
from tests.liaison.helpers import Office, close, office_missing, open_doc, save, type_cells
from tests.review_returns.helpers import ROUND1, UNIT, header_row, merge_json, reviews, sheet_for, task_of

pytestmark = pytest.mark.skipif(office_missing() is not None, reason=f"LibreOffice: {office_missing()}")


def test_calc_typed_extension_saved_as_xls_arrives(capsys, ledger, tmp_path):
    import openpyxl

    sheet = sheet_for(capsys, ledger, tmp_path / "out", ROUND1)
    ws = openpyxl.load_workbook(sheet).worksheets[0]
    h = header_row(ws)
    col = {ws.cell(h, c).value: c for c in range(1, ws.max_column + 1)}
    [row] = [r for r in range(h + 1, ws.max_row + 1) if ws.cell(r, 1).value == "3"]
    letter = {name: openpyxl.utils.get_column_letter(c) for name, c in col.items() if name}
    cells = [(f"{letter['状态']}{row}", "进行中"), (f"{letter[EXTENSION_TO]}{row}", "2024-03-31"),
             (f"{letter[EXTENSION_REASON]}{row}", "上级资金尚未下达")]
    back = tmp_path / "back" / f"{sheet.stem}.xls"
    office = Office(tmp_path / "lo_profile")
    steps = office.play([open_doc(sheet), type_cells(cells), save(back), close()], tmp_path / "work")
    assert [s["op"] for s in steps] == ["open", "type", "save", "close"]
    shown = steps[1]["shown"]
    assert shown[cells[2][0]] == "上级资金尚未下达" and shown[cells[0][0]] == "进行中"
    assert "2024" in shown[cells[1][0]]  # Calc shows the date in its own format
    [f] = merge_json(capsys, ledger, back)["files"]
    assert f["outcome"] == "merged" and f["rejected"] == 0, f
    assert [(e["seq"], e["date"], e["reason"]) for e in f["extensions"]] == [("3", "2024-03-31", "上级资金尚未下达")]
    [item] = reviews(ledger, REVIEW_EXTENSION)
    assert (item.unit, item.task_id, item.extension_date.isoformat()) == (UNIT, task_of(ledger, "3").id,
                                                                          "2024-03-31")
