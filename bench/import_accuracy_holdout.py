"""Field accuracy of the plan importer over the HELD-OUT corpus in tests/fixtures/plans_holdout/.

    python bench/import_accuracy_holdout.py                 # per document, per format, per field, overall; misses
    python bench/import_accuracy_holdout.py --json out.json # also the whole report as JSON
    python bench/import_accuracy_holdout.py h03 h12         # only documents whose name starts so
    python bench/import_accuracy_holdout.py --format pdf    # only these formats (repeatable)
    python bench/import_accuracy_holdout.py --misses 0      # no list of misses

The held-out documents are shapes the main corpus does not have, written without reading the importer;
they measure whether the importer generalises. It is bench/import_accuracy.py pointed at
that folder (`--corpus`): the same scoring (tests/plans/scoring.py) and the same report printer.
The floor is tests/plans_holdout/accuracy_floor.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import import_accuracy

from tests.plans_holdout.holdout_scoring import HOLDOUT_DIR


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--corpus" not in argv:
        argv += ["--corpus", str(HOLDOUT_DIR)]
    return import_accuracy.main(argv)


if __name__ == "__main__":
    sys.exit(main())
