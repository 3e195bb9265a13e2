"""The plan corpus (tests/fixtures/plans/): every file imports or is refused in one line, the expected
files are well formed, and the importer's field accuracy does not fall below the recorded floor.

The floor (accuracy_floor.json) is the accuracy measured when it was last raised, rounded down to
a whole percent; a change that makes the importer read the corpus worse fails here. Raise it when
the importer gets better (`python bench/import_accuracy.py` prints the figure). .doc files need a
converter (LibreOffice) and are kept out of the floor so the figure does not depend on the machine.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from tests.plans.scoring import (
    CORPUS_DIR,
    EXTERNAL_FORMATS,
    SCORED_FIELDS,
    corpus,
    expected_files,
    import_file,
    score_corpus,
)

FLOOR_FILE = Path(__file__).resolve().parent / "accuracy_floor.json"
DEADLINE_KINDS = {"date", "long_term", "relative", "per_superior", "recurring", "none"}
SOURCE_FILES = {"build.py", "model.py", "corpus.py"}
DOCS = corpus()


def _files():
    for doc in DOCS:
        for fmt, path in doc.files.items():
            marks = [pytest.mark.slow] if fmt in EXTERNAL_FORMATS else []
            yield pytest.param(path, id=path.name, marks=marks)


def test_corpus_is_big_enough_and_complete():
    assert len(DOCS) >= 28
    kinds = {doc.expected["kind"] for doc in DOCS}
    assert kinds == {"table", "prose"}
    listed = {path.name for doc in DOCS for path in doc.files.values()}
    for name in listed:
        assert (CORPUS_DIR / name).is_file(), f"{name} is listed in its expected file but missing"
    on_disk = {p.name for p in CORPUS_DIR.iterdir() if p.is_file() and not p.name.endswith(".expected.json")}
    stray = on_disk - listed - SOURCE_FILES - {"README.md"}
    assert not stray, f"files that no expected file lists: {sorted(stray)}"


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
    assert data["title"] and isinstance(data["year"], int)
    assert data["formats"] and all(re.fullmatch(r"[a-z]{3,4}", f) for f in data["formats"])
    for r in data["rounds"]:
        assert r["name"] and date.fromisoformat(r["due"])
    assert data["tasks"], "a corpus document has tasks"
    for i, task in enumerate(data["tasks"], start=1):
        where = f"{expected.name} task #{i}"
        assert set(task) == {"seq", "path", "key_work", "content", "lead_units", "coop_units", "deadline"}, where
        assert isinstance(task["seq"], str) and task["seq"].isdigit(), where
        assert task["content"].strip(), f"{where}: no content"
        assert isinstance(task["path"], list) and all(isinstance(p, str) and p for p in task["path"]), where
        assert isinstance(task["key_work"], str), where
        assert task["lead_units"], f"{where}: no lead unit"
        for key in ("lead_units", "coop_units"):
            units = task[key]
            assert isinstance(units, list) and all(isinstance(u, str) and u.strip() for u in units), where
            assert len(set(units)) == len(units), f"{where}: {key} repeats a unit"
            assert all(not re.search(r"分别|牵头|配合|负责|[()\[\]]", u) for u in units), f"{where}: {units}"
        assert not set(task["lead_units"]) & set(task["coop_units"]), f"{where}: a unit both leads and cooperates"
        deadline = task["deadline"]
        assert set(deadline) == {"text", "date", "kind"} and deadline["kind"] in DEADLINE_KINDS, where
        if deadline["date"] is not None:
            assert date.fromisoformat(deadline["date"]).isoformat() == deadline["date"], where
        if deadline["kind"] == "date":
            assert deadline["date"], f"{where}: kind date without a date"
        if deadline["kind"] != "none":
            assert deadline["text"], f"{where}: a deadline kind with no deadline text"


def test_accuracy_is_not_below_the_floor():
    floor = json.loads(FLOOR_FILE.read_text(encoding="utf-8"))
    report = score_corpus(exclude=EXTERNAL_FORMATS)
    accuracy = 100 * report.accuracy()
    content = 100 * report.content_accuracy()
    worst = sorted(report.files, key=lambda s: s.accuracy)[:5]
    detail = ", ".join(f"{s.document}.{s.format} {100 * s.accuracy:.0f}%" for s in worst)
    assert accuracy >= floor["fields_percent"], (
        f"field accuracy {accuracy:.2f}% fell below the floor {floor['fields_percent']}% "
        f"(fields: {', '.join(SCORED_FIELDS)}); worst files: {detail}; run bench/import_accuracy.py for the misses")
    assert content >= floor["content_percent"], (
        f"content accuracy {content:.2f}% fell below the floor {floor['content_percent']}%")
