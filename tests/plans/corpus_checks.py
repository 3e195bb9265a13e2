"""The checks every plan corpus gets (the main one and the held-out ones), written once.

Each corpus test file states its folder, its floor file and its size; these functions hold what the
checks mean: the corpus is complete and apart from the others, every file imports or is refused in one
line, the expected files are well formed, and the field accuracy is not below the floor.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest

from tests.plans.scoring import SCORED_FIELDS, CorpusDoc, Report, import_file

DEADLINE_KINDS = {"date", "long_term", "relative", "per_superior", "recurring", "none"}


def file_params(docs: list[CorpusDoc], *, slow_formats: frozenset[str] = frozenset()) -> list:
    """One pytest parameter per (document, format) file, named by the file; formats that need an outside
    converter are marked slow."""
    return [pytest.param(path, id=path.name, marks=[pytest.mark.slow] if fmt in slow_formats else [])
            for doc in docs for fmt, path in doc.files.items()]


def check_listing(folder: Path, docs: list[CorpusDoc], source_files: set[str], *, min_docs: int,
                  apart_from: Iterable[Path] = ()) -> None:
    """Big enough, both kinds, every listed file on disk, no stray file, no title shared with `apart_from`."""
    assert len(docs) >= min_docs
    assert {doc.expected["kind"] for doc in docs} == {"table", "prose"}
    listed = {path.name for doc in docs for path in doc.files.values()}
    for name in listed:
        assert (folder / name).is_file(), f"{name} is listed in its expected file but missing"
    on_disk = {p.name for p in folder.iterdir() if p.is_file() and not p.name.endswith(".expected.json")}
    stray = on_disk - listed - source_files
    assert not stray, f"files that no expected file lists: {sorted(stray)}"
    other = {json.loads(p.read_text(encoding="utf-8"))["title"] for f in apart_from for p in f.glob("*.expected.json")}
    assert not other & {doc.expected["title"] for doc in docs}, "a plan of this corpus repeats another corpus's plan"


def check_imports_or_refused(path: Path) -> None:
    result = import_file(path)
    assert not result.crash, f"{path.name}: the importer crashed instead of refusing: {result.crash}"
    if result.view is None:
        assert "\n" not in result.error and result.error.startswith(path.name), result.error
    else:
        assert result.view["tasks"], f"{path.name}: imported without tasks and without a refusal"


def check_expected_file(expected: Path) -> None:
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
            assert all(not re.search(r"分别|牵头|配合|负责|会同|[()\[\]]", u) for u in units), f"{where}: {units}"
        assert not set(task["lead_units"]) & set(task["coop_units"]), f"{where}: a unit both leads and cooperates"
        deadline = task["deadline"]
        assert set(deadline) == {"text", "date", "kind"} and deadline["kind"] in DEADLINE_KINDS, where
        if deadline["date"] is not None:
            assert date.fromisoformat(deadline["date"]).isoformat() == deadline["date"], where
        if deadline["kind"] == "date":
            assert deadline["date"], f"{where}: kind date without a date"
        if deadline["kind"] != "none":
            assert deadline["text"], f"{where}: a deadline kind with no deadline text"


def check_built_files_current(build_script: Path) -> None:
    """The expected files are those the corpus's build script writes from the hand-typed descriptions."""
    done = subprocess.run([sys.executable, str(build_script), "--check"],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def check_floor(report: Report, floor_file: Path, *, label: str, bench: str) -> None:
    """Field and content accuracy not below the floor; the message names the worst files and the bench."""
    floor = json.loads(floor_file.read_text(encoding="utf-8"))
    accuracy = 100 * report.accuracy()
    content = 100 * report.content_accuracy()
    worst = sorted(report.files, key=lambda s: s.accuracy)[:5]
    detail = ", ".join(f"{s.document}.{s.format} {100 * s.accuracy:.0f}%" for s in worst)
    assert accuracy >= floor["fields_percent"], (
        f"{label} field accuracy {accuracy:.2f}% fell below the floor {floor['fields_percent']}% "
        f"(fields: {', '.join(SCORED_FIELDS)}); worst files: {detail}; run {bench} for the misses")
    assert content >= floor["content_percent"], (
        f"{label} content accuracy {content:.2f}% fell below the floor {floor['content_percent']}%")
