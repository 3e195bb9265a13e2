"""Time and peak memory of importing a ~200-page PDF plan (prose, and a task table).

Run by hand (needs LibreOffice to make the PDFs once; they are kept in the temp folder):

    .venv/bin/python bench/bench_import_pdf.py                # both kinds, ~200 pages each
    .venv/bin/python bench/bench_import_pdf.py --kind prose --pages 100

The prose plan is seeds 004 and 002 repeated (bench/bench_import.py's build_plan) laid out
as a 公文 (A4, 仿宋 三号, two-character indent, page numbers); the table is seed 000's ledger
repeated (bench/bench_import_tables.py's big_rows) in landscape with ruled cells. Both are
written by tests/fixtures/pdf/build.py's Word builders and exported by LibreOffice, as an
office's "另存为 PDF" does, and each import is compared with the import of the same plan as
.txt (the tasks and every field should be the same). Each import runs in a fresh child process, so the peak resident
memory printed is that import's alone (the interpreter and libraries included: compare the
"baseline" line, which imports the same modules and reads nothing; Linux only, from
/proc/self/status). `--split` also times read_pdf alone, the PDF-reading part of the import.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CACHE = Path(tempfile.gettempdir()) / "ledgerdesk-bench-pdf"
PROSE_PAGES_PER_REPEAT = 24  # seeds 004 + 002 as a 公文: ~17,000 characters, ~700 a page
TABLE_PAGES_PER_REPEAT = 6.6  # seed 000's ledger in landscape

_CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from app.formats.plan import read_plan
from app.formats.plan.pdf_in import read_pdf

def peak_mb():  # this process's own peak (ru_maxrss would carry the parent's over exec)
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024

path, what = Path(sys.argv[2]), sys.argv[3]
result = {}
start = time.perf_counter()
if what == "read_plan":
    from tests.golden_files import golden_view

    doc = read_plan(path)
    result["tasks"] = len(doc.tasks)
    result["view"] = golden_view(doc)
elif what == "read_pdf":
    result["blocks"] = len(read_pdf(path).blocks)
result["seconds"] = time.perf_counter() - start
result["peak_mb"] = peak_mb()
print(json.dumps(result))
"""


def _make(kind: str, pages: int) -> tuple[Path, Path]:
    """The PDF of `kind` with about `pages` pages, and a .txt of the same plan to compare with."""
    from tests.fixtures.pdf import build

    CACHE.mkdir(exist_ok=True)
    if kind == "prose":
        from bench_import import build_plan

        repeat = max(1, round(pages / PROSE_PAGES_PER_REPEAT))
        target, text = CACHE / f"prose_{repeat}.pdf", CACHE / f"prose_{repeat}.txt"
        lines = build_plan(repeat)
        text.write_text("\n".join(lines), encoding="utf-8")
        if not target.is_file():
            source = CACHE / f"prose_{repeat}.docx"
            build.official_prose_docx(source, lines)
            build.to_pdf([source], CACHE)
        return target, text
    from bench_import_tables import big_rows

    repeat = max(1, round(pages / TABLE_PAGES_PER_REPEAT))
    target, text = CACHE / f"table_{repeat}.pdf", CACHE / f"table_{repeat}.txt"
    rows = big_rows(repeat)
    text.write_text("\n".join("\t".join(row) for row in rows), encoding="utf-8")
    if not target.is_file():
        header_at = next(i for i, row in enumerate(rows) if row and row[0] == "序号")
        header = rows[header_at]
        body = [r for r in rows[header_at + 1:] if any(c.strip() for c in r) and r != header]
        source = CACHE / f"table_{repeat}.docx"
        build.ledger_table_docx(source, [r[0] for r in rows[:header_at]], [header] + body)
        build.to_pdf([source], CACHE)
    return target, text


def _differences(got: dict, text: Path) -> str:
    """How the PDF's import differs from the same plan's .txt import: tasks, then fields."""
    from app.formats.plan import read_plan
    from tests.golden_files import golden_view

    want = golden_view(read_plan(text))
    if len(got["tasks"]) != len(want["tasks"]):
        return f"{len(got['tasks'])} tasks, the .txt has {len(want['tasks'])}"
    fields = sum(1 for g, w in zip(got["tasks"], want["tasks"]) for k in g if g[k] != w[k])
    return "same as the .txt import" if fields == 0 and got["title"] == want["title"] else \
        f"{fields} fields differ from the .txt import"


def _child(path: str, what: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), path, what], capture_output=True, text=True,
                         check=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pages_and_chars(path: Path) -> tuple[int, int]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages), sum(len(page.chars) for page in pdf.pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["prose", "table", "both"], default="both")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--split", action="store_true", help="also time read_pdf alone (the PDF reading part)")
    args = parser.parse_args()
    kinds = ["prose", "table"] if args.kind == "both" else [args.kind]
    print(f"baseline (imports only): peak {_child('-', 'nothing')['peak_mb']:.0f} MB")
    for kind in kinds:
        path, text = _make(kind, args.pages)
        pages, chars = _pages_and_chars(path)
        whole = _child(str(path), "read_plan")
        line = (f"{kind:5}  {pages} pages, {chars:,} glyphs, {path.stat().st_size / 1e6:.1f} MB: read_plan "
                f"{whole['seconds']:.1f} s ({1000 * whole['seconds'] / pages:.0f} ms/page), {whole['tasks']} tasks "
                f"({_differences(whole['view'], text)}), peak {whole['peak_mb']:.0f} MB")
        if args.split:
            alone = _child(str(path), "read_pdf")
            line += f"; read_pdf alone {alone['seconds']:.1f} s, peak {alone['peak_mb']:.0f} MB"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
