"""The plan corpus (tests/fixtures/plans/): every file imports or is refused in one line, the expected
files are well formed, and the importer's field accuracy does not fall below the recorded floor.

The floor (accuracy_floor.json) is the accuracy measured when it was last raised, rounded down to
a whole percent; a change that makes the importer read the corpus worse fails here. Raise it when
the importer gets better (`python bench/import_accuracy.py` prints the figure). .doc files need a
converter (LibreOffice) and are kept out of the floor so the figure does not depend on the machine.
The checks themselves are shared with the held-out corpora (corpus_checks.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plans import corpus_checks
from tests.plans.scoring import CORPUS_DIR, EXTERNAL_FORMATS, corpus, expected_files, score_corpus

FLOOR_FILE = Path(__file__).resolve().parent / "accuracy_floor.json"
SOURCE_FILES = {"build.py", "model.py", "corpus.py", "README.md"}
DOCS = corpus()


def test_corpus_is_big_enough_and_complete():
    corpus_checks.check_listing(CORPUS_DIR, DOCS, SOURCE_FILES, min_docs=28)


@pytest.mark.parametrize("path", corpus_checks.file_params(DOCS, slow_formats=EXTERNAL_FORMATS))
def test_every_file_imports_or_is_refused_in_one_line(path):
    corpus_checks.check_imports_or_refused(path)


@pytest.mark.parametrize("expected", expected_files(), ids=lambda p: p.name)
def test_expected_files_are_consistent(expected):
    corpus_checks.check_expected_file(expected)


def test_accuracy_is_not_below_the_floor():
    corpus_checks.check_floor(score_corpus(exclude=EXTERNAL_FORMATS), FLOOR_FILE, label="corpus",
                              bench="bench/import_accuracy.py")
