"""The held-out plan corpus (tests/fixtures/plans_holdout/): shapes the main corpus does not have.

Every file imports or is refused with one InputError line naming the file (never a crash), the expected
files are well formed and current, and the importer's field accuracy on these unseen shapes does not fall
below the floor in accuracy_floor.json (today's figure rounded down). The scoring is the main corpus's
(tests/plans/scoring.py) through holdout_scoring.py. The documents were written without reading the
importer; do not tune the importer on them, or they stop measuring generalisation.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.plans.scoring import CORPUS_DIR, SCORED_FIELDS, import_file
from tests.plans_holdout.holdout_scoring import (
    HOLDOUT_DIR,
    SOURCE_FILES,
    corpus,
    expected_files,
    score_holdout,
)

FLOOR_FILE = Path(__file__).resolve().parent / "accuracy_floor.json"
DEADLINE_KINDS = {"date", "long_term", "relative", "per_superior", "recurring", "none"}
DOCS = corpus()


def _files():
    for doc in DOCS:
        for path in doc.files.values():
            yield pytest.param(path, id=path.name)


def test_holdout_corpus_is_big_enough_complete_and_apart():
    assert len(DOCS) >= 15
    assert {doc.expected["kind"] for doc in DOCS} == {"table", "prose"}
    listed = {path.name for doc in DOCS for path in doc.files.values()}
    for name in listed:
        assert (HOLDOUT_DIR / name).is_file(), f"{name} is listed in its expected file but missing"
    on_disk = {p.name for p in HOLDOUT_DIR.iterdir() if p.is_file() and not p.name.endswith(".expected.json")}
    stray = on_disk - listed - SOURCE_FILES
    assert not stray, f"files that no expected file lists: {sorted(stray)}"
    main_titles = {json.loads(p.read_text(encoding="utf-8"))["title"] for p in CORPUS_DIR.glob("*.expected.json")}
    assert not main_titles & {doc.expected["title"] for doc in DOCS}, "a held-out plan repeats a corpus plan"


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
    data = json.loads(expected.read_text(encoding="utf-8"))
    assert {"title", "year", "rounds", "tasks", "formats", "shape", "kind"} <= set(data)
    assert data["title"] and isinstance(data["year"], int) and data["tasks"]
    for i, task in enumerate(data["tasks"], start=1):
        where = f"{expected.name} task #{i}"
        assert set(task) == {"seq", "path", "key_work", "content", "lead_units", "coop_units", "deadline"}, where
        assert task["seq"].isdigit() and task["content"].strip() and task["lead_units"], where
        for key in ("lead_units", "coop_units"):
            units = task[key]
            assert all(isinstance(u, str) and u.strip() for u in units) and len(set(units)) == len(units), where
            assert all(not re.search(r"分别|牵头|配合|负责|会同|[()\[\]]", u) for u in units), f"{where}: {units}"
        assert not set(task["lead_units"]) & set(task["coop_units"]), where
        deadline = task["deadline"]
        assert set(deadline) == {"text", "date", "kind"} and deadline["kind"] in DEADLINE_KINDS, where
        if deadline["date"] is not None:
            assert date.fromisoformat(deadline["date"]).isoformat() == deadline["date"], where
        assert (deadline["kind"] != "date") or deadline["date"], where
        assert (deadline["kind"] == "none") or deadline["text"], where


def test_expected_files_are_current():
    """The expected files are those build_holdout.py writes from the hand-typed descriptions."""
    done = subprocess.run([sys.executable, str(HOLDOUT_DIR / "build_holdout.py"), "--check"],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_holdout_accuracy_is_not_below_the_floor():
    floor = json.loads(FLOOR_FILE.read_text(encoding="utf-8"))
    report = score_holdout()
    accuracy = 100 * report.accuracy()
    content = 100 * report.content_accuracy()
    worst = sorted(report.files, key=lambda s: s.accuracy)[:5]
    detail = ", ".join(f"{s.document}.{s.format} {100 * s.accuracy:.0f}%" for s in worst)
    assert accuracy >= floor["fields_percent"], (
        f"held-out field accuracy {accuracy:.2f}% fell below the floor {floor['fields_percent']}% "
        f"(fields: {', '.join(SCORED_FIELDS)}); worst files: {detail}; "
        "run bench/import_accuracy_holdout.py for the misses")
    assert content >= floor["content_percent"], (
        f"held-out content accuracy {content:.2f}% fell below the floor {floor['content_percent']}%")
