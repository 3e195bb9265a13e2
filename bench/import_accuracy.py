"""Field accuracy of the plan importer over the corpus in tests/fixtures/plans/ (issue 11).

    python bench/import_accuracy.py                 # figures per document and overall, then the misses
    python bench/import_accuracy.py --json out.json # also write the whole report as JSON
    python bench/import_accuracy.py t03 p02         # only documents whose name starts so
    python bench/import_accuracy.py --format docx   # only these formats (repeatable)
    python bench/import_accuracy.py --misses 0      # no list of misses (default: all)

Every corpus document is imported in every format it has, and each task is compared with
the document's hand-written expected file over seq, path, key work, lead units,
cooperating units, deadline date and deadline kind; content is reported apart. A refused
file misses all its fields; a task the importer invented counts as missed fields too. The
scoring code is tests/plans/scoring.py, shared with the corpus test and its floor
(tests/plans/accuracy_floor.json). .doc files need LibreOffice to be read; the floor leaves
them out, this report shows them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.plans.scoring import CORPUS_DIR, EXTERNAL_FORMATS, SCORED_FIELDS, Report, score_corpus


def _pct(x: float) -> str:
    return f"{100 * x:6.2f}%"


def _short(value, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    text = text.replace("\n", "⏎")
    return text if len(text) <= limit else text[:limit] + "…"


def print_report(report: Report, misses_shown: int | None) -> None:
    print(f"{'document':38} {'fields':>8} {'content':>8}  per format")
    for name, scores in report.by_document().items():
        per = "  ".join(f"{s.format}:{100 * s.accuracy:.0f}" + ("(refused)" if s.refused or s.crash else "")
                        for s in scores)
        print(f"{name:38} {_pct(report.accuracy(scores))} {_pct(report.content_accuracy(scores))}  {per}")
    print()
    print("per format:", "  ".join(f"{fmt} {_pct(report.accuracy(ss)).strip()} ({len(ss)})"
                                   for fmt, ss in sorted(report.by_format().items())))
    print("per field: ", "  ".join(f"{k} {_pct(v).strip()}" for k, v in report.field_accuracy().items()))
    files = report.files
    print(f"files {len(files)}, refused {sum(1 for s in files if s.refused)}, crashed "
          f"{sum(1 for s in files if s.crash)}, title right {sum(1 for s in files if s.title_ok)}, "
          f"year right {sum(1 for s in files if s.year_ok)}; tasks expected "
          f"{sum(s.tasks_expected for s in files)}, missing {sum(s.tasks_missing for s in files)}, "
          f"invented {sum(s.tasks_extra for s in files)}")
    internal = [s for s in files if s.format not in EXTERNAL_FORMATS]
    print(f"OVERALL field accuracy {_pct(report.accuracy()).strip()} "
          f"(without {'/'.join(sorted(EXTERNAL_FORMATS))}: {_pct(report.accuracy(internal)).strip()}), "
          f"content {_pct(report.content_accuracy()).strip()}")
    refused = [s for s in files if s.refused or s.crash]
    if refused:
        print("\nrefused or crashed:")
        for s in refused:
            print(f"  {s.document}.{s.format}: {s.refused or 'CRASH ' + s.crash}")
    misses = [m for m in report.misses() if not str(m.got).startswith("(refused")]
    counts = Counter(m.field for m in misses)
    print("\nmisses by field (refused files not listed):", ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    if misses_shown == 0:
        return
    print()
    for m in misses[:misses_shown]:
        print(f"  {m.document}.{m.format} {m.task} {m.field}: expected {_short(m.expected)} got {_short(m.got)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="document name prefixes (default: all)")
    parser.add_argument("--format", action="append", dest="formats", help="only this format (repeatable)")
    parser.add_argument("--json", type=Path, help="write the full report as JSON here")
    parser.add_argument("--misses", type=int, default=None, help="how many misses to list (default: all)")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="corpus folder (default: the main one)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    report = score_corpus(folder=args.corpus, formats=set(args.formats) if args.formats else None,
                          names=args.names or None)
    elapsed = time.perf_counter() - start
    print_report(report, args.misses)
    print(f"\n{len(report.files)} files in {elapsed:.1f} s; fields scored: {', '.join(SCORED_FIELDS)}")
    if args.json:
        data = report.to_json()
        data["seconds"] = round(elapsed, 2)
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"JSON report: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
