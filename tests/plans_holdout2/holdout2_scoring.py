"""The main corpus's scoring (tests/plans/scoring.py) pointed at the SECOND held-out corpus.

Reuses the first held-out wrapper (tests/plans_holdout/holdout_scoring.py), whose `corpus()` and
`score_holdout()` take the folder as an argument: same alignment, fields, normalisation and import cache.
"""

from __future__ import annotations

from pathlib import Path

from tests.plans.scoring import Report
from tests.plans_holdout import holdout_scoring

HOLDOUT2_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "plans_holdout2"
SOURCE_FILES = {"corpus_holdout2.py", "build_holdout2.py", "README.md"}


def expected_files(folder: Path = HOLDOUT2_DIR) -> list[Path]:
    return holdout_scoring.expected_files(folder)


def corpus(folder: Path = HOLDOUT2_DIR):
    return holdout_scoring.corpus(folder)


def score_holdout2(*, folder: Path = HOLDOUT2_DIR, formats: set[str] | None = None,
                   exclude: frozenset[str] = frozenset(), names: list[str] | None = None) -> Report:
    return holdout_scoring.score_holdout(folder=folder, formats=formats, exclude=exclude, names=names)
