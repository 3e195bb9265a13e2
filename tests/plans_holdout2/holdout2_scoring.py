"""The main corpus's scoring (tests/plans/scoring.py) pointed at the SECOND held-out corpus."""

from __future__ import annotations

from pathlib import Path

from tests.plans import scoring
from tests.plans.scoring import CorpusDoc, Report

HOLDOUT2_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "plans_holdout2"
SOURCE_FILES = {"corpus_holdout2.py", "build_holdout2.py", "README.md"}


def expected_files(folder: Path = HOLDOUT2_DIR) -> list[Path]:
    return scoring.expected_files(folder)


def corpus(folder: Path = HOLDOUT2_DIR) -> list[CorpusDoc]:
    return scoring.corpus(folder)


def score_holdout2(*, folder: Path = HOLDOUT2_DIR, formats: set[str] | None = None,
                   exclude: frozenset[str] = frozenset(), names: list[str] | None = None) -> Report:
    return scoring.score_corpus(folder=folder, formats=formats, exclude=exclude, names=names)
