"""Time importing a ~200-page task table (seed 000 repeated) as .txt, .xlsx and .docx.

Run by hand: python bench/bench_import_tables.py [repeats]
Seed 000 prints as about 6 pages (its header repeats at each page break), so 35
repeats are roughly 200 pages, 1,330 tasks. Prints read_plan time per form and the
whole `ledgerdesk import` (parse + ledger file) for the .txt form.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = ROOT / "tests" / "fixtures" / "seeds" / "000_0bb927241a205331.txt"


def big_rows(repeats: int) -> list[list[str]]:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    header_at = next(i for i, line in enumerate(lines) if line.startswith("序号\t"))
    head = [line.split("\t") for line in lines[:header_at + 1]]
    body = [line.split("\t") for line in lines[header_at + 1:]]
    rows = list(head)
    seq = 0
    for r in range(repeats):
        for row in body:
            row = list(row)
            if row and row[0].isdigit():
                seq += 1
                row[0] = str(seq)
            elif row and row[0].startswith("<b>"):
                row[0] = row[0].replace("</b>", f"（第{r + 1}遍）</b>")  # still a valid section row
            rows.append(row)
    return rows


def _append_table(document, rows: list[list[str]]) -> None:
    """A w:tbl built directly (python-docx's cell() is quadratic on big tables)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl = document.add_table(rows=0, cols=8)._tbl
    for r in rows:
        tr = OxmlElement("w:tr")
        for value in (r + [""] * 8)[:8]:
            tc = OxmlElement("w:tc")
            p = OxmlElement("w:p")
            if value:
                run = OxmlElement("w:r")
                t = OxmlElement("w:t")
                t.text = value
                t.set(qn("xml:space"), "preserve")
                run.append(t)
                p.append(run)
            tc.append(p)
            tr.append(tc)
        tbl.append(tr)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 35
    import docx
    import openpyxl

    from app.cli import main as cli_main
    from app.formats.plan import read_plan

    rows = big_rows(repeats)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        txt = tmpdir / "big.txt"
        txt.write_text("\n".join("\t".join(r) for r in rows), encoding="utf-8")
        xlsx = tmpdir / "big.xlsx"
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(xlsx)
        word = tmpdir / "big.docx"
        document = docx.Document()
        document.add_paragraph(rows[2][0].lstrip("# "))
        _append_table(document, [r for r in rows if len(r) > 3])
        document.save(word)
        for path in (txt, xlsx, word):
            start = time.perf_counter()
            doc = read_plan(path)
            print(f"read_plan {path.suffix:6} {len(doc.tasks):5} tasks  {time.perf_counter() - start:6.2f} s")
        start = time.perf_counter()
        code = cli_main(["import", str(txt), "-o", str(tmpdir / "big.ledger")])
        print(f"ledgerdesk import .txt (parse + ledger file): {time.perf_counter() - start:6.2f} s (exit {code})")


if __name__ == "__main__":
    main()
