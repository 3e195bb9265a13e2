"""The SECOND held-out plan corpus (tests/fixtures/plans_holdout2/): shapes neither the main corpus nor the
first held-out corpus has.

Every file imports or is refused with one InputError line naming the file (never a crash), the expected files
are well formed and current, and the importer's field accuracy on these unseen documents does not fall below
the floor in accuracy_floor.json (today's figure rounded down). The scoring is the main corpus's
(tests/plans/scoring.py) through the first held-out wrapper (tests/plans_holdout/holdout_scoring.py), reused
by tests/plans_holdout2/holdout2_scoring.py. The well-formedness check of the expected files is the first
held-out test's, imported. Do not tune the importer on these documents, or they stop measuring generalisation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plans.scoring import CORPUS_DIR, SCORED_FIELDS, import_file
from tests.plans_holdout import test_holdout as first
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


def _files():
    for doc in DOCS:
        for path in doc.files.values():
            yield pytest.param(path, id=path.name)


def test_holdout2_corpus_is_big_enough_complete_and_apart():
    assert len(DOCS) >= 12
    assert {doc.expected["kind"] for doc in DOCS} == {"table", "prose"}
    listed = {path.name for doc in DOCS for path in doc.files.values()}
    for name in listed:
        assert (HOLDOUT2_DIR / name).is_file(), f"{name} is listed in its expected file but missing"
    on_disk = {p.name for p in HOLDOUT2_DIR.iterdir() if p.is_file() and not p.name.endswith(".expected.json")}
    stray = on_disk - listed - SOURCE_FILES
    assert not stray, f"files that no expected file lists: {sorted(stray)}"
    other = {json.loads(p.read_text(encoding="utf-8"))["title"]
             for folder in (CORPUS_DIR, HOLDOUT_DIR) for p in folder.glob("*.expected.json")}
    assert not other & {doc.expected["title"] for doc in DOCS}, "a plan of this corpus repeats another corpus's plan"


@pytest.mark.parametrize("path", list(_files()))
def test_every_file_imports_or_is_refused_in_one_line(path):
    result = import_file(path)
    assert not result.crash, f"{path.name}: the importer crashed instead of refusing: {result.crash}"
    if result.view is None:
        assert "\n" not in result.error and result.error.startswith(path.name), result.error
    else:
        assert result.view["tasks"], f"{path.name}: imported without tasks and without a refusal"


@pytest.mark.parametrize("expected", expected_files(), ids=lambda p: p.name)
def test_expected_files_are_consistent(expected):
    first.test_expected_files_are_consistent(expected)


def test_expected_files_are_current():
    """The expected files are those build_holdout2.py writes from the hand-typed descriptions."""
    done = subprocess.run([sys.executable, str(HOLDOUT2_DIR / "build_holdout2.py"), "--check"],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_holdout2_accuracy_is_not_below_the_floor():
    floor = json.loads(FLOOR_FILE.read_text(encoding="utf-8"))
    report = score_holdout2()
    accuracy = 100 * report.accuracy()
    content = 100 * report.content_accuracy()
    worst = sorted(report.files, key=lambda s: s.accuracy)[:5]
    detail = ", ".join(f"{s.document}.{s.format} {100 * s.accuracy:.0f}%" for s in worst)
    assert accuracy >= floor["fields_percent"], (
        f"second held-out field accuracy {accuracy:.2f}% fell below the floor {floor['fields_percent']}% "
        f"(fields: {', '.join(SCORED_FIELDS)}); worst files: {detail}; "
        "run bench/import_accuracy_holdout2.py for the misses")
    assert content >= floor["content_percent"], (
        f"second held-out content accuracy {content:.2f}% fell below the floor {floor['content_percent']}%")
