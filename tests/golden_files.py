"""Golden results of the task-table seeds (000, 001) and a field-by-field comparison.

The golden files were drafted by the parser and then checked task by task against
the seed text by hand; see tests/core/test_table_plan.py for the cases in 001 that the
text leaves ambiguous.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.core.records import LedgerDocument
from app.formats.ledger_json import document_to_json

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
TASK_FIELDS = ("seq", "path", "key_work", "content", "lead_units", "coop_units", "deadline")


def load_golden(key: str) -> dict:
    return json.loads((GOLDEN_DIR / f"{key}.json").read_text(encoding="utf-8"))


def golden_view(doc: LedgerDocument) -> dict:
    """`doc` in the golden files' shape."""
    data = document_to_json(doc)
    return {
        "title": data["title"],
        "year": data["year"],
        "rounds": [{"name": r["name"], "due": r["due"]} for r in data["rounds"]],
        "tasks": [{k: t[k] for k in TASK_FIELDS} for t in data["tasks"]],
    }


def assert_matches_golden(doc: LedgerDocument, key: str) -> None:
    """Every field of every task equal to the golden file, with a message naming the task."""
    want = load_golden(key)
    got = golden_view(doc)
    assert got["title"] == want["title"]
    assert got["year"] == want["year"]
    assert got["rounds"] == want["rounds"]
    assert [t["seq"] for t in got["tasks"]] == [t["seq"] for t in want["tasks"]]
    for g, w in zip(got["tasks"], want["tasks"]):
        for name in TASK_FIELDS:
            assert g[name] == w[name], f"seed {key} task seq {w['seq']} ({w['key_work']}) field {name}"
