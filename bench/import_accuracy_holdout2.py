"""Field accuracy of the plan importer over the SECOND held-out corpus in tests/fixtures/plans_holdout2/.

    python bench/import_accuracy_holdout2.py                 # per document, per format, per field, overall; misses
    python bench/import_accuracy_holdout2.py --json out.json # also the whole report as JSON
    python bench/import_accuracy_holdout2.py a01 j10         # only documents whose name starts so
    python bench/import_accuracy_holdout2.py --format pdf    # only these formats (repeatable)
    python bench/import_accuracy_holdout2.py --misses 0      # no list of misses

Shapes neither tests/fixtures/plans/ nor tests/fixtures/plans_holdout/ has, written without reading the
importer. Same scoring and printer as bench/import_accuracy_holdout.py (reused by import); only the folder
differs. The floor is tests/plans_holdout2/accuracy_floor.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import import_accuracy_holdout

from tests.plans_holdout2.holdout2_scoring import HOLDOUT2_DIR


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--corpus" not in argv:
        argv += ["--corpus", str(HOLDOUT2_DIR)]
    return import_accuracy_holdout.main(argv)


if __name__ == "__main__":
    sys.exit(main())
