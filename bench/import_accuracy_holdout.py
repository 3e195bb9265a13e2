"""Field accuracy of the plan importer over the HELD-OUT corpus in tests/fixtures/plans_holdout/.

    python bench/import_accuracy_holdout.py                 # per document, per format, per field, overall; misses
    python bench/import_accuracy_holdout.py --json out.json # also the whole report as JSON
    python bench/import_accuracy_holdout.py h03 h12         # only documents whose name starts so
    python bench/import_accuracy_holdout.py --format pdf    # only these formats (repeatable)
    python bench/import_accuracy_holdout.py --misses 0      # no list of misses

The held-out documents are shapes the main corpus does not have, written without reading the importer;
they measure whether the importer generalises. Same scoring as bench/import_accuracy.py
(tests/plans/scoring.py, through tests/plans_holdout/holdout_scoring.py) and the same report printer.
The floor is tests/plans_holdout/accuracy_floor.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_accuracy import print_report

from tests.plans.scoring import SCORED_FIELDS
from tests.plans_holdout.holdout_scoring import HOLDOUT_DIR, score_holdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="document name prefixes (default: all)")
    parser.add_argument("--format", action="append", dest="formats", help="only this format (repeatable)")
    parser.add_argument("--json", type=Path, help="write the full report as JSON here")
    parser.add_argument("--misses", type=int, default=None, help="how many misses to list (default: all)")
    parser.add_argument("--corpus", type=Path, default=HOLDOUT_DIR, help="corpus folder (default: the held-out one)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    report = score_holdout(folder=args.corpus, formats=set(args.formats) if args.formats else None,
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
