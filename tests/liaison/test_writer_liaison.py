"""LibreOffice Writer plays the liaison (the Word return sheet), and a folder of mixed returns is merged."""

from __future__ import annotations

import pytest

from tests.contract.harness import png_bytes
from tests.liaison.helpers import (
    assert_entry,
    assert_only,
    check_typed,
    close,
    export,
    file_name,
    fills,
    merge,
    office_missing,
    one_file,
    open_doc,
    pick,
    received,
    save,
    type_cells,
    writer_type,
)

pytestmark = pytest.mark.skipif(office_missing() is not None, reason=f"LibreOffice: {office_missing()}")


def writer_cells(typed: dict) -> list[tuple[str, str]]:
    return [c for row, fill in typed.items() for c in fill.writer_cells(row.row)]


# ---------------------------------------------------------------- 2
@pytest.mark.parametrize("suffix", [".docx", ".odt", ".doc"])
def test_typed_word_rows_land_on_their_tasks(world, office, ledger, tmp_path, suffix):
    sheet = world.docx
    typed = dict(zip(pick(sheet.rows, 2), fills("文字" + suffix.lstrip("."), 2)))
    cells = writer_cells(typed)
    back = tmp_path / "back" / (sheet.path.stem + suffix)

    done = office.play(
        [open_doc(received(sheet, tmp_path)), writer_type(cells), save(back), close()], tmp_path / "lo"
    )
    check_typed(done[1], cells)

    report = one_file(merge(ledger, back))
    assert report["outcome"] == "merged", report
    data = export(ledger, tmp_path / "after.json")
    assert_only(data, {row.task_id: fill for row, fill in typed.items()}, sheet.unit, sheet.round)


# ---------------------------------------------------------------- 12
def test_folder_merge_reports_every_file(world, office, ledger, tmp_path):
    """A clerk's inbox folder: a Calc .xlsx, a Writer .doc (another unit), and a photo sent by mistake."""
    inbox = tmp_path / "收件"
    calc_sheet, word_sheet = world.xlsx, world.other_docx
    calc_typed = dict(zip(pick(calc_sheet.rows, 2), fills("收件表格", 2)))
    word_typed = dict(zip(pick(word_sheet.rows, 2), fills("收件文档", 2)))
    calc_cells = [c for row, fill in calc_typed.items() for c in fill.calc_cells(row.row)]
    xlsx = inbox / calc_sheet.path.name
    doc = inbox / (word_sheet.path.stem + ".doc")

    done = office.play(
        [
            open_doc(received(calc_sheet, tmp_path), "c"),
            type_cells(calc_cells, "c"),
            save(xlsx, "c"),
            close("c"),
            open_doc(received(word_sheet, tmp_path), "w"),
            writer_type(writer_cells(word_typed), "w"),
            save(doc, "w"),
            close("w"),
        ],
        tmp_path / "lo",
    )
    check_typed(done[1], calc_cells)
    check_typed(done[5], writer_cells(word_typed))
    photo = inbox / "佐证照片.png"
    photo.write_bytes(png_bytes(8, 8))

    report = merge(ledger, inbox)
    by_name = {file_name(f["file"]): f for f in report["files"]}
    assert sorted(by_name) == sorted(p.name for p in inbox.iterdir()), report["files"]
    assert by_name[photo.name]["outcome"] == "rejected" and by_name[photo.name]["messages"], by_name[
        photo.name
    ]
    assert by_name[xlsx.name]["outcome"] == "merged", by_name[xlsx.name]
    assert by_name[doc.name]["outcome"] == "merged", by_name[doc.name]
    data = export(ledger, tmp_path / "after.json")
    for row, fill in calc_typed.items():
        assert_entry(data, row.task_id, calc_sheet.unit, calc_sheet.round, fill)
    for row, fill in word_typed.items():
        assert_entry(data, row.task_id, word_sheet.unit, word_sheet.round, fill)
