"""The main corpus's scoring (tests/plans/scoring.py) pointed at the held-out corpus.

scoring.py's `corpus()` and `score_corpus()` take the folder as an argument, so the held-out documents are
scored with the same alignment, fields, normalisation and import cache as the main corpus.
"""

from __future__ import annotations

from pathlib import Path

from tests.plans import scoring
from tests.plans.scoring import CorpusDoc, Report

HOLDOUT_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "plans_holdout"
SOURCE_FILES = {"corpus_holdout.py", "build_holdout.py", "README.md"}


def expected_files(folder: Path = HOLDOUT_DIR) -> list[Path]:
    return scoring.expected_files(folder)


def corpus(folder: Path = HOLDOUT_DIR) -> list[CorpusDoc]:
    return scoring.corpus(folder)


def score_holdout(*, folder: Path = HOLDOUT_DIR, formats: set[str] | None = None,
                  exclude: frozenset[str] = frozenset(), names: list[str] | None = None) -> Report:
    """Score every (document, format) of the held-out corpus, optionally restricted (as score_corpus)."""
    return scoring.score_corpus(folder=folder, formats=formats, exclude=exclude, names=names)
