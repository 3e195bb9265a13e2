"""The main corpus's scoring (tests/plans/scoring.py) pointed at the held-out corpus.

scoring.py hardcodes its folder (`CORPUS_DIR`, read by `corpus()` and so by `score_corpus()`); rather than
rebinding that module global (which would redirect the main corpus test when both run in one process),
this wrapper builds the held-out documents itself and scores them with the same `score_file` and
`Report`: same alignment, same fields, same normalisation, same import cache.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.plans.scoring import CorpusDoc, Report, score_file

HOLDOUT_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "plans_holdout"
SOURCE_FILES = {"corpus_holdout.py", "build_holdout.py", "README.md"}


def expected_files(folder: Path = HOLDOUT_DIR) -> list[Path]:
    return sorted(folder.glob("*.expected.json"))


def corpus(folder: Path = HOLDOUT_DIR) -> list[CorpusDoc]:
    docs = []
    for path in expected_files(folder):
        name = path.name[: -len(".expected.json")]
        expected = json.loads(path.read_text(encoding="utf-8"))
        files = {fmt: folder / f"{name}.{fmt}" for fmt in expected["formats"]}
        docs.append(CorpusDoc(name=name, expected=expected, files=files))
    return docs


def score_holdout(*, folder: Path = HOLDOUT_DIR, formats: set[str] | None = None,
                  exclude: frozenset[str] = frozenset(), names: list[str] | None = None) -> Report:
    """Score every (document, format) of the held-out corpus, optionally restricted (as score_corpus)."""
    scores = []
    for doc in corpus(folder):
        if names and not any(doc.name.startswith(n) for n in names):
            continue
        for fmt in doc.files:
            if (formats and fmt not in formats) or fmt in exclude:
                continue
            scores.append(score_file(doc, fmt))
    return Report(scores)
