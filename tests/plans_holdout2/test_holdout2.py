"""The SECOND held-out plan corpus (tests/fixtures/plans_holdout2/): shapes neither the main corpus nor the
first held-out corpus has.

Every file imports or is refused with one InputError line naming the file (never a crash), the expected files
are well formed and current, and the importer's field accuracy on these unseen documents does not fall below
the floor in accuracy_floor.json (today's figure rounded down). The scoring and the checks are the main
corpus's (tests/plans/scoring.py, corpus_checks.py). Do not tune the importer on these documents, or they
stop measuring generalisation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plans import corpus_checks
from tests.plans.scoring import CORPUS_DIR
from tests.plans_holdout.holdout_scoring import HOLDOUT_DIR
from tests.plans_holdout2.holdout2_scoring import (
    HOLDOUT2_DIR,
    SOURCE_FILES,
    corpus,
    expected_files,
    score_holdout2,
)

FLOOR_FILE = Path(__file__).resolve().parent / "accuracy_floor.json"
DOCS = corpus()


def test_holdout2_corpus_is_big_enough_complete_and_apart():
    corpus_checks.check_listing(HOLDOUT2_DIR, DOCS, SOURCE_FILES, min_docs=12, apart_from=[CORPUS_DIR, HOLDOUT_DIR])


@pytest.mark.parametrize("path", corpus_checks.file_params(DOCS))
def test_every_file_imports_or_is_refused_in_one_line(path):
    corpus_checks.check_imports_or_refused(path)


@pytest.mark.parametrize("expected", expected_files(), ids=lambda p: p.name)
def test_expected_files_are_consistent(expected):
    corpus_checks.check_expected_file(expected)


def test_expected_files_are_current():
    corpus_checks.check_built_files_current(HOLDOUT2_DIR / "build_holdout2.py")


def test_holdout2_accuracy_is_not_below_the_floor():
    corpus_checks.check_floor(score_holdout2(), FLOOR_FILE, label="second held-out",
                              bench="bench/import_accuracy_holdout2.py")
